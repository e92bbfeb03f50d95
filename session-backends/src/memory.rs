//! A bounded in-memory store, for tests and development.
//!
//! * Bounded (J7): at most `max_entries` records. When full, expired records
//!   are evicted first; if none are expired, the record closest to expiry
//!   goes.
//! * Expired records are never served, even before any cleanup (C11).
//! * Saves merge the changed fields into the stored record under the lock,
//!   so concurrent requests that change different fields keep both (H3).
//! * Data lives in this process only: a restart logs everyone out.
//!
//! # Examples
//!
//! ```
//! use session_backends::memory::MemoryStore;
//! use session_core::Sessions;
//!
//! let sessions = Sessions::new(MemoryStore::new(10_000));
//! # let _ = sessions;
//! ```

use std::collections::{BTreeSet, HashMap};

use parking_lot::Mutex;
use session_core::clock::{self, SharedClock, Timestamp};
use session_core::error::StoreError;
use session_core::expiry::is_expired;
use session_core::id::Id;
use session_core::store::{Changes, Record, Store};

/// Default capacity of [`MemoryStore::default`].
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// A bounded in-memory session store.
#[derive(Debug)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    clock: SharedClock,
    max_entries: usize,
}

#[derive(Debug, Default)]
struct Inner {
    records: HashMap<Id, Record>,
    /// (expires_at, id): the eviction order.
    by_expiry: BTreeSet<(Timestamp, Id)>,
}

impl Inner {
    fn insert(&mut self, id: Id, record: Record) {
        self.remove(&id);
        self.by_expiry.insert((record.expires_at, id));
        self.records.insert(id, record);
    }

    fn remove(&mut self, id: &Id) -> Option<Record> {
        let old = self.records.remove(id)?;
        self.by_expiry.remove(&(old.expires_at, *id));
        Some(old)
    }

    fn live(&self, id: &Id, now: Timestamp) -> Option<&Record> {
        self.records
            .get(id)
            .filter(|r| !is_expired(r.expires_at, now))
    }

    fn remove_expired(&mut self, now: Timestamp) -> u64 {
        let mut n = 0;
        while let Some(&(at, id)) = self.by_expiry.first() {
            if !is_expired(at, now) {
                break;
            }
            self.by_expiry.pop_first();
            self.records.remove(&id);
            n += 1;
        }
        n
    }

    /// Makes room for one more record: expired first, then the soonest to
    /// expire.
    fn make_room(&mut self, max: usize, now: Timestamp) {
        if self.records.len() < max {
            return;
        }
        self.remove_expired(now);
        while self.records.len() >= max {
            let Some((_, id)) = self.by_expiry.pop_first() else {
                break;
            };
            self.records.remove(&id);
        }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(DEFAULT_MAX_ENTRIES)
    }
}

impl MemoryStore {
    /// A store holding at most `max_entries` records (at least 1).
    pub fn new(max_entries: usize) -> Self {
        MemoryStore {
            inner: Mutex::new(Inner::default()),
            clock: clock::system(),
            max_entries: max_entries.max(1),
        }
    }

    /// Uses `clock` for expiry decisions (tests use a fake clock).
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Number of records held, expired ones included until evicted.
    pub fn len(&self) -> usize {
        self.inner.lock().records.len()
    }

    /// True if no record is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Store for MemoryStore {
    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        let now = self.clock.now();
        Ok(self.inner.lock().live(id, now).cloned())
    }

    async fn create(&self, id: &Id, record: &Record) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut inner = self.inner.lock();
        if inner.live(id, now).is_some() {
            return Err(StoreError::Collision);
        }
        inner.make_room(self.max_entries, now);
        inner.insert(*id, record.clone());
        Ok(())
    }

    async fn save(&self, id: &Id, changes: &Changes) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut inner = self.inner.lock();
        if inner.live(id, now).is_none() {
            return Err(StoreError::Deleted);
        }
        let mut record = inner.remove(id).ok_or(StoreError::Deleted)?;
        changes.apply(&mut record);
        inner.insert(*id, record);
        Ok(())
    }

    async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.inner.lock().remove(id);
        Ok(())
    }

    async fn clear_expired(&self) -> Result<u64, StoreError> {
        let now = self.clock.now();
        Ok(self.inner.lock().remove_expired(now))
    }
}
