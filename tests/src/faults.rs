//! A real store with a switch and counters: the [`MemoryStore`] underneath
//! does the work; the wrapper counts calls (J1, J3) and, when switched
//! "down", fails every call with [`StoreError::Unavailable`] as a store
//! outage would (G2, G3).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use session_backends::memory::MemoryStore;
use session_core::error::StoreError;
use session_core::id::Id;
use session_core::store::{Changes, Record, Store};

/// Call counters and the outage switch, shared with the test.
#[derive(Debug, Default)]
pub struct Probe {
    /// Loads.
    pub loads: AtomicUsize,
    /// Creates, saves and deletes.
    pub writes: AtomicUsize,
    /// When true, every call fails as unavailable.
    pub down: AtomicBool,
}

impl Probe {
    /// Loads so far.
    pub fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }
    /// Writes so far.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
    /// Switches the outage on or off.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

/// A [`MemoryStore`] behind a [`Probe`].
#[derive(Debug)]
pub struct ProbedStore {
    inner: MemoryStore,
    probe: Arc<Probe>,
}

impl ProbedStore {
    /// Wraps `inner`; returns the store and its probe.
    pub fn new(inner: MemoryStore) -> (Self, Arc<Probe>) {
        let probe = Arc::new(Probe::default());
        (
            ProbedStore {
                inner,
                probe: Arc::clone(&probe),
            },
            probe,
        )
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.probe.down.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable(
                "connection refused (test outage)".into(),
            ))
        } else {
            Ok(())
        }
    }
}

impl Store for ProbedStore {
    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        self.probe.loads.fetch_add(1, Ordering::SeqCst);
        self.check()?;
        self.inner.load(id).await
    }
    async fn create(&self, id: &Id, record: &Record) -> Result<(), StoreError> {
        self.probe.writes.fetch_add(1, Ordering::SeqCst);
        self.check()?;
        self.inner.create(id, record).await
    }
    async fn save(&self, id: &Id, changes: &Changes) -> Result<(), StoreError> {
        self.probe.writes.fetch_add(1, Ordering::SeqCst);
        self.check()?;
        self.inner.save(id, changes).await
    }
    async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.probe.writes.fetch_add(1, Ordering::SeqCst);
        self.check()?;
        self.inner.delete(id).await
    }
    async fn clear_expired(&self) -> Result<u64, StoreError> {
        self.check()?;
        self.inner.clear_expired().await
    }
}
