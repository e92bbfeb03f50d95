//! Sessions outside (and inside) a request: open a store, create or load a
//! session, change it, commit it. No HTTP types involved — this is Django's
//! "using sessions out of views", and the web layer is built on it.
//!
//! # Examples
//!
//! ```
//! use session_core::{Sessions, store::Store};
//! # use session_core::store::{Changes, Record};
//! # use session_core::{id::Id, error::StoreError};
//! # async fn demo<S: Store>(store: S) -> Result<(), session_core::error::SessionError> {
//! let sessions = Sessions::new(store);
//! let handle = sessions.create();
//! handle.set_test_cookie();
//! sessions.commit(&handle).await?;            // creates the record
//! let id = handle.id().expect("saved");
//!
//! let loaded = sessions.load(&id).await?.expect("live");
//! assert!(loaded.test_cookie_worked());
//! loaded.flush();
//! sessions.commit(&loaded).await?;            // deletes the record
//! assert!(sessions.load(&id).await?.is_none());
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::error::{SessionError, StoreError};
use crate::expiry::is_expired;
use crate::id::{ID_LEN, Id};
use crate::session::Handle;
use crate::state::State;
use crate::store::{Changes, Record, Store};

/// How many fresh ids are tried when creating a session before giving up
/// (Django's 10,000 is the counter-example, G6).
pub const MAX_CREATE_ATTEMPTS: u32 = 5;

/// What a commit did, so the web layer knows which cookie to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Nothing was written; send no cookie.
    Unchanged,
    /// The session was written under `id`.
    Saved {
        /// The id to put in the cookie.
        id: Id,
        /// True if the id is new (created or cycled).
        new_id: bool,
        /// The cookie's `Max-Age`; `None` for a browser-session cookie.
        max_age: Option<Duration>,
    },
    /// The session was flushed: its record is gone; delete the cookie.
    Deleted,
}

/// A store plus the shared configuration.
#[derive(Debug)]
pub struct Sessions<S> {
    store: Arc<S>,
    config: Arc<Config>,
}

impl<S> Clone for Sessions<S> {
    fn clone(&self) -> Self {
        Sessions {
            store: Arc::clone(&self.store),
            config: Arc::clone(&self.config),
        }
    }
}

/// What a commit does, decided under the session's lock before anything
/// is encoded (small: no record or changes in it).
#[derive(Clone, Copy)]
enum Step {
    Nothing,
    Delete(Option<Id>),
    Save(Id),
    /// Create a record (and delete the old one if cycled).
    Create(Option<Id>),
}

/// What is left to do once the lock is released, with what was encoded
/// under it and the cookie's Max-Age.
enum Plan {
    Delete(Option<Id>),
    Save(Id, Changes, Option<Duration>),
    Create(Option<Id>, Record, Option<Duration>),
}

/// The commit's step for `s`; `force`: save every request.
fn step(s: &State, force: bool) -> Step {
    if s.is_flushed() {
        return Step::Delete(s.id());
    }
    let persisted = s.id();
    if !s.wants_save(persisted.is_some(), force) {
        return Step::Nothing;
    }
    match persisted {
        Some(id) if !s.is_cycled() => Step::Save(id),
        old => Step::Create(old),
    }
}

/// The cookie's Max-Age for a state just stamped by a save
/// ([`State::changes`], [`State::to_record`] or a staged save): taken at
/// that same instant, so it matches the stored expiry exactly, without
/// reading the clock again.
fn stamped_max_age(s: &State) -> Option<Duration> {
    let meta = s.meta();
    s.policy().cookie_max_age(meta, meta.modified)
}

impl<S: Store> Sessions<S> {
    /// Sessions in `store` with the default configuration.
    pub fn new(store: S) -> Self {
        Sessions::with_config(store, Config::new())
    }

