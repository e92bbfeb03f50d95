//! The layer's in-place path for backends that promise `IMMEDIATE` (no
//! boxed futures), what happens when that promise is broken, and
//! `READS_LOADED_FROM`. SECURITY.md ids are cited.
#![cfg(feature = "axum")]

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode, header};
use session_core::error::StoreError;
use session_core::id::Id;
use session_core::store::{Changes, Record, Store};
use session_core::web::{Backend, CookieAction, Cx, Error, Loaded, SessionLayer};
use session_core::{Config, Handle, Sessions};
use tower_service::Service;

/// A map store whose futures never wait, and say so.
#[derive(Default)]
struct MapStore(Mutex<HashMap<Id, Record>>);

impl Store for MapStore {
    const IMMEDIATE: bool = true;

    async fn load(&self, id: &Id) -> Result<Option<Record>, StoreError> {
        Ok(self.0.lock().unwrap().get(id).cloned())
    }
    async fn create(&self, id: &Id, record: &Record) -> Result<(), StoreError> {
        self.0.lock().unwrap().insert(*id, record.clone());
        Ok(())
    }
    async fn save(&self, id: &Id, changes: &Changes) -> Result<(), StoreError> {
        match self.0.lock().unwrap().get_mut(id) {
            Some(r) => {
                changes.apply(r);
                Ok(())
            }
            None => Err(StoreError::Deleted),
        }
    }
    async fn delete(&self, id: &Id) -> Result<(), StoreError> {
        self.0.lock().unwrap().remove(id);
        Ok(())
    }
    async fn clear_expired(&self) -> Result<u64, StoreError> {
        Ok(0)
    }
}

/// Ready on its second poll (it wakes its task first), as a future that
/// waits for I/O would be.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// `Sessions<MapStore>` with its promises set by the test, able to break
/// `IMMEDIATE` once per load or commit, and recording what commit is told
/// about the incoming cookie.
#[derive(Clone)]
struct Probe<const IMMEDIATE: bool, const KEEP: bool> {
    inner: Sessions<MapStore>,
    stall_load: Arc<AtomicBool>,
    stall_commit: Arc<AtomicBool>,
    loaded_from: Arc<Mutex<Vec<Option<String>>>>,
}

impl<const IMMEDIATE: bool, const KEEP: bool> Probe<IMMEDIATE, KEEP> {
    fn new() -> Self {
        Probe {
            inner: Sessions::new(MapStore::default()),
            stall_load: Arc::default(),
            stall_commit: Arc::default(),
            loaded_from: Arc::default(),
        }
    }
}

impl<const IMMEDIATE: bool, const KEEP: bool> Backend for Probe<IMMEDIATE, KEEP> {
    const IMMEDIATE: bool = IMMEDIATE;
    const READS_LOADED_FROM: bool = KEEP;

    fn config(&self) -> &Arc<Config> {
        Backend::config(&self.inner)
    }
    fn config_mut(&mut self) -> &mut Config {
        Backend::config_mut(&mut self.inner)
    }
    async fn load(&self, value: &str, cx: &Cx<'_>) -> Result<Option<Loaded>, Error> {
        if self.stall_load.swap(false, Ordering::SeqCst) {
            YieldOnce(false).await;
        }
        Backend::load(&self.inner, value, cx).await
    }
    async fn commit(&self, handle: &Handle, cx: &Cx<'_>) -> Result<CookieAction, Error> {
        let from = cx.loaded_from.map(str::to_owned);
        self.loaded_from.lock().unwrap().push(from);
        if self.stall_commit.swap(false, Ordering::SeqCst) {
            YieldOnce(false).await;
        }
        Backend::commit(&self.inner, handle, cx).await
    }
}

async fn bump(h: Handle) -> String {
    let mut s = h.lock();
    let n = s
        .get_raw("n")
        .and_then(|r| r.get().parse::<u64>().ok())
        .unwrap_or(0);
    s.set_raw("n", serde_json::value::to_raw_value(&(n + 1)).unwrap());
    n.to_string()
}

fn app<B: Backend + Clone>(backend: B) -> Router {
    with_layer(SessionLayer::new(backend))
}

