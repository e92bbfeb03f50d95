//! Handles: the shared, lockable session, and its typed view.
//!
//! A [`Handle`] is a cheap clone of a locked [`State`]. A [`Session<T>`]
//! is a handle viewed through schema `T`: it dereferences to the accessor
//! type that `#[derive(Session)]` generates, so `shop.cart_mut().push(x)`
//! needs no trait import, and session-wide methods (`flush`, `cycle_key`,
//! `set_expiry`, ...) are reachable through the handle.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};

use crate::clock::Timestamp;
use crate::config::Config;
use crate::expiry::Expiry;
use crate::id::{ID_LEN, Id};
use crate::schema::{FieldSpec, Schema, Value};
use crate::state::{Held, Slot, State};

/// How long [`Handle::lock`] waits before concluding the session is
/// borrowed by a live guard on this thread.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A shared, lockable session state.
///
/// Locks are short and synchronous: do not hold a guard across `.await`
/// (the guard is not `Send`, so the compiler stops you in a handler).
#[derive(Clone)]
pub struct Handle(Arc<Inner>);

struct Inner {
    state: Mutex<State>,
    /// The id this session was loaded under and the cookie text it came
    /// in as (read by the web layer: see `Handle::loaded_as`).
    #[cfg_attr(not(feature = "tower"), allow(dead_code))]
    loaded_as: Option<(Id, [u8; ID_LEN])>,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.state.try_lock() {
            Some(state) => fmt::Debug::fmt(&*state, f),
            None => f.write_str("Handle(<locked>)"),
        }
    }
}

impl Handle {
    /// Wraps a state. Inlined: built where the state is, the state is
    /// copied once, into the allocation, not through this call's frame.
    #[inline]
    pub fn new(state: State) -> Self {
        Handle(Arc::new(Inner {
            state: Mutex::new(state),
            loaded_as: None,
        }))
    }

    /// The state `make` builds, loaded under an id from a cookie whose
    /// value was the text given with it (`None`: not from a cookie). The
    /// text must be what the id encodes to (what it parsed from: ids parse
    /// strictly, so that text is the only one, B5).
    ///
    /// The allocation is made first (`Arc::new_cyclic`; the weak handle
    /// goes unused) and the state built into it: one copy of the state
    /// fewer than building it and then wrapping it (68 instructions per
    /// load).
    #[inline]
    pub(crate) fn loaded(
        make: impl FnOnce() -> State,
        loaded_as: Option<(Id, [u8; ID_LEN])>,
    ) -> Self {
        debug_assert!(loaded_as.is_none_or(|(id, text)| id.encode() == text));
        Handle(Arc::new_cyclic(|_| Inner {
            state: Mutex::new(make()),
            loaded_as,
        }))
    }

    /// The id this session was loaded under and its text, which the
    /// request's cookie carried: a response that sets the cookie to that
    /// id again need not re-encode it.
    #[cfg(feature = "tower")]
    pub(crate) fn loaded_as(&self) -> Option<(Id, [u8; ID_LEN])> {
        self.0.loaded_as
    }

    /// A new empty session with `config`.
    pub fn empty(config: Arc<Config>) -> Self {
        Handle::new(State::new(config))
    }

    /// Locks the state.
    ///
    /// # Panics
    ///
    /// Like `RefCell`, a session cannot be borrowed twice at once: calling
    /// an accessor while a [`RefMut`] write guard of the same session is
    /// alive on this thread (as in `shop.cart_mut().push(shop.item().clone())`)
    /// would deadlock, so after waiting [`LOCK_WAIT`] this panics with a
    /// message saying so. Bind the value first. Getters return a [`Ref`],
    /// which holds no lock, so `shop.set_n(*shop.n() + 1)` is fine.
    ///
    /// In line in each accessor, the panic apart (with `slot_expired` in
    /// line: derive probe 98,395 -> 98,361 instructions, read 10,880 ->
    /// 10,772).
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, State> {
        match self.0.state.try_lock_for(LOCK_WAIT) {
            Some(guard) => guard,
            None => still_borrowed(),
        }
    }

    /// Views this session through schema `T`.
    pub fn typed<T: Schema>(&self) -> Session<T> {
        Session::from_handle(self.clone())
    }

    /// The stored id, if the session has been saved.
    pub fn id(&self) -> Option<Id> {
        self.lock().id()
    }

