//! Stores that promise `IMMEDIATE` (every future ready on its first poll)
//! are run in place; one that breaks the promise must not lose or corrupt
//! anything. (The web layer's side, backends that break it on load or
//! commit, is in `session-core/tests/web_immediate.rs`.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::value::RawValue;
use session_backends::memory::MemoryStore;
use session_core::error::{SessionError, StoreError};
use session_core::id::Id;
use session_core::store::{Changes, Record, Store};
use session_core::{Outcome, Sessions};

/// The memory store, claiming `IMMEDIATE`, whose saves wait once before
/// running while `slow` is set.
struct SlowSaves {
    inner: MemoryStore,
    slow: Arc<AtomicBool>,
}

impl Store for SlowSaves {
    const IMMEDIATE: bool = true;

    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        self.inner.load(id).await
    }

    async fn create(&self, id: &Id, record: &Record) -> Result<(), StoreError> {
        self.inner.create(id, record).await
    }

    async fn save(&self, id: &Id, changes: &Changes) -> Result<(), StoreError> {
        if self.slow.load(Ordering::SeqCst) {
            tokio::task::yield_now().await;
        }
        self.inner.save(id, changes).await
    }

    async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.inner.delete(id).await
    }

    async fn clear_expired(&self) -> Result<u64, StoreError> {
        self.inner.clear_expired().await
    }
}

fn raw(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_owned()).expect("JSON")
}

#[tokio::test]
async fn a_save_that_breaks_the_immediate_promise_is_abandoned_and_kept_dirty() {
    let slow = Arc::new(AtomicBool::new(false));
    let sessions = Sessions::new(SlowSaves {
        inner: MemoryStore::new(10),
        slow: Arc::clone(&slow),
    });
    let handle = sessions.create();
    handle.lock().set_raw("n", raw("1"));
    let Outcome::Saved { id, .. } = sessions.commit(&handle).await.expect("created") else {
        panic!("a new session with a field is saved");
    };

    // The store breaks its promise: the save is reported, not lost silently.
    slow.store(true, Ordering::SeqCst);
    handle.lock().set_raw("n", raw("2"));
    let err = sessions.commit(&handle).await.expect_err("abandoned");
    assert!(
        matches!(err, SessionError::Store(StoreError::Unavailable(_))),
        "{err:?}"
    );
    assert!(handle.lock().is_modified(), "still dirty: a retry saves it");

    // Once it keeps its promise, the retry writes the change.
    slow.store(false, Ordering::SeqCst);
    sessions.commit(&handle).await.expect("saved");
    let loaded = sessions.load(&id).await.expect("loads").expect("live");
    assert_eq!(
        loaded.lock().get_raw("n").map(|r| r.get().to_owned()),
        Some("2".to_owned())
    );
}
