//! The store contract: what every server-side backend implements.
//!
//! A [`Store`] keeps [`Record`]s by [`Id`]. The contract, which the shared
//! conformance suite checks for every backend:
//!
//! * [`Store::load`] returns `Ok(None)` for an id it does not have **or whose
//!   record has expired** (expired records are never served, even if no
//!   cleanup has run, C11), and `Err` only when the store itself failed: "not
//!   found" and "unavailable" are different answers (G1).
//! * [`Store::create`] never overwrites: if the id exists it returns
//!   [`StoreError::Collision`] and the caller draws a new id (D9, H7).
//! * [`Store::save`] applies a [`Changes`] to an existing record. If the
//!   record was deleted or expired meanwhile it returns
//!   [`StoreError::Deleted`] and does **not** re-create it (H1). Stores that
//!   can merge write only the changed fields, so concurrent requests that
//!   change different fields keep both changes (H3).
//! * [`Store::delete`] removes a record; deleting a missing one is not an
//!   error.
//! * [`Store::clear_expired`] removes expired records and returns how many.
//!
//! Ids reach a store already validated (I5): a malformed id never gets here.
//!
//! # Storing a record as bytes
//!
//! A store that keeps each record as one value picks one of two encodings,
//! both read back by [`Record::from_bytes`] (told apart by the first byte):
//!
//! * [`Record::to_bytes`], a compact binary form: every field is
//!   length-prefixed, so loading a record slices its fields out of one
//!   buffer without parsing any of them; only the fields a request reads
//!   meet serde. Cookie stores sign or seal this form.
//! * [`Record::to_json`], readable JSON, for stores where people look at
//!   the data (`jq`, SQL JSON functions); every field is tokenized on load.
//!
//! # A complete custom store
//!
//! ```
//! use std::collections::HashMap;
//! use std::sync::Mutex;
//! use session_core::clock::{Clock, SystemClock};
//! use session_core::expiry::is_expired;
//! use session_core::id::Id;
//! use session_core::store::{Changes, Record, Store};
//! use session_core::error::StoreError;
//!
//! #[derive(Default)]
//! struct MapStore(Mutex<HashMap<Id, Record>>);
//!
//! impl Store for MapStore {
//!     async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
//!         let now = SystemClock.now();
//!         let map = self.0.lock().unwrap();
//!         Ok(map.get(id).filter(|r| !is_expired(r.expires_at, now)).cloned())
//!     }
//!     async fn create(&self, id: &Id, record: &Record) -> Result<(), StoreError> {
//!         let mut map = self.0.lock().unwrap();
//!         let now = SystemClock.now();
//!         match map.get(id) {
//!             Some(r) if !is_expired(r.expires_at, now) => Err(StoreError::Collision),
//!             _ => { map.insert(*id, record.clone()); Ok(()) }
//!         }
//!     }
//!     async fn save(&self, id: &Id, changes: &Changes) -> Result<(), StoreError> {
//!         let now = SystemClock.now();
//!         let mut map = self.0.lock().unwrap();
//!         match map.get_mut(id) {
//!             Some(r) if !is_expired(r.expires_at, now) => { changes.apply(r); Ok(()) }
//!             _ => Err(StoreError::Deleted),
//!         }
//!     }
//!     async fn delete(&self, id: &Id) -> Result<(), StoreError> {
//!         self.0.lock().unwrap().remove(id);
//!         Ok(())
//!     }
//!     async fn clear_expired(&self) -> Result<u64, StoreError> {
//!         let now = SystemClock.now();
//!         let mut map = self.0.lock().unwrap();
//!         let before = map.len();
//!         map.retain(|_, r| !is_expired(r.expires_at, now));
//!         Ok((before - map.len()) as u64)
//!     }
//! }
//!
//! # tokio_test_block_on(async {
//! let sessions = session_core::Sessions::new(MapStore::default());
//! let handle = sessions.create();
//! handle.lock().set_raw("greeting", serde_json::value::to_raw_value("hi").unwrap());
//! sessions.commit(&handle).await.unwrap();
//! let id = handle.id().unwrap();
//! let again = sessions.load(&id).await.unwrap().unwrap();
//! assert_eq!(again.lock().get_raw("greeting").unwrap().get(), "\"hi\"");
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::clock::Timestamp;
use crate::error::{RecordError, StoreError};
use crate::expiry::Meta;
use crate::id::Id;

mod staged;
pub use staged::Staged;

/// Record format version written by this crate.
pub const RECORD_VERSION: u32 = 1;

