//! The axum-side peers and the axum no-session baseline, each as a router
//! with the same three routes:
//!
//! - `/seed` stores the whole [`Payload`] (run once, to get a cookie);
//! - `/rw` reads `counter`, writes `counter + 1`, answers the value read;
//! - `/untouched` never looks at the session.

use axum::{Router, extract::FromRef, http::HeaderValue, routing::get};
use axum_extra::extract::cookie::{Cookie, Key as ExtraKey, PrivateCookieJar};

use crate::{
    axum_harness::{AxumCase, assert_read_seeded, seeded_cookie_case},
    payload::Payload,
};

/// Answer of the `/untouched` route everywhere.
pub const UNTOUCHED: &str = "untouched";

async fn untouched() -> &'static str {
    UNTOUCHED
}

/// No session at all. The request still carries a cookie header of the
/// payload's size, so header handling is the same as in the session cases.
pub fn baseline(payload: &Payload) -> AxumCase {
    async fn rw() -> String {
        // Same response shape as the session handlers: the counter as text.
        std::hint::black_box(1u64).to_string()
    }
    let router = Router::new()
        .route("/rw", get(rw))
        .route("/untouched", get(untouched));
    let json = serde_json::to_string(payload).expect("payload json");
    let cookie = format!("session={}", json.replace(['"', ',', ';', '\\'], "_"));
    AxumCase::new(
        router,
        "/rw",
        Some(HeaderValue::from_str(&cookie).expect("cookie")),
    )
}

/// The floor any `Router::layer` pays: a tower layer that does nothing
/// (axum boxes and clones each layered route per request).
pub fn noop_layer(payload: &Payload) -> AxumCase {
    use std::task::{Context, Poll};

    #[derive(Clone)]
    struct Noop;
    #[derive(Clone)]
    struct NoopService<S>(S);
    impl<S> tower::Layer<S> for Noop {
        type Service = NoopService<S>;
        fn layer(&self, inner: S) -> NoopService<S> {
            NoopService(inner)
        }
    }
    impl<S: tower::Service<R>, R> tower::Service<R> for NoopService<S> {
        type Response = S::Response;
        type Error = S::Error;
        type Future = S::Future;
        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
            self.0.poll_ready(cx)
        }
        fn call(&mut self, req: R) -> S::Future {
            self.0.call(req)
        }
    }

    let base = baseline(payload);
    let router = Router::new()
        .route(
            "/rw",
            get(|| async { std::hint::black_box(1u64).to_string() }),
        )
        .route("/untouched", get(untouched))
        .layer(Noop);
    AxumCase::new(router, "/rw", base.cookie().cloned())
}

/// tower-sessions 0.15 with its `MemoryStore` (tower-sessions-memory-store).
pub mod tower_sessions_memory {
    use super::*;
    use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

    async fn rw(session: Session) -> String {
        let n: u64 = session.get("counter").await.expect("get").unwrap_or(0);
        session.insert("counter", n + 1).await.expect("insert");
        n.to_string()
    }

    /// Seeded case against `/rw`.
    pub async fn case(payload: &Payload) -> AxumCase {
        let p = payload.clone();
        let seed = move |session: Session| async move {
            session.insert("counter", p.counter).await.expect("insert");
            session.insert("cart", &p.cart).await.expect("insert");
            "seeded"
        };
        let router = Router::new()
            .route("/seed", get(seed))
            .route("/rw", get(rw))
            .route("/untouched", get(untouched))
            .layer(SessionManagerLayer::new(MemoryStore::default()).with_secure(false));
        let case = AxumCase::seeded(router, "/seed", "/rw").await;
        assert_read_seeded(&case.probe().await, "tower-sessions memory");
        // Same id, server-side state: the previous write must be visible.
        let n: u64 = case.probe().await.body.parse().expect("counter");
        assert!(n >= 2, "tower-sessions lost the write");
        case
    }
}

/// tower-sessions-cookie-store 0.5 (signed or private cookie).
pub mod tower_sessions_cookie {
    use super::*;
    use tower_sessions_cookie_store::{
        CookieController, CookieSessionConfig, CookieSessionManagerLayer, Key, Session,
    };

    async fn rw(session: Session) -> String {
        let n: u64 = session.get("counter").await.expect("get").unwrap_or(0);
        session.insert("counter", n + 1).await.expect("insert");
        n.to_string()
    }

    async fn build<C: CookieController + Clone + Send + Sync + 'static>(
        layer: CookieSessionManagerLayer<C>,
        payload: &Payload,
        what: &str,
    ) -> Option<AxumCase> {
        let p = payload.clone();
        let seed = move |session: Session| async move {
            session.insert("counter", p.counter).await.expect("insert");
            session.insert("cart", &p.cart).await.expect("insert");
            "seeded"
        };
        let config = CookieSessionConfig::default().with_secure(false);
        let router = Router::new()
            .route("/seed", get(seed))
            .route("/rw", get(rw))
            .route("/untouched", get(untouched))
            .layer(layer.with_config(config));
        // The store answers 500 for a session over `max_cookie_bytes` (4096).
        seeded_cookie_case(router, what).await
    }

    /// Signed cookie; `None` if the payload does not fit in 4096 bytes.
    pub async fn signed(payload: &Payload) -> Option<AxumCase> {
        build(
            CookieSessionManagerLayer::signed(Key::generate()),
            payload,
            "tsc signed",
        )
        .await
    }

    /// Private (encrypted) cookie; `None` if it does not fit in 4096 bytes.
    pub async fn private(payload: &Payload) -> Option<AxumCase> {
        build(
            CookieSessionManagerLayer::private(Key::generate()),
            payload,
            "tsc private",
        )
        .await
    }
}

/// axum-extra 0.12 `PrivateCookieJar` holding the typed state as one
/// serde_json cookie: decrypt + parse all of it to read, serialise +
/// encrypt all of it to write.
pub mod axum_extra_private {
    use super::*;

    #[derive(Clone)]
    struct AppState {
        key: ExtraKey,
    }

    impl FromRef<AppState> for ExtraKey {
        fn from_ref(state: &AppState) -> Self {
            state.key.clone()
        }
    }

    const NAME: &str = "state";

    fn store(jar: PrivateCookieJar, payload: &Payload) -> PrivateCookieJar {
        let json = serde_json::to_string(payload).expect("serialise");
        let mut cookie = Cookie::new(NAME, json);
        cookie.set_path("/");
        cookie.set_http_only(true);
        jar.add(cookie)
    }

    async fn rw(jar: PrivateCookieJar) -> (PrivateCookieJar, String) {
        let mut state: Payload = jar
            .get(NAME)
            .and_then(|c| serde_json::from_str(c.value()).ok())
            .unwrap_or(Payload {
                counter: 0,
                cart: Vec::new(),
            });
        let n = state.counter;
        state.counter += 1;
        (store(jar, &state), n.to_string())
    }

    /// Seeded case against `/rw`.
    pub async fn case(payload: &Payload) -> AxumCase {
        let p = payload.clone();
        let seed = move |jar: PrivateCookieJar| async move { (store(jar, &p), "seeded") };
        let router = Router::new()
            .route("/seed", get(seed))
            .route("/rw", get(rw))
            .route("/untouched", get(untouched))
            .with_state(AppState {
                key: ExtraKey::generate(),
            });
        let case = AxumCase::seeded(router, "/seed", "/rw").await;
        let probe = case.probe().await;
        assert_read_seeded(&probe, "axum-extra private jar");
        assert_eq!(
            probe.set_cookies.len(),
            1,
            "axum-extra: a write re-sends the cookie"
        );
        case
    }
}
