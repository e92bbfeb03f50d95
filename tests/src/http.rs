//! The HTTP harness: one small shop app, built over each backend (memory
//! store, signed cookie, encrypted cookie), driven through
//! `Router::oneshot` by a client that keeps the session cookie.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use session_backends::cookie::{EncryptedCookieStore, Revocations, SignedCookieStore};
use session_backends::memory::MemoryStore;
use session_core::clock::FakeClock;
use session_core::config::Config;
use session_core::expiry::Expiry;
use session_core::key::{Key, KeyRing};
use session_core::web::{Backend, Event, SessionLayer};
use session_core::{Handle, Session, Sessions, auth};
use std::sync::Mutex;
use tower::ServiceExt;

use crate::conformance::START;
use crate::faults::{Probe, ProbedStore};
use crate::schemas::Shop;

/// Which backend the app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The memory store through `Sessions` (the cookie carries the id).
    Memory,
    /// The whole session in a signed cookie.
    Signed,
    /// The whole session in an encrypted cookie.
    Encrypted,
}

/// Layer and backend options for one test.
#[derive(Clone, Default)]
pub struct Opts {
    /// Cookie name (default `id`).
    pub name: Option<&'static str>,
    /// `with_save_every_request`.
    pub save_every_request: bool,
    /// Keys (default: one fresh key).
    pub keys: Option<KeyRing>,
    /// Cookie stores: a revocation list (D8).
    pub revocations: bool,
    /// `with_expire_at_browser_close`.
    pub browser_close: bool,
    /// `with_default_age`.
    pub default_age: Option<Duration>,
    /// A custom error handler answering 418 with the error's text.
    pub teapot_errors: bool,
    /// `with_secure(false)`, for plain-http real-socket tests.
    pub insecure: bool,
    /// Encrypted cookie store: opt in to compression.
    pub compress_sealed: bool,
}

/// An app, its clock, and what it reports.
pub struct Harness {
    /// The app.
    pub router: Router,
    /// The clock every part of the app reads.
    pub clock: FakeClock,
    /// Store calls and outage switch (memory store only).
    pub probe: Option<Arc<Probe>>,
    /// Lifecycle events, in order.
    pub events: Arc<Mutex<Vec<Event>>>,
}

impl Harness {
    /// The app over `kind` with default options.
    pub fn new(kind: Kind) -> Self {
        Harness::with(kind, Opts::default())
    }

    /// The app over `kind` with `opts`.
    pub fn with(kind: Kind, opts: Opts) -> Self {
        let clock = FakeClock::new(START);
        let keys = opts.keys.clone().unwrap_or_else(|| Key::generate().into());
        let config = Config::new()
            .with_clock(Arc::new(clock.clone()))
            .with_keys(keys);
        let events = Arc::new(Mutex::new(Vec::new()));
        let mut probe = None;
        let revocations =
            || Revocations::new(MemoryStore::new(1000).with_clock(Arc::new(clock.clone())));
        let router = match kind {
            Kind::Memory => {
                let store = MemoryStore::new(10_000).with_clock(Arc::new(clock.clone()));
                let (store, p) = ProbedStore::new(store);
                probe = Some(p);
                routes().layer(configure(
                    Sessions::with_config(store, config),
                    &opts,
                    &events,
                ))
            }
            Kind::Signed => {
                let mut b = SignedCookieStore::from_config(config).expect("keys");
                if opts.revocations {
                    b = b.with_revocations(revocations());
                }
                routes().layer(configure(b, &opts, &events))
            }
            Kind::Encrypted => {
                let mut b = EncryptedCookieStore::from_config(config)
                    .expect("keys")
                    .with_compression(opts.compress_sealed);
                if opts.revocations {
                    b = b.with_revocations(revocations());
                }
                routes().layer(configure(b, &opts, &events))
            }
        };
        Harness {
            router,
            clock,
            probe,
            events,
        }
    }

    /// A client of this app with an empty cookie jar.
    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            name: "id".to_owned(),
            jar: None,
        }
    }

    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        self.events.lock().expect("events lock").clone()
    }
}

fn configure<B: Backend + Clone>(
    backend: B,
    opts: &Opts,
    events: &Arc<Mutex<Vec<Event>>>,
) -> SessionLayer<B> {
    let sink = Arc::clone(events);
    let mut layer = SessionLayer::new(backend)
        .with_save_every_request(opts.save_every_request)
        .with_expire_at_browser_close(opts.browser_close)
        .with_events(move |e| sink.lock().expect("events lock").push(e.clone()));
    if let Some(name) = opts.name {
        layer = layer.with_name(name);
    }
    if let Some(age) = opts.default_age {
        layer = layer.with_default_age(age);
    }
    if opts.insecure {
        layer = layer.with_secure(false);
    }
    if opts.teapot_errors {
        layer = layer.with_error_handler(|e| {
            let mut r = axum::http::Response::new(format!("mapped: {e}"));
            *r.status_mut() = StatusCode::IM_A_TEAPOT;
            r
        });
    }
    layer
}