    /// Sessions in `store` with `config`.
    pub fn with_config(store: S, config: Config) -> Self {
        Sessions {
            store: Arc::new(store),
            config: Arc::new(config),
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The shared configuration.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// Mutable access to the configuration (copied first if already shared
    /// with live sessions, which keep the settings they were made with).
    pub fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// A new, empty session. Nothing is written until it is committed with
    /// data in it.
    pub fn create(&self) -> Handle {
        Handle::empty(Arc::clone(&self.config))
    }

    /// Loads a live session.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store failed; `Ok(None)` when the session does
    /// not exist or has expired.
    pub async fn load(&self, id: &Id) -> Result<Option<Handle>, StoreError> {
        self.load_as(id, None).await
    }

    /// [`Sessions::load`] for a cookie whose value was `text`, the id's
    /// own text (what it parsed from): the handle keeps it, for the
    /// response's cookie.
    pub(crate) async fn load_as(
        &self,
        id: &Id,
        text: Option<[u8; ID_LEN]>,
    ) -> Result<Option<Handle>, StoreError> {
        let now = self.config.clock().now();
        let config = &self.config;
        let state = self.store.load_with(id, now, |record| {
            // A store that never waits answered at `now`: one clock
            // reading serves it and this check. Any other may have waited
            // on I/O, so the check reads the clock again.
            let now = if S::IMMEDIATE {
                now
            } else {
                config.clock().now()
            };
            // Defence in depth: the store should have filtered it (C11).
            let live = !is_expired(record.expires_at, now);
            // Boxed here: the state is built into its allocation, not moved
            // through every return.
            live.then(|| {
                let state = || State::from_record_ref(Arc::clone(config), Some(*id), &record);
                Handle::loaded(state, text.map(|text| (*id, text)))
            })
        });
        Ok(state.await?.flatten())
    }

    /// Loads the session named by a cookie value, or starts a new one.
    /// Malformed ids never reach the store (D3, I5); unknown ids are not
    /// adopted: the new session gets a fresh id when saved (D1).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store failed (never "start a new session
    /// instead": an outage must not log everyone out, G2).
    pub async fn load_or_new(&self, cookie: Option<&str>) -> Result<Handle, StoreError> {
        if let Some(id) = cookie.and_then(|c| Id::parse(c).ok()) {
            if let Some(handle) = self.load(&id).await? {
                return Ok(handle);
            }
        }
        Ok(self.create())
    }

    /// Writes what the session's request changed; see [`Outcome`].
    ///
    /// # Errors
    ///
    /// [`SessionError::Store`] with [`StoreError::Deleted`] if the session
    /// was deleted meanwhile (it is not re-created, H1), other store errors,
    /// or a field that does not encode.
    pub async fn commit(&self, handle: &Handle) -> Result<Outcome, SessionError> {
        self.commit_with(handle, false).await
    }

    /// Like [`Sessions::commit`]; with `save_every_request`, a stored session
    /// is saved (and its expiry renewed) even if unchanged. A session never
    /// saved and still empty is never written (J2).
    ///
    /// # Errors
    ///
    /// As [`Sessions::commit`].
    pub async fn commit_with(
        &self,
        handle: &Handle,
        save_every_request: bool,
    ) -> Result<Outcome, SessionError> {
        let plan = {
            let mut s = handle.lock();
            match step(&s, save_every_request) {
                Step::Nothing => return Ok(Outcome::Unchanged),
                // A store that never waits saves under the same lock: the
                // usual request locks the session once to commit, not twice.
                Step::Save(id) if S::IMMEDIATE => return self.save_staged(&mut s, id),
                Step::Save(id) => {
                    let changes = s.changes()?;
                    Plan::Save(id, changes, stamped_max_age(&s))
                }
                Step::Create(old) => {
                    let record = s.to_record()?;
                    Plan::Create(old, record, stamped_max_age(&s))
                }
                Step::Delete(old) => Plan::Delete(old),
            }
        };
        let outcome = match plan {
            Plan::Delete(old) => {
                handle.lock().mark_saved(None);
                let Some(old) = old else {
                    // Never stored: nothing to delete, no cookie to remove
                    // (J2: an anonymous logout creates nothing).
                    return Ok(Outcome::Unchanged);
                };
                self.store.delete(&old).await?;
                return Ok(Outcome::Deleted);
            }
            Plan::Save(id, changes, max_age) => {
                // `changes` were stamped with the clock just now.
                let now = changes.meta.modified;
                self.store.save_owned(&id, changes, now).await?;
                Outcome::Saved {
                    id,
                    new_id: false,
                    max_age,
                }
            }
            Plan::Create(old, record, max_age) => {
                let id = self.create_record(&record).await?;
                if let Some(old) = old {
                    // Cycle: the old id must stop working (D5).
                    self.store.delete(&old).await?;
                }
                Outcome::Saved {
                    id,
                    new_id: true,
                    max_age,
                }
            }
        };
        if let Outcome::Saved { id, .. } = &outcome {
            handle.lock().mark_saved(Some(*id));
        }
        Ok(outcome)
    }

    /// Saves `s` under `id` through an [`IMMEDIATE`](Store::IMMEDIATE)
    /// store, in place: the store writes the staged fields into its record
    /// ([`Store::save_staged`]).
    fn save_staged(&self, s: &mut State, id: Id) -> Result<Outcome, SessionError> {
        let staged = s.stage()?;
        let now = staged.meta().modified;
        poll_once(std::pin::pin!(self.store.save_staged(&id, staged, now))).unwrap_or_else(
            || {
                // A broken promise: the save cannot be run twice, so it is
                // abandoned like a failed one.
                Err(StoreError::Unavailable(
                    "session store promised IMMEDIATE but a save was not ready".into(),
                ))
            },
        )?;
        let max_age = stamped_max_age(s);
        s.mark_saved(Some(id));
        Ok(Outcome::Saved {
            id,
            new_id: false,
            max_age,
        })
    }

    async fn create_record(&self, record: &Record) -> Result<Id, SessionError> {
        for _ in 0..MAX_CREATE_ATTEMPTS {
            let id = self.config.ids().generate();
            match self.store.create(&id, record).await {
                Ok(()) => return Ok(id),
                Err(StoreError::Collision) => {
                    tracing::warn!(id = %id.log_tag(), "session id collision; drawing another id");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(SessionError::IdsExhausted(MAX_CREATE_ATTEMPTS))
    }

    /// Deletes a session by id.
    ///
    /// # Errors
    ///
    /// When the store failed.
    pub async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.store.delete(id).await
    }

    /// Removes expired sessions, returning how many.
    ///
    /// # Errors
    ///
    /// When the store failed.
    pub async fn clear_expired(&self) -> Result<u64, StoreError> {
        self.store.clear_expired().await
    }
}

/// Polls `fut` once; `None` if it is not ready. For the futures of a store
/// or backend that promised to be immediate: they are run in place, not
/// boxed or awaited. The caller pins the future where it is made.
pub(crate) fn poll_once<F: std::future::Future>(fut: std::pin::Pin<&mut F>) -> Option<F::Output> {
    use std::task::{Context, Poll, Waker};
    match fut.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}
