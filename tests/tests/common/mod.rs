//! Helpers shared by the cross-crate suites (not every suite uses all).
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use session_backends::memory::MemoryStore;
use session_core::clock::{FakeClock, Timestamp};
use session_core::error::StoreError;
use session_core::expiry::Policy;
use session_core::id::Id;
use session_core::store::{Changes, Record, Store};
use session_core::{Config, FieldSpec, Outcome, Sessions};

/// Where every fake clock starts.
pub const T0: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);
/// One day.
pub const DAY: Duration = Duration::from_secs(24 * 3600);
/// One minute.
pub const MIN: Duration = Duration::from_secs(60);

/// A plain field: `Vec<u32>`.
pub static CART: FieldSpec = FieldSpec {
    name: "cart",
    key: "cart",
    private: false,
    max_age: None,
    index: false,
    client: false,
};

/// A plain field: `String`.
pub static USER: FieldSpec = FieldSpec {
    name: "user",
    key: "user",
    private: false,
    max_age: None,
    index: false,
    client: false,
};

/// A private field (sealed at rest): `String`.
pub static CARD: FieldSpec = FieldSpec {
    name: "card",
    key: "card",
    private: true,
    max_age: None,
    index: false,
    client: false,
};

/// Another private field, to move sealed values into.
pub static CARD2: FieldSpec = FieldSpec {
    name: "card2",
    key: "card2",
    private: true,
    max_age: None,
    index: false,
    client: false,
};

/// A field that expires on its own a minute after it was written.
pub static OTP: FieldSpec = FieldSpec {
    name: "otp",
    key: "otp",
    private: false,
    max_age: Some(MIN),
    index: false,
    client: false,
};

/// A fake clock and a config using it with `policy`.
pub fn config(policy: Policy) -> (Config, FakeClock) {
    let clock = FakeClock::new(T0);
    let config = Config::new()
        .with_clock(Arc::new(clock.clone()))
        .with_policy(policy);
    (config, clock)
}

/// Sessions over a memory store, both on one fake clock.
pub fn sessions(policy: Policy) -> (Sessions<MemoryStore>, FakeClock) {
    let (config, clock) = config(policy);
    let store = MemoryStore::new(1000).with_clock(Arc::new(clock.clone()));
    (Sessions::with_config(store, config), clock)
}

/// The id and Max-Age of a `Saved` outcome; panics otherwise.
#[track_caller]
pub fn saved(outcome: Outcome) -> (Id, bool, Option<Duration>) {
    match outcome {
        Outcome::Saved {
            id,
            new_id,
            max_age,
        } => (id, new_id, max_age),
        other => panic!("expected Saved, got {other:?}"),
    }
}

/// A new session with `user` set, committed; returns its id.
pub async fn new_session<S: Store>(s: &Sessions<S>, user: &str) -> Id {
    let h = s.create();
    h.set(&USER, user.to_owned());
    saved(s.commit(&h).await.expect("commit")).0
}

/// A store shared by several `Sessions` (each wraps its store in its own
/// `Arc`), to force id collisions between them.
#[derive(Debug, Clone)]
pub struct Shared(pub Arc<MemoryStore>);

impl Store for Shared {
    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        self.0.load(id).await
    }
    async fn create(&self, id: &Id, record: &Record) -> Result<(), StoreError> {
        self.0.create(id, record).await
    }
    async fn save(&self, id: &Id, changes: &Changes) -> Result<(), StoreError> {
        self.0.save(id, changes).await
    }
    async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.0.delete(id).await
    }
    async fn clear_expired(&self) -> Result<u64, StoreError> {
        self.0.clear_expired().await
    }
}

/// A memory store that counts every call, to prove what was not called.
#[derive(Debug)]
pub struct Counting {
    pub inner: MemoryStore,
    pub loads: AtomicUsize,
    pub writes: AtomicUsize,
}

impl Counting {
    pub fn new(inner: MemoryStore) -> Self {
        Counting {
            inner,
            loads: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
        }
    }
    pub fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
    fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
    }
}

impl Store for Counting {
    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(id).await
    }
    async fn create(&self, id: &Id, record: &Record) -> Result<(), StoreError> {
        self.wrote();
        self.inner.create(id, record).await
    }
    async fn save(&self, id: &Id, changes: &Changes) -> Result<(), StoreError> {
        self.wrote();
        self.inner.save(id, changes).await
    }
    async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.wrote();
        self.inner.delete(id).await
    }
    async fn clear_expired(&self) -> Result<u64, StoreError> {
        self.wrote();
        self.inner.clear_expired().await
    }
}