    /// Reads a field (see [`State::get`]); the guard derefs to `&T`.
    pub fn get<T: Value>(
        &self,
        spec: &'static FieldSpec,
        default: impl FnOnce() -> T,
    ) -> Ref<'_, T> {
        let mut state = self.lock();
        let slot = state.slot_mut::<T>(spec, default, Held::new);
        // A plain value (a number, a flag) is copied out: no allocation,
        // and it stays in place for a later write.
        let value = match slot.copied::<T>() {
            Some(v) => RefValue::Copied(v),
            None => RefValue::Shared(slot.shared::<T>()),
        };
        Ref {
            value,
            _session: PhantomData,
        }
    }

    /// Reads a field for writing: the guard marks the field dirty only when
    /// it is written through (`DerefMut`), so read-only use stays clean.
    pub fn get_mut<T: Value>(
        &self,
        spec: &'static FieldSpec,
        default: impl FnOnce() -> T,
    ) -> RefMut<'_, T> {
        RefMut {
            slot: MutexGuard::map(self.lock(), |s| s.slot_mut::<T>(spec, default, Held::owned)),
            _type: PhantomData,
        }
    }

    /// Sets a field.
    pub fn set<T: Value>(&self, spec: &'static FieldSpec, value: T) {
        self.lock().set(spec, value);
    }

    /// Removes a field and returns its value (or the default).
    pub fn take<T: Value>(&self, spec: &'static FieldSpec, default: impl FnOnce() -> T) -> T {
        self.lock().take(spec, default)
    }

    /// Removes a field so it reads as its default.
    pub fn reset(&self, spec: &'static FieldSpec) {
        self.lock().reset(spec);
    }

    /// Clears the session and deletes its record and cookie at the end of
    /// the request (logout).
    pub fn flush(&self) {
        self.lock().flush();
    }

    /// Gives the session a new id at the end of the request, keeping its
    /// data; the old record is deleted (call it at login).
    pub fn cycle_key(&self) {
        self.lock().cycle_key();
    }

    /// Removes every field; the session itself is kept and saved.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// True if no field is set.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// True if the session will be saved at the end of the request.
    pub fn is_modified(&self) -> bool {
        self.lock().is_modified()
    }

    /// Sets the session's own expiry.
    pub fn set_expiry(&self, expiry: Expiry) {
        self.lock().set_expiry(expiry);
    }

    /// Time left before expiry, as if saved now.
    pub fn expiry_age(&self) -> std::time::Duration {
        self.lock().expiry_age()
    }

    /// When the session expires, as if saved now.
    pub fn expiry_date(&self) -> Timestamp {
        self.lock().expiry_date()
    }

    /// Whether the cookie lasts only until the browser closes.
    pub fn expire_at_browser_close(&self) -> bool {
        self.lock().expire_at_browser_close()
    }

    /// Django's `set_test_cookie`.
    pub fn set_test_cookie(&self) {
        self.lock().set_test_cookie();
    }

    /// Django's `test_cookie_worked`.
    pub fn test_cookie_worked(&self) -> bool {
        self.lock().test_cookie_worked()
    }

    /// Django's `delete_test_cookie`.
    pub fn delete_test_cookie(&self) {
        self.lock().delete_test_cookie();
    }
}

/// [`Handle::lock`]'s panic: a session borrowed by a live write guard.
#[cold]
#[inline(never)]
fn still_borrowed() -> ! {
    panic!(
        "session state is still borrowed after {LOCK_WAIT:?}: a write guard (`_mut`) of this \
         session is alive while another accessor is called; read what you need into a local \
         before taking the `_mut` guard"
    )
}

/// A field's value as read. Derefs to `&T`.
///
/// It does **not** hold the session's lock, so `s.set_a(*s.b())` is fine.
/// It is a snapshot: a later write to the same field is not seen through an
/// existing `Ref` (read the field again).
pub struct Ref<'a, T> {
    value: RefValue<T>,
    _session: PhantomData<&'a Handle>,
}

/// What a [`Ref`] holds: its own copy of a plain value, or the value
/// shared with the session.
enum RefValue<T> {
    Copied(T),
    Shared(Arc<T>),
}

impl<T> Ref<'_, T> {
    /// The value, detached from the session's lifetime (shared with the
    /// session if it was, else in a new `Arc`).
    pub fn into_arc(this: Self) -> Arc<T> {
        match this.value {
            RefValue::Copied(v) => Arc::new(v),
            RefValue::Shared(v) => v,
        }
    }
}

// No `Clone` impl on purpose: `s.cart().clone()` must clone the value
// (through `Deref`), not the guard.

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.value {
            RefValue::Copied(v) => v,
            RefValue::Shared(v) => v,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A write guard on one field. Writing through it (`DerefMut`, as in
/// `cart_mut().push(x)`) marks the field dirty; reading does not.
pub struct RefMut<'a, T> {
    slot: MappedMutexGuard<'a, Slot>,
    _type: PhantomData<fn() -> T>,
}

impl<T: Value> Deref for RefMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.slot.typed::<T>()
    }
}

impl<T: Value> DerefMut for RefMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.slot.dirty = true;
        self.slot.typed_mut::<T>()
    }
}

impl<T: Value + fmt::Debug> fmt::Debug for RefMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A session viewed through schema `T`.
///
/// Derefs to `T`'s generated accessor type, which derefs to [`Handle`].
pub struct Session<T: Schema> {
    accessor: T::Accessor,
}

impl<T: Schema> Session<T> {
    /// Views `handle` through `T`.
    pub fn from_handle(handle: Handle) -> Self {
        let spec = T::SPEC;
        // Most schemas set no container expiry: no lock to take then.
        if spec.max_age.is_some() || spec.idle.is_some() || spec.absolute.is_some() {
            handle.lock().adopt_schema(spec);
        }
        Session {
            accessor: T::Accessor::from(handle),
        }
    }

    /// The untyped handle.
    pub fn handle(&self) -> &Handle {
        &self.accessor
    }

    /// Removes every field of this schema, leaving other namespaces.
    pub fn clear_fields(&self) {
        self.handle().lock().clear_schema(T::SPEC);
    }
}

impl<T: Schema> Clone for Session<T> {
    fn clone(&self) -> Self {
        Session::from_handle(self.handle().clone())
    }
}

impl<T: Schema> fmt::Debug for Session<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("schema", &T::SPEC.name)
            .field("state", self.handle())
            .finish()
    }
}

impl<T: Schema> Deref for Session<T> {
    type Target = T::Accessor;
    fn deref(&self) -> &T::Accessor {
        &self.accessor
    }
}