/// A whole stored session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// Format version.
    #[serde(rename = "v")]
    pub version: u32,
    /// Creation, modification and the session's own expiry setting.
    #[serde(rename = "meta")]
    pub meta: Meta,
    /// The last instant at which the record may be served (computed with
    /// the policy in force when it was saved).
    #[serde(rename = "x")]
    pub expires_at: Timestamp,
    /// Each field's JSON, by stored key, including keys no schema knows
    /// (carried through unchanged).
    #[serde(rename = "f", default)]
    pub fields: BTreeMap<String, RawJson>,
    /// Per-field deadlines (`#[session(max_age)]` on a field).
    #[serde(rename = "d", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub deadlines: BTreeMap<String, Timestamp>,
    /// Values of `#[session(index)]` fields, as text.
    #[serde(rename = "i", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub index: BTreeMap<String, String>,
    /// A random tag drawn when the session is created and kept across
    /// `cycle_key`. Private fields are sealed bound to it, so a sealed value
    /// copied into another session's record does not open there (A3).
    #[serde(rename = "b", default, skip_serializing_if = "String::is_empty")]
    pub binding: String,
}

impl Record {
    /// An empty record.
    pub fn new(meta: Meta, expires_at: Timestamp) -> Self {
        Record {
            version: RECORD_VERSION,
            meta,
            expires_at,
            fields: BTreeMap::new(),
            deadlines: BTreeMap::new(),
            index: BTreeMap::new(),
            binding: String::new(),
        }
    }

    /// The record as JSON bytes. A field whose stored bytes are not JSON
    /// (a corrupted binary record) is written as `null`, with a warning.
    pub fn to_json(&self) -> Vec<u8> {
        // Sized up front (fields are most of it): no regrowing while writing.
        let fields: usize = self.fields.iter().map(|(k, v)| k.len() + v.len() + 4).sum();
        let mut out = Vec::with_capacity(fields + 128);
        // Maps of strings to raw JSON and timestamps cannot fail to write.
        serde_json::to_writer(&mut out, self).expect("a session record always serializes");
        out
    }

    /// Parses a record from JSON bytes.
    ///
    /// # Errors
    ///
    /// The serde error if the bytes are not a record (serde_json's recursion
    /// limit stays on, B8).
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The record in the compact binary format (see [`Record::from_bytes`]):
    /// smaller than JSON, and read back without scanning any field.
    pub fn to_bytes(&self) -> Vec<u8> {
        let fields: usize = self
            .fields
            .iter()
            .map(|(k, v)| k.len() + v.len() + crate::wire::FIELD_OVERHEAD)
            .sum();
        let mut out =
            Vec::with_capacity(fields + crate::wire::HEADER_OVERHEAD + self.binding.len());
        let mut w = crate::wire::Writer(&mut out);
        w.header(
            &self.meta,
            self.expires_at,
            self.binding.as_bytes(),
            &self.index,
            self.fields.len(),
        );
        for (key, raw) in &self.fields {
            let deadline = self.deadlines.get(key).copied();
            w.field(key.as_bytes(), deadline, raw.as_bytes(), false);
        }
        out
    }

    /// Reads a record written by [`Record::to_bytes`],
    /// [`State::to_bytes`](crate::state::State::to_bytes) or
    /// [`Record::to_json`] (told apart by the first byte). Field bytes are
    /// shared with `bytes`, not copied, and not parsed until a field is
    /// read; deflated fields are inflated (within 64 KiB and 50:1, J4).
    ///
    /// # Errors
    ///
    /// [`RecordError`] naming what is wrong and where.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Result<Self, RecordError> {
        let bytes: Bytes = bytes.into();
        if !crate::wire::is_binary(&bytes) {
            return Ok(Record::from_json(&bytes)?);
        }
        let mut r = crate::wire::Reader::new(&bytes);
        let h = r.header()?;
        // Copied before the keys: allocated after them, it made glibc
        // consolidate its free lists on the derive probe (+2.7k instructions).
        let binding = String::from_utf8(bytes[h.binding_at.clone()].to_vec())
            .expect("the reader checked that the binding is UTF-8");
        // In key order as written: the map is built in one bulk pass.
        let mut fields = Vec::with_capacity(r.cap(h.n_fields));
        let mut deadlines = BTreeMap::new();
        for _ in 0..h.n_fields {
            // The key comes checked: copied without a second check.
            let (key, f) = r.field_str()?;
            let key = key.to_owned();
            if let Some(d) = f.deadline {
                deadlines.insert(key.clone(), d);
            }
            let raw = if f.deflated {
                inflated(&bytes, f.raw)?
            } else {
                // Not scanned here: serde checks the bytes when the field
                // is decoded.
                RawJson(bytes.slice(f.raw))
            };
            fields.push((key, raw));
        }
        r.finish()?;
        // Built whole at the end: no empty maps made and dropped for
        // fields set afterwards (derive probe: 108 instructions).
        Ok(Record {
            version: RECORD_VERSION,
            meta: h.meta,
            expires_at: h.expires_at,
            // A repeated key: the last one wins, as with JSON.
            fields: fields.into_iter().collect(),
            deadlines,
            index: h.index,
            binding,
        })
    }
}

