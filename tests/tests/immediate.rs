//! Stores and backends that promise `IMMEDIATE` (every future ready on its
//! first poll) are run in place; one that breaks the promise must not lose
//! or corrupt anything.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::routing::get;
use serde_json::value::RawValue;
use session_backends::memory::MemoryStore;
use session_core::error::{SessionError, StoreError};
use session_core::id::Id;
use session_core::store::{Changes, Record, Store};
use session_core::web::{self, SessionLayer};
use session_core::{Outcome, Session, Sessions};
use session_tests::http::send_raw;
use session_tests::schemas::Shop;

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

/// A backend that promises `IMMEDIATE` but whose loads wait once before
/// answering (a custom backend's bug): loads must still work, through the
/// waiting path, and its honest commits still save.
#[derive(Clone)]
struct SlowLoads(Sessions<MemoryStore>);

impl web::Backend for SlowLoads {
    const IMMEDIATE: bool = true;
    const READS_LOADED_FROM: bool = false;

    fn config(&self) -> &std::sync::Arc<session_core::Config> {
        web::Backend::config(&self.0)
    }

    fn config_mut(&mut self) -> &mut session_core::Config {
        web::Backend::config_mut(&mut self.0)
    }

    async fn load(&self, value: &str, cx: &web::Cx<'_>) -> Result<Option<web::Loaded>, web::Error> {
        tokio::task::yield_now().await;
        web::Backend::load(&self.0, value, cx).await
    }

    async fn commit(
        &self,
        handle: &session_core::Handle,
        cx: &web::Cx<'_>,
    ) -> Result<web::CookieAction, web::Error> {
        web::Backend::commit(&self.0, handle, cx).await
    }
}

#[tokio::test]
async fn a_load_that_breaks_the_immediate_promise_still_loads() {
    async fn count(s: Session<Shop>) -> String {
        let n = s.user_id().map_or(0, |v| v + 1);
        s.set_user_id(Some(n));
        n.to_string()
    }
    let store = SlowLoads(Sessions::new(MemoryStore::new(10)));
    let router = Router::new()
        .route("/count", get(count))
        .layer(SessionLayer::new(store));
    let first = send_raw(&router, Method::GET, "/count", None).await;
    assert_eq!((first.status, first.body.as_str()), (StatusCode::OK, "0"));
    let line = first.cookie_line("id").expect("a session cookie");
    let pair = line.split(';').next().expect("name=value").to_owned();
    for want in ["1", "2"] {
        let r = send_raw(&router, Method::GET, "/count", Some(&pair)).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, want));
    }
}