fn with_layer<B: Backend + Clone>(layer: SessionLayer<B>) -> Router {
    Router::new()
        .route("/bump", get(bump))
        .route("/untouched", get(|| async { "u" }))
        .layer(layer.with_secure(false))
        .with_state(())
}

/// Status, body, and the `name=value` of the Set-Cookie if any.
async fn send(app: &mut Router, cookie: Option<&str>) -> (StatusCode, String, Option<String>) {
    send_to(app, "/bump", cookie).await
}

async fn send_to(
    app: &mut Router,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, String, Option<String>) {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let resp = app.call(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let set = resp.headers().get(header::SET_COOKIE).map(|v| {
        let text = v.to_str().unwrap();
        text.split(';').next().unwrap().to_owned()
    });
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap(), set)
}

// A store's promise reaches its sessions; an id cookie is never re-read.
const _: () = assert!(<Sessions<MapStore> as Backend>::IMMEDIATE);
const _: () = assert!(!<Sessions<MapStore> as Backend>::READS_LOADED_FROM);

#[tokio::test]
async fn immediate_backend_round_trip_sets_the_id_cookie() {
    let mut app = app(Sessions::new(MapStore::default()));
    let (status, body, set) = send(&mut app, None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "0"));
    let cookie = set.expect("a new session sets its cookie");
    let id = cookie.strip_prefix("id=").expect("named id");
    assert!(Id::parse(id).is_ok(), "the cookie value is the id's text");
    for n in 1..4 {
        let (status, body, set) = send(&mut app, Some(&cookie)).await;
        assert_eq!((status, body), (StatusCode::OK, n.to_string()));
        assert_eq!(set.as_deref(), Some(cookie.as_str()), "same id, renewed");
    }
}

#[tokio::test]
async fn a_load_that_breaks_the_promise_is_run_again_and_waited_for() {
    let backend = Probe::<true, false>::new();
    let mut app = app(backend.clone());
    let (_, _, set) = send(&mut app, None).await;
    let cookie = set.expect("cookie");
    backend.stall_load.store(true, Ordering::SeqCst);
    let (status, body, _) = send(&mut app, Some(&cookie)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "1"),
        "D1: not lost"
    );
    assert!(
        !backend.stall_load.load(Ordering::SeqCst),
        "the stalled load ran"
    );
}

#[tokio::test]
async fn a_commit_that_breaks_the_promise_fails_without_a_cookie_g3() {
    let backend = Probe::<true, false>::new();
    let mut app = app(backend.clone());
    let (_, _, set) = send(&mut app, None).await;
    let cookie = set.expect("cookie");
    backend.stall_commit.store(true, Ordering::SeqCst);
    let (status, _, set) = send(&mut app, Some(&cookie)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(set, None, "G3: no cookie on a failed commit");
    // The abandoned commit wrote nothing: the next request reads 1.
    let (status, body, _) = send(&mut app, Some(&cookie)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "1"));
}

#[tokio::test]
async fn a_waiting_backend_is_waited_for() {
    let backend = Probe::<false, true>::new();
    backend.stall_commit.store(true, Ordering::SeqCst);
    let mut app = app(backend.clone());
    let (status, _, set) = send(&mut app, None).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = set.expect("cookie");
    backend.stall_load.store(true, Ordering::SeqCst);
    backend.stall_commit.store(true, Ordering::SeqCst);
    let (status, body, set) = send(&mut app, Some(&cookie)).await;
    assert_eq!(
        (status, body.as_str(), set),
        (StatusCode::OK, "1", Some(cookie))
    );
}

#[tokio::test]
async fn loaded_from_is_kept_only_for_backends_that_read_it() {
    let keeps = Probe::<true, true>::new();
    let drops = Probe::<true, false>::new();
    let mut a = app(keeps.clone());
    let mut b = app(drops.clone());
    for (app, probe, kept) in [
        (&mut a, &keeps.loaded_from, true),
        (&mut b, &drops.loaded_from, false),
    ] {
        let (_, _, set) = send(app, None).await;
        let cookie = set.expect("cookie");
        send(app, Some(&cookie)).await;
        let seen = probe.lock().unwrap().clone();
        let value = cookie.strip_prefix("id=").unwrap().to_owned();
        let expected = if kept {
            vec![None, Some(value)]
        } else {
            vec![None, None]
        };
        assert_eq!(seen, expected);
    }
}