/// A deflated field's JSON, inflated (within the caps) and checked to be
/// UTF-8. Apart from [`Record::from_bytes`]: rare, and kept out of its
/// loop.
#[cold]
fn inflated(bytes: &[u8], raw: std::ops::Range<usize>) -> Result<RawJson, RecordError> {
    let bad = || RecordError::Malformed {
        at: raw.start,
        what: "deflated field",
    };
    let text = crate::envelope::inflate_field(&bytes[raw.clone()]).map_err(|_| bad())?;
    std::str::from_utf8(&text).map_err(|_| bad())?;
    Ok(RawJson(Bytes::from(text)))
}

/// One field's stored JSON text. Cheap to clone: records loaded from bytes
/// share one buffer.
///
/// Built from serde_json output, or read from a stored record, where it is
/// neither parsed nor scanned until the field is read: a field whose bytes
/// do not decode (not JSON, not UTF-8: a corrupted record) is reset alone.
#[derive(Clone, PartialEq, Eq)]
pub struct RawJson(Bytes);

impl RawJson {
    /// Checks that `text` is one JSON value and keeps it.
    ///
    /// # Errors
    ///
    /// The serde error if `text` is not JSON.
    pub fn from_json(text: impl Into<String>) -> Result<Self, serde_json::Error> {
        RawValue::from_string(text.into()).map(RawJson::from)
    }

    /// Serde_json's output for `value`.
    ///
    /// # Errors
    ///
    /// The serde error if `value` does not serialize.
    pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_vec(value).map(|v| RawJson(Bytes::from(v)))
    }

    /// Bytes of JSON text, kept as they are (serde_json output, or a
    /// slice of a record read from bytes).
    pub(crate) fn from_shared(bytes: Bytes) -> Self {
        RawJson(bytes)
    }

    /// The JSON text. Bytes that are not UTF-8 (only a corrupted stored
    /// record has them) read as `null`, as such a field decodes as its
    /// default.
    pub fn get(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("null")
    }

    /// The JSON text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for an empty text (never valid JSON).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a serde_json [`RawValue`], checked to be JSON.
    ///
    /// # Errors
    ///
    /// The serde error if the bytes are not one JSON value.
    pub fn to_raw_value(&self) -> Result<Box<RawValue>, serde_json::Error> {
        serde_json::from_slice::<&RawValue>(&self.0).map(ToOwned::to_owned)
    }
}

impl From<Box<RawValue>> for RawJson {
    fn from(raw: Box<RawValue>) -> Self {
        let s: Box<str> = raw.into();
        RawJson(Bytes::from(s.into_boxed_bytes()))
    }
}

impl std::fmt::Debug for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match serde_json::from_slice::<&RawValue>(&self.0) {
            Ok(raw) => raw.serialize(s),
            Err(e) => {
                tracing::warn!(error = %e, "stored session field is not JSON; written as null");
                s.serialize_unit()
            }
        }
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(RawJson::from)
    }
}

/// What one save changes: only what the request touched.
#[derive(Debug, Clone)]
pub struct Changes {
    /// New metadata.
    pub meta: Meta,
    /// New expiry instant.
    pub expires_at: Timestamp,
    /// Fields written, with their new per-field deadline if any. A
    /// schema's field name is borrowed (`&'static str`), not copied.
    pub set: Vec<(Cow<'static, str>, RawJson, Option<Timestamp>)>,
    /// Fields removed.
    pub removed: Vec<String>,
    /// Index values that changed (`None`: no longer indexed).
    pub index: Vec<(String, Option<String>)>,
}

impl Changes {
    /// Applies the changes to a record (for stores that read, modify and
    /// write, or merge under a lock).
    pub fn apply(&self, record: &mut Record) {
        self.apply_head(record);
        for (key, raw, deadline) in &self.set {
            put_field(record, key, raw.clone(), *deadline);
        }
        for (name, value) in &self.index {
            put_index(record, name.clone(), value.clone());
        }
    }