/// The shop's routes (without the layer).
pub fn routes() -> Router {
    Router::new()
        .route("/untouched", get(|| async { "ok" }))
        .route("/read", get(read))
        .route("/maybe", get(maybe))
        .route("/add/{item}", post(add))
        .route("/login/{user}", post(login))
        .route("/logout", post(logout))
        .route("/cycle", post(cycle))
        .route("/clear", post(clear))
        .route("/whoami", get(whoami))
        .route("/fail/{code}", post(fail))
        .route("/big/{n}", post(big))
        .route("/private/{v}", post(set_private))
        .route("/private", get(get_private))
        .route("/expiry/{secs}", post(expiry))
        .route("/add-public/{item}", post(add_public))
}

async fn add_public(
    s: Session<Shop>,
    Path(item): Path<String>,
) -> impl axum::response::IntoResponse {
    s.cart_mut().push(item);
    ([(header::CACHE_CONTROL, "public, max-age=60")], "added")
}

async fn read(s: Session<Shop>) -> String {
    s.cart().join(",")
}

async fn maybe(s: Option<Session<Shop>>) -> &'static str {
    if s.is_some() { "some" } else { "none" }
}

async fn add(s: Session<Shop>, Path(item): Path<String>) -> String {
    s.cart_mut().push(item);
    s.cart().join(",")
}

async fn login(h: Handle, Path(user): Path<u64>) -> String {
    let how = auth::login(&h, &user.to_string());
    h.typed::<Shop>().set_user_id(Some(user));
    format!("{how:?}")
}

async fn logout(h: Handle) -> &'static str {
    auth::logout(&h);
    "bye"
}

async fn cycle(h: Handle) -> &'static str {
    h.cycle_key();
    "cycled"
}

async fn clear(h: Handle) -> &'static str {
    h.clear();
    "cleared"
}

async fn whoami(s: Session<Shop>) -> String {
    format!("{:?}", *s.user_id())
}

async fn fail(s: Session<Shop>, Path(code): Path<u16>) -> StatusCode {
    s.cart_mut().push("lost".to_owned());
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Adds `n` bytes of incompressible text to the cart.
async fn big(s: Session<Shop>, Path(n): Path<usize>) -> &'static str {
    let mut text = String::new();
    while text.len() < n {
        text.push_str(&session_core::id::Id::generate().to_string());
    }
    text.truncate(n);
    s.cart_mut().push(text);
    "big"
}

async fn set_private(s: Session<Shop>, Path(v): Path<String>) -> &'static str {
    s.set_payment_token(Some(v));
    "set"
}

async fn get_private(s: Session<Shop>) -> String {
    s.payment_token().clone().unwrap_or_default()
}

async fn expiry(h: Handle, Path(secs): Path<u64>) -> &'static str {
    h.set_expiry(if secs == 0 {
        Expiry::BrowserSession
    } else {
        Expiry::Idle(Duration::from_secs(secs))
    });
    "expiry set"
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub body: String,
}

impl Resp {
    /// Every `Set-Cookie` line.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ASCII Set-Cookie").to_owned())
            .collect()
    }

    /// The `Set-Cookie` line for cookie `name`, if any.
    pub fn cookie_line(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&prefix))
    }

    /// The value our `id` cookie is set to (`Some("")` for a deletion).
    pub fn cookie_value(&self) -> Option<String> {
        let line = self.cookie_line("id")?;
        let pair = line.split(';').next().expect("a name=value pair");
        Some(pair["id=".len()..].to_owned())
    }

    /// Whether `Vary` lists `Cookie`.
    pub fn varies_on_cookie(&self) -> bool {
        self.headers.get_all(header::VARY).iter().any(|v| {
            v.to_str()
                .is_ok_and(|s| s.to_ascii_lowercase().contains("cookie"))
        })
    }

    /// The `Cache-Control` header, if any.
    pub fn cache_control(&self) -> Option<String> {
        self.headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().expect("ASCII").to_owned())
    }
}

/// A client keeping one session cookie, like a browser would.
pub struct Client {
    router: Router,
    name: String,
    /// The session cookie value the client holds.
    pub jar: Option<String>,
}

impl Client {
    /// Uses cookie `name` instead of `id`.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// Sends a request with the jar's cookie and updates the jar.
    pub async fn send(&mut self, method: Method, path: &str) -> Resp {
        let cookie = self.jar.as_ref().map(|v| format!("{}={v}", self.name));
        let resp = send_raw(&self.router, method, path, cookie.as_deref()).await;
        if let Some(line) = resp.cookie_line(&self.name) {
            let pair = line.split(';').next().expect("a name=value pair");
            let value = &pair[self.name.len() + 1..];
            self.jar = if value.is_empty() || line.contains("Max-Age=0") {
                None
            } else {
                Some(value.to_owned())
            };
        }
        resp
    }

    /// GET with the jar.
    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Method::GET, path).await
    }

    /// POST with the jar.
    pub async fn post(&mut self, path: &str) -> Resp {
        self.send(Method::POST, path).await
    }
}

/// Sends one request with an explicit `Cookie` header (or none).
pub async fn send_raw(router: &Router, method: Method, path: &str, cookie: Option<&str>) -> Resp {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let req = req.body(Body::empty()).expect("a valid request");
    let resp = router
        .clone()
        .oneshot(req)
        .await
        .expect("infallible router");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .expect("a readable body")
        .to_bytes();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}
