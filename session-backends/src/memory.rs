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

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, Hasher, RandomState};

use parking_lot::Mutex;
use session_core::clock::{self, SharedClock, Timestamp};
use session_core::error::StoreError;
use session_core::expiry::is_expired;
use session_core::id::Id;
use session_core::store::{Changes, Record, Staged, Store};

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
    records: HashMap<Id, Entry, IdHash>,
    /// `(filed_at, id)` for every record, exactly once: the eviction order.
    by_expiry: BTreeSet<(Timestamp, Id)>,
}

/// A record and where it is filed in the eviction order.
///
/// Filing is lazy: `filed_at` is a lower bound of the record's expiry, not
/// always the expiry itself. A save that extends the expiry (nearly every
/// save: the expiry rolls forward with activity) leaves the filing alone,
/// sparing two B-tree updates per request; eviction refiles such a record
/// when its stale filing comes up. A save that brings the expiry forward
/// refiles at once, so the bound holds. Eviction order stays exact: when
/// the first filing is exact, every other record expires at or after it.
#[derive(Debug)]
struct Entry {
    record: Record,
    filed_at: Timestamp,
}

/// Hashes [`Id`]s for the record map: the 32 bytes folded into one word
/// with a per-store random key, then one multiply to mix. About a tenth of
/// the cost of the default SipHash, which is paid on every load and save.
///
/// Not a keyed PRF, and it need not be: hash flooding needs chosen *keys in
/// the table*, and the only ids ever inserted are ones `create` accepted,
/// which the server drew from its CSPRNG (a client's id is never adopted,
/// D1). An attacker's chosen ids only look up: each costs one probe through
/// a table laid out by random keys. The random key still keeps a weak
/// custom [`IdGenerator`](session_core::id::IdGenerator) from hitting a
/// fixed bad pattern.
#[derive(Debug, Clone)]
struct IdHash(u64);

impl Default for IdHash {
    fn default() -> Self {
        // A random word from the standard library's per-process keys.
        IdHash(RandomState::new().build_hasher().finish())
    }
}

impl BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(self.0)
    }
}

/// See [`IdHash`].
struct IdHasher(u64);

/// An odd constant with well-spread bits (from `rustc-hash`).
const MIX: u64 = 0xf135_7aea_2e62_a9c5;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(MIX).rotate_left(26);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_usize(&mut self, n: usize) {
        // The slice length `Hash` writes first (always 32 for an id).
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // Folded multiply: every input bit reaches the low bits (the bucket
        // index) and the top 7 (the SwissTable tag).
        let m = u128::from(self.0) * u128::from(MIX);
        (m as u64) ^ ((m >> 64) as u64)
    }
}

impl Inner {
    fn insert(&mut self, id: Id, record: Record) {
        self.remove(&id);
        let filed_at = record.expires_at;
        self.by_expiry.insert((filed_at, id));
        self.records.insert(id, Entry { record, filed_at });
    }

    fn remove(&mut self, id: &Id) -> Option<Record> {
        let old = self.records.remove(id)?;
        self.by_expiry.remove(&(old.filed_at, *id));
        Some(old.record)
    }

    fn live(&self, id: &Id, now: Timestamp) -> Option<&Record> {
        self.records
            .get(id)
            .map(|e| &e.record)
            .filter(|r| !is_expired(r.expires_at, now))
    }

    /// Applies changes (`apply`) to the live record `id`, in place (H3).
    fn save(
        &mut self,
        id: &Id,
        now: Timestamp,
        apply: impl FnOnce(&mut Record),
    ) -> Result<(), StoreError> {
        let entry = self
            .records
            .get_mut(id)
            .filter(|e| !is_expired(e.record.expires_at, now))
            // Gone or expired: not re-created (H1).
            .ok_or(StoreError::Deleted)?;
        apply(&mut entry.record);
        let expires_at = entry.record.expires_at;
        if expires_at < entry.filed_at {
            // Brought forward: refile now, so the filing stays a lower bound.
            self.by_expiry.remove(&(entry.filed_at, *id));
            self.by_expiry.insert((expires_at, *id));
            entry.filed_at = expires_at;
        }
        Ok(())
    }

    /// Removes and returns the record that expires first, if its expiry
    /// passes `due`. Records filed early are refiled on the way.
    fn pop_first(&mut self, due: impl Fn(Timestamp) -> bool) -> Option<Id> {
        while let Some(&(at, id)) = self.by_expiry.first() {
            if !due(at) {
                return None;
            }
            self.by_expiry.pop_first();
            let Some(entry) = self.records.get_mut(&id) else {
                continue; // Unreachable: every filing names a record.
            };
            let expires_at = entry.record.expires_at;
            if expires_at == at {
                self.records.remove(&id);
                return Some(id);
            }
            // Extended since it was filed: file it where it belongs now.
            entry.filed_at = expires_at;
            self.by_expiry.insert((expires_at, id));
        }
        None
    }