    /// [`Changes::apply`], moving the values into the record instead of
    /// copying them (for a store that owns the changes: see
    /// [`Store::save_owned`]).
    pub fn apply_owned(self, record: &mut Record) {
        self.apply_head(record);
        for (key, raw, deadline) in self.set {
            put_field(record, &key, raw, deadline);
        }
        for (name, value) in self.index {
            put_index(record, name, value);
        }
    }

    /// The metadata, the expiry and the removals.
    fn apply_head(&self, record: &mut Record) {
        apply_head(record, self.meta, self.expires_at, &self.removed);
    }
}

/// Sets `record`'s metadata and expiry and removes the `removed` fields.
pub(crate) fn apply_head(
    record: &mut Record,
    meta: Meta,
    expires_at: Timestamp,
    removed: &[String],
) {
    record.meta = meta;
    record.expires_at = expires_at;
    for key in removed {
        record.fields.remove(key);
        record.deadlines.remove(key);
    }
}

/// Sets field `key` to `raw`, with its deadline (or none).
pub(crate) fn put_field(record: &mut Record, key: &str, raw: RawJson, deadline: Option<Timestamp>) {
    put(&mut record.fields, key, raw);
    match deadline {
        Some(d) => put(&mut record.deadlines, key, d),
        // Most records have no deadline at all: no call to look.
        None if record.deadlines.is_empty() => {}
        None => {
            record.deadlines.remove(key);
        }
    }
}

/// Sets (or, with `None`, removes) index value `name`.
pub(crate) fn put_index(record: &mut Record, name: String, value: Option<String>) {
    match value {
        Some(v) => record.index.insert(name, v),
        None => record.index.remove(&name),
    };
}

/// Sets `map[key]`, replacing an existing entry (the usual case) in place:
/// no copy of its key.
fn put<V>(map: &mut BTreeMap<String, V>, key: &str, value: V) {
    match map.get_mut(key) {
        Some(slot) => *slot = value,
        None => {
            map.insert(key.to_owned(), value);
        }
    }
}

/// A server-side session store. See the [module docs](self) for the
/// contract and a complete example.
pub trait Store: Send + Sync + 'static {
    /// A promise that every future this store returns is ready on its first
    /// poll (it never waits: an in-memory map behind a lock). The web layer
    /// then runs loads and saves in place instead of boxing them (see
    /// `web::Backend::IMMEDIATE` for what happens if the promise is
    /// broken). Default `false`.
    const IMMEDIATE: bool = false;

    /// Loads a live record. `Ok(None)` if absent or expired.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] (or another variant) when the store
    /// itself failed; never for a missing record.
    fn load(&self, id: &Id) -> impl Future<Output = Result<Option<Record>, StoreError>> + Send;