#[tokio::test]
async fn save_every_request_renews_in_place_only_with_a_cookie_j2() {
    let backend = Probe::<true, false>::new();
    let mut app = with_layer(SessionLayer::new(backend.clone()).with_save_every_request(true));
    let (_, _, set) = send(&mut app, None).await;
    let cookie = set.expect("cookie");
    let (status, body, set) = send_to(&mut app, "/untouched", Some(&cookie)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "u"));
    assert_eq!(set, Some(cookie), "renewed though untouched");
    let (_, _, set) = send_to(&mut app, "/untouched", None).await;
    assert_eq!(set, None, "J2: no cookie, nothing created");
    assert_eq!(backend.loaded_from.lock().unwrap().len(), 2, "two commits");
}

/// A backend whose commit sets `value` as ASCII bytes
/// (`CookieAction::SetAscii`, or `SetAsciiAt` as `at` says), in place or
/// not as `is_immediate` says.
#[derive(Clone)]
struct Ascii {
    inner: Sessions<MapStore>,
    value: &'static [u8],
    immediate: bool,
    at: At,
}

/// Where an [`Ascii`] backend puts its value in the buffer it returns.
#[derive(Clone, Copy, Debug)]
enum At {
    /// `SetAscii`: at the start.
    Start,
    /// `SetAsciiAt`, after room for `name=` and with room for the rest.
    Prefix,
    /// `SetAsciiAt` with an offset past the buffer's end.
    PastEnd,
}

impl Backend for Ascii {
    fn is_immediate(&self) -> bool {
        self.immediate
    }
    fn config(&self) -> &Arc<Config> {
        Backend::config(&self.inner)
    }
    fn config_mut(&mut self) -> &mut Config {
        Backend::config_mut(&mut self.inner)
    }
    async fn load(&self, _value: &str, _cx: &Cx<'_>) -> Result<Option<Loaded>, Error> {
        Ok(None)
    }
    async fn commit(&self, _handle: &Handle, cx: &Cx<'_>) -> Result<CookieAction, Error> {
        let (buf, at) = match self.at {
            At::Start => {
                return Ok(CookieAction::SetAscii {
                    value: self.value.to_vec(),
                    max_age: None,
                });
            }
            At::Prefix => {
                let at = cx.set_cookie_prefix();
                let mut buf = vec![b'?'; at];
                buf.reserve_exact(self.value.len() + cx.set_cookie_room(None) - at);
                buf.extend_from_slice(self.value);
                (buf, at)
            }
            At::PastEnd => (self.value.to_vec(), self.value.len() + 1),
        };
        Ok(CookieAction::SetAsciiAt {
            buf,
            at,
            max_age: None,
        })
    }
}

/// ASCII values are set as given, in place or boxed; a byte a header
/// cannot carry sends no cookie at all (B4).
#[tokio::test]
async fn ascii_values_are_set_as_given_and_bad_bytes_refused_b4() {
    for immediate in [true, false] {
        for at in [At::Start, At::Prefix] {
            let ascii = |value| Ascii {
                inner: Sessions::new(MapStore::default()),
                value,
                immediate,
                at,
            };
            let mut good = app(ascii(b"tok.en-_1"));
            let (status, _, set) = send(&mut good, None).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                set.as_deref(),
                Some("id=tok.en-_1"),
                "immediate {immediate}, {at:?}"
            );
            let mut bad = app(ascii(b"tok\nen"));
            let (_, _, set) = send(&mut bad, None).await;
            assert_eq!(set, None, "immediate {immediate}, {at:?}");
        }
        // An offset past the value's buffer sets no cookie (and does not
        // panic).
        let mut past = app(Ascii {
            inner: Sessions::new(MapStore::default()),
            value: b"tok",
            immediate,
            at: At::PastEnd,
        });
        let (status, _, set) = send(&mut past, None).await;
        assert_eq!((status, set), (StatusCode::OK, None));
    }
}