    fn remove_expired(&mut self, now: Timestamp) -> u64 {
        let mut n = 0;
        while self.pop_first(|at| is_expired(at, now)).is_some() {
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
            if self.pop_first(|_| true).is_none() {
                break;
            }
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

    /// Uses `clock` for expiry decisions (tests use a fake clock). Loads
    /// and saves made through [`Sessions`](session_core::Sessions) are
    /// judged at the instant it read from its configuration's clock (one
    /// reading per operation instead of two): give both the same clock.
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
    /// Nothing is awaited: every operation runs under a short lock.
    const IMMEDIATE: bool = true;

    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        Ok(self.inner.lock().live(id, self.clock.now()).cloned())
    }

    /// Judges expiry at the caller's `now` (through
    /// [`Sessions`](session_core::Sessions): its configuration's clock) and
    /// lends the record under the lock: no copy of it per load.
    async fn load_with<R, F>(&self, id: &Id, now: Timestamp, f: F) -> Result<Option<R>, StoreError>
    where
        F: FnOnce(Cow<'_, Record>) -> R + Send,
        R: Send,
    {
        Ok(self.inner.lock().live(id, now).map(|r| f(Cow::Borrowed(r))))
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
        self.save_at(id, changes, self.clock.now()).await
    }

    /// Judges expiry at the caller's `now`, as [`Store::load_with`].
    async fn save_at(&self, id: &Id, changes: &Changes, now: Timestamp) -> Result<(), StoreError> {
        self.inner.lock().save(id, now, |r| changes.apply(r))
    }

    /// As [`Store::save_at`], moving the changed values into the record.
    async fn save_owned(
        &self,
        id: &Id,
        changes: Changes,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.inner.lock().save(id, now, |r| changes.apply_owned(r))
    }

    /// As [`Store::save_owned`], writing the staged fields straight into
    /// the record: no list of changes is built.
    async fn save_staged(
        &self,
        id: &Id,
        staged: Staged<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.inner.lock().save(id, now, |r| staged.write_into(r))
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

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::hash::BuildHasher;
    use std::sync::Arc;
    use std::time::Duration;

    use session_core::clock::FakeClock;
    use session_core::expiry::Meta;

    use super::*;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    const T0: Timestamp = Timestamp::from_unix_seconds(1_000);

    fn at(s: u64) -> Timestamp {
        T0.saturating_add(Duration::from_secs(s))
    }

    fn record(expires_at: Timestamp) -> Record {
        Record::new(Meta::new(T0), expires_at)
    }

    fn renew(expires_at: Timestamp) -> Changes {
        Changes {
            meta: Meta::new(T0),
            expires_at,
            set: Vec::new(),
            removed: Vec::new(),
            index: Vec::new(),
        }
    }

    fn store(max: usize) -> (MemoryStore, FakeClock) {
        let clock = FakeClock::new(T0);
        (
            MemoryStore::new(max).with_clock(Arc::new(clock.clone())),
            clock,
        )
    }

    /// The expiry index files each record exactly once, no later than its
    /// expiry.
    fn assert_index_consistent(store: &MemoryStore) {
        let inner = store.inner.lock();
        assert_eq!(inner.by_expiry.len(), inner.records.len());
        for (at, id) in &inner.by_expiry {
            let entry = &inner.records[id];
            assert_eq!(entry.filed_at, *at);
            assert!(*at <= entry.record.expires_at);
        }
    }

    #[test]
    fn full_store_evicts_expired_then_soonest_j7() {
        block_on(async {
            let (store, clock) = store(3);
            let [a, b, c, d, e] = [(); 5].map(|()| Id::generate());
            store.create(&a, &record(at(10))).await.unwrap();
            store.create(&b, &record(at(100))).await.unwrap();
            store.create(&c, &record(at(50))).await.unwrap();
            clock.set(at(20)); // `a` has expired
            store.create(&d, &record(at(200))).await.unwrap();
            assert_eq!(store.len(), 3);
            assert!(!store.inner.lock().records.contains_key(&a));
            assert_index_consistent(&store);
            // None expired: the soonest to expire (`c`) goes.
            store.create(&e, &record(at(300))).await.unwrap();
            assert_eq!(store.len(), 3);
            assert!(store.load(&c).await.unwrap().is_none());
            for id in [b, d, e] {
                assert!(store.load(&id).await.unwrap().is_some());
            }
            assert_index_consistent(&store);
        });
    }

    #[test]
    fn save_moves_the_record_in_the_eviction_order() {
        block_on(async {
            let (store, _clock) = store(2);
            let [a, b, c] = [(); 3].map(|()| Id::generate());
            store.create(&a, &record(at(10))).await.unwrap();
            store.create(&b, &record(at(20))).await.unwrap();
            // Renewed: `a` now outlives `b`, so `b` is evicted, not `a`.
            store.save(&a, &renew(at(30))).await.unwrap();
            // Unchanged expiry keeps the index as it is.
            store.save(&b, &renew(at(20))).await.unwrap();
            assert_index_consistent(&store);
            store.create(&c, &record(at(40))).await.unwrap();
            assert!(store.load(&a).await.unwrap().is_some());
            assert!(store.load(&b).await.unwrap().is_none());
            assert_index_consistent(&store);
        });
    }

    #[test]
    fn expiry_moved_either_way_keeps_clear_expired_exact() {
        block_on(async {
            let (store, clock) = store(10);
            let [a, b, c] = [(); 3].map(|()| Id::generate());
            store.create(&a, &record(at(10))).await.unwrap();
            store.create(&b, &record(at(20))).await.unwrap();
            store.create(&c, &record(at(50))).await.unwrap();
            store.save(&a, &renew(at(30))).await.unwrap(); // extended: filed late
            store.save(&c, &renew(at(5))).await.unwrap(); // brought forward
            assert_index_consistent(&store);
            clock.set(at(15));
            assert_eq!(store.clear_expired().await.unwrap(), 1); // `c` only
            assert!(store.load(&a).await.unwrap().is_some());
            assert_index_consistent(&store);
            clock.set(at(31));
            assert_eq!(store.clear_expired().await.unwrap(), 2);
            assert!(store.is_empty());
            assert_index_consistent(&store);
        });
    }

    #[test]
    fn save_of_expired_or_deleted_is_not_resurrected_h1() {
        block_on(async {
            let (store, clock) = store(10);
            let [a, b] = [(); 2].map(|()| Id::generate());
            store.create(&a, &record(at(10))).await.unwrap();
            store.create(&b, &record(at(10))).await.unwrap();
            store.delete(&a).await.unwrap();
            let err = store.save(&a, &renew(at(99))).await.unwrap_err();
            assert!(matches!(err, StoreError::Deleted));
            clock.set(at(11));
            let err = store.save(&b, &renew(at(99))).await.unwrap_err();
            assert!(matches!(err, StoreError::Deleted));
            assert!(store.load(&a).await.unwrap().is_none());
            assert!(store.load(&b).await.unwrap().is_none());
            // Not renewed either: the expired record kept its expiry.
            assert_eq!(store.inner.lock().records[&b].record.expires_at, at(10));
            // The by-value save (what `Sessions` uses) refuses alike.
            for id in [a, b] {
                let err = store.save_owned(&id, renew(at(99)), at(11)).await;
                assert!(matches!(err, Err(StoreError::Deleted)), "H1");
            }
            assert!(store.load(&a).await.unwrap().is_none());
            assert_eq!(store.inner.lock().records[&b].record.expires_at, at(10));
            assert_index_consistent(&store);
        });
    }

    /// A by-value save merges like a save: the fields it sets, removes
    /// and indexes change; the others are kept (H3).
    #[test]
    fn save_owned_merges_into_the_stored_record_h3() {
        use session_core::store::RawJson;
        block_on(async {
            let (store, _clock) = store(10);
            let a = Id::generate();
            let mut r = record(at(10));
            for (k, v) in [("kept", "1"), ("set", "2"), ("gone", "3")] {
                r.fields.insert(k.into(), RawJson::from_json(v).unwrap());
            }
            store.create(&a, &r).await.unwrap();
            let mut changes = renew(at(20));
            let raw = RawJson::from_json("22").unwrap();
            changes.set.push(("set".into(), raw, Some(at(15))));
            changes.removed.push("gone".into());
            changes.index.push(("user".into(), Some("7".into())));
            store.save_owned(&a, changes, at(1)).await.unwrap();
            let got = store.load(&a).await.unwrap().expect("live");
            let fields: Vec<_> = got.fields.iter().map(|(k, v)| (&k[..], v.get())).collect();
            assert_eq!(fields, [("kept", "1"), ("set", "22")]);
            assert_eq!(got.deadlines.get("set"), Some(&at(15)));
            assert_eq!(got.index.get("user").map(String::as_str), Some("7"));
            assert_eq!(got.expires_at, at(20));
            assert_index_consistent(&store);
        });
    }

    /// Saves through `Sessions` write the staged fields into the record in
    /// place: two requests that change different fields keep both (H3), a
    /// deleted or expired record is not re-created (H1).
    #[test]
    fn staged_saves_merge_in_place_and_never_resurrect_h1_h3() {
        use session_core::{Config, Sessions};
        let raw = |s: &str| serde_json::value::to_raw_value(s).unwrap();
        block_on(async {
            let (store, clock) = store(10);
            let config = Config::new().with_clock(Arc::new(clock.clone()));
            let sessions = Sessions::with_config(store, config);
            let handle = sessions.create();
            handle.lock().set_raw("a", raw("1"));
            sessions.commit(&handle).await.unwrap();
            let id = handle.id().expect("created");
            let (one, two) = (sessions.load(&id).await.unwrap().unwrap(), handle);
            one.lock().set_raw("a", raw("one"));
            two.lock().set_raw("b", raw("two"));
            sessions.commit(&one).await.unwrap();
            sessions.commit(&two).await.unwrap();
            let got = sessions.store().load(&id).await.unwrap().expect("live");
            let fields: Vec<_> = got.fields.iter().map(|(k, v)| (&k[..], v.get())).collect();
            assert_eq!(fields, [("a", "\"one\""), ("b", "\"two\"")], "H3");
            assert_index_consistent(sessions.store());
            // Deleted meanwhile: the save fails and creates nothing (H1).
            sessions.delete(&id).await.unwrap();
            one.lock().set_raw("a", raw("again"));
            let err = sessions.commit(&one).await.unwrap_err();
            assert!(err.to_string().contains("deleted"), "{err}");
            assert!(sessions.store().is_empty(), "H1");
            // Expired meanwhile: not renewed either.
            let live = sessions.create();
            live.lock().set_raw("a", raw("1"));
            sessions.commit(&live).await.unwrap();
            let expiry = sessions.store().inner.lock().records[&live.id().unwrap()]
                .record
                .expires_at;
            clock.set(expiry.saturating_add(Duration::from_secs(1)));
            live.lock().set_raw("a", raw("2"));
            assert!(sessions.commit(&live).await.is_err(), "H1");
            let kept = &sessions.store().inner.lock().records[&live.id().unwrap()].record;
            assert_eq!((kept.expires_at, kept.fields["a"].get()), (expiry, "\"1\""));
        });
    }

    #[test]
    fn load_with_and_save_at_judge_expiry_at_the_callers_instant_c11_h1() {
        block_on(async {
            // The store's own clock says the record is live; the caller's
            // reading (the sessions' clock) says it has expired.
            let (store, _clock) = store(10);
            let a = Id::generate();
            store.create(&a, &record(at(10))).await.unwrap();
            let load_at = |now| store.load_with(&a, now, |_| ());
            assert!(load_at(at(10)).await.unwrap().is_some());
            assert!(load_at(at(11)).await.unwrap().is_none(), "C11");
            let err = store.save_at(&a, &renew(at(99)), at(11)).await.unwrap_err();
            assert!(matches!(err, StoreError::Deleted), "H1: not renewed");
            assert_eq!(store.inner.lock().records[&a].record.expires_at, at(10));
            store.save_at(&a, &renew(at(99)), at(9)).await.unwrap();
            assert!(store.load(&a).await.unwrap().is_some());
            assert_index_consistent(&store);
        });
    }

    #[test]
    fn load_with_lends_live_records_only_c11() {
        block_on(async {
            let (store, _clock) = store(10);
            let a = Id::generate();
            store.create(&a, &record(at(10))).await.unwrap();
            let lent = store.load_with(&a, at(10), |r| matches!(r, Cow::Borrowed(_)));
            assert_eq!(lent.await.unwrap(), Some(true), "lent, not copied");
            let expired = store.load_with(&a, at(11), |_| ()).await.unwrap();
            assert!(
                expired.is_none(),
                "C11: an expired record is never handed out"
            );
            let absent = store.load_with(&Id::generate(), at(10), |_| ()).await;
            assert!(absent.unwrap().is_none());
        });
    }

    #[test]
    fn id_hash_spreads_ids_that_differ_only_at_the_end() {
        // A weak generator (a counter in the last bytes) must still fill
        // distinct buckets: 4096 ids, nearly as many distinct low 16 bits.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let hash = IdHash::default();
        let mut low = std::collections::HashSet::new();
        let mut text = [b'Q'; 43];
        text[42] = b'A';
        for x in alphabet {
            for y in alphabet {
                text[40] = *x;
                text[41] = *y;
                let id = Id::parse(std::str::from_utf8(&text).unwrap()).unwrap();
                low.insert(hash.hash_one(id) & 0xffff);
            }
        }
        // 4096 random draws from 65536 values give ~3970 distinct.
        assert!(low.len() > 3850, "only {} distinct", low.len());
    }
}