    /// [`Store::load`] for a caller that has just read the clock, with the
    /// record handed to `f` rather than returned. `now` is that reading,
    /// from the clock the store's sessions use (the
    /// [`Sessions`](crate::Sessions) configuration's): a store that reads a
    /// clock itself may judge expiry at `now`, sparing a second read. A
    /// store that keeps records in memory lends the record
    /// ([`Cow::Borrowed`], under its lock) instead of copying it. The
    /// default ignores `now`, calls [`Store::load`] and passes the record
    /// owned.
    ///
    /// # Errors
    ///
    /// As [`Store::load`].
    fn load_with<R, F>(
        &self,
        id: &Id,
        now: Timestamp,
        f: F,
    ) -> impl Future<Output = Result<Option<R>, StoreError>> + Send
    where
        F: FnOnce(Cow<'_, Record>) -> R + Send,
        R: Send,
    {
        let _ = now;
        async move { Ok(self.load(id).await?.map(|r| f(Cow::Owned(r)))) }
    }

    /// Creates a record under a new id, never overwriting a live one.
    ///
    /// # Errors
    ///
    /// [`StoreError::Collision`] if the id is taken.
    fn create(
        &self,
        id: &Id,
        record: &Record,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Applies `changes` to an existing live record.
    ///
    /// # Errors
    ///
    /// [`StoreError::Deleted`] if the record is gone or expired; it is not
    /// re-created.
    fn save(
        &self,
        id: &Id,
        changes: &Changes,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// [`Store::save`] for a caller that has just read the clock (`now`, as
    /// for [`Store::load_with`]; [`Sessions`](crate::Sessions) passes the
    /// instant the changes were stamped with). The default ignores `now`.
    ///
    /// # Errors
    ///
    /// As [`Store::save`].
    fn save_at(
        &self,
        id: &Id,
        changes: &Changes,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let _ = now;
        self.save(id, changes)
    }

    /// [`Store::save_at`] with the changes handed over: a store that
    /// merges them into a record it holds (in memory) can move the values
    /// in ([`Changes::apply_owned`]) rather than copy them. Same contract as
    /// [`Store::save`]: a record that is gone or expired is not re-created.
    /// [`Sessions`](crate::Sessions) saves through this; the default calls
    /// [`Store::save_at`].
    ///
    /// # Errors
    ///
    /// As [`Store::save`].
    fn save_owned(
        &self,
        id: &Id,
        changes: Changes,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move { self.save_at(id, &changes, now).await }
    }

    /// [`Store::save_owned`] for a save not yet gathered into a
    /// [`Changes`]: a store that holds its records in memory writes it
    /// into the live record in place ([`Staged::write_into`]), sparing the
    /// list of changes. Same contract as [`Store::save`]: a record that is
    /// gone or expired is not re-created. [`Sessions`](crate::Sessions)
    /// saves through this only for an [`IMMEDIATE`](Store::IMMEDIATE)
    /// store (the staged save borrows the session, locked meanwhile); the
    /// default gathers the changes ([`Staged::into_changes`]) and calls
    /// [`Store::save_owned`].
    ///
    /// # Errors
    ///
    /// As [`Store::save`].
    fn save_staged(
        &self,
        id: &Id,
        staged: Staged<'_>,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move { self.save_owned(id, staged.into_changes(), now).await }
    }

    /// Deletes a record. Deleting a missing record succeeds.
    ///
    /// # Errors
    ///
    /// When the store itself failed.
    fn delete(&self, id: &Id) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes every expired record, returning how many were removed.
    ///
    /// # Errors
    ///
    /// When the store itself failed.
    fn clear_expired(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// A boxed future, for [`DynStore`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The object-safe twin of [`Store`], implemented for every store, for
/// code that picks a backend at run time (such as the `sessions` tool).
#[allow(missing_docs)] // Each method is documented on `Store`.
pub trait DynStore: Send + Sync + 'static {
    fn load<'a>(&'a self, id: &'a Id) -> BoxFuture<'a, Result<Option<Record>, StoreError>>;
    fn create<'a>(
        &'a self,
        id: &'a Id,
        record: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn save<'a>(
        &'a self,
        id: &'a Id,
        changes: &'a Changes,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn delete<'a>(&'a self, id: &'a Id) -> BoxFuture<'a, Result<(), StoreError>>;
    fn clear_expired(&self) -> BoxFuture<'_, Result<u64, StoreError>>;
}

impl<S: Store> DynStore for S {
    fn load<'a>(&'a self, id: &'a Id) -> BoxFuture<'a, Result<Option<Record>, StoreError>> {
        Box::pin(Store::load(self, id))
    }
    fn create<'a>(
        &'a self,
        id: &'a Id,
        record: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(Store::create(self, id, record))
    }
    fn save<'a>(
        &'a self,
        id: &'a Id,
        changes: &'a Changes,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(Store::save(self, id, changes))
    }
    fn delete<'a>(&'a self, id: &'a Id) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(Store::delete(self, id))
    }
    fn clear_expired(&self) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(Store::clear_expired(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moving the changes in leaves the record exactly as copying them.
    #[test]
    fn apply_owned_matches_apply() {
        let t = |s| Timestamp::from_unix_seconds(s);
        let raw = |s: &str| RawJson::from_json(s).expect("json");
        let mut record = Record::new(Meta::new(t(1)), t(10));
        for (k, v) in [("a", "1"), ("b", "2"), ("c", "3")] {
            record.fields.insert(k.into(), raw(v));
            record.deadlines.insert(k.into(), t(5));
        }
        record.index.insert("c".into(), "3".into());
        let changes = Changes {
            meta: Meta::new(t(2)),
            expires_at: t(20),
            set: vec![
                (Cow::Borrowed("a"), raw("11"), None),
                (Cow::Owned("d".into()), raw("4"), Some(t(9))),
            ],
            removed: vec!["c".into()],
            index: vec![("c".into(), None), ("d".into(), Some("4".into()))],
        };
        let mut copied = record.clone();
        changes.apply(&mut copied);
        let mut moved = record;
        changes.apply_owned(&mut moved);
        assert_eq!(moved.to_json(), copied.to_json());
        assert!(!copied.deadlines.contains_key("a") && copied.fields["a"].get() == "11");
    }
}
