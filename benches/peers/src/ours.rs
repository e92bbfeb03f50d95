//! Our layer (`session_core::web::SessionLayer` + the `Session<T>`
//! extractor) over the memory store and both cookie stores, with the same
//! routes as the peers (`/seed`, `/rw`, `/untouched`).
//!
//! The schema is a `#[derive(Session)]` struct, as users write it.

use axum::{Router, routing::get};
use session_backends::{
    cookie::{EncryptedCookieStore, SignedCookieStore},
    memory::MemoryStore,
};
use session_core::{
    Config, Session, Sessions,
    envelope::{Codec, Compression},
    key::Key,
    web::{Backend, SessionLayer, SessionService},
};
use tower::Layer;

use crate::{
    axum_harness::{AxumCase, assert_read_seeded, seeded_cookie_case},
    axum_peers::UNTOUCHED,
    payload::{Item, Payload},
};

/// The typed session: the same two fields as [`Payload`].
#[derive(Session, Debug, Default)]
pub struct Bench {
    /// Read and written per request.
    counter: u64,
    /// Carried untouched.
    cart: Vec<Item>,
}

async fn rw(session: Session<Bench>) -> String {
    let n = *session.counter();
    session.set_counter(n + 1);
    n.to_string()
}

async fn untouched() -> &'static str {
    UNTOUCHED
}

fn router<B>(layer: SessionLayer<B>, payload: &Payload) -> Router
where
    B: Backend + Clone + Send + Sync + 'static,
{
    routes(payload).layer(layer)
}

/// The three routes, no layer.
fn routes(payload: &Payload) -> Router {
    let p = payload.clone();
    let seed = move |session: Session<Bench>| async move {
        session.set_counter(p.counter);
        session.set_cart(p.cart);
        "seeded"
    };
    Router::new()
        .route("/seed", get(seed))
        .route("/rw", get(rw))
        .route("/untouched", get(untouched))
}

fn key() -> Key {
    Key::from_secret(b"benchmark secret: 32 bytes or more, not for production").expect("key")
}

fn memory_layer() -> SessionLayer<Sessions<MemoryStore>> {
    SessionLayer::new(Sessions::new(MemoryStore::new(100_000)))
}

/// Our layer over the bounded in-memory store, added with `Router::layer`
/// (axum wraps each route in it).
pub async fn memory(payload: &Payload) -> AxumCase {
    let case = AxumCase::seeded(router(memory_layer(), payload), "/seed", "/rw").await;
    check_memory(case, "ours memory").await
}

/// The same layer wrapped around the whole finished router with
/// `tower::Layer::layer`, as axum documents for middleware that runs before
/// routing: one layer per request instead of one per route, and no boxing.
pub async fn memory_around_router(payload: &Payload) -> AxumCase<SessionService<Router>> {
    let service = memory_layer().layer(routes(payload).with_state(()));
    let case = AxumCase::try_seeded_around(service, "/seed", "/rw")
        .await
        .expect("seeding /seed failed");
    check_memory(case, "ours memory, layer around the router").await
}

/// The seeded session is read, and a write is kept for the next request.
async fn check_memory<S>(case: AxumCase<S>, what: &str) -> AxumCase<S>
where
    S: tower::Service<
            http::Request<axum::body::Body>,
            Response = http::Response<axum::body::Body>,
            Error = std::convert::Infallible,
        > + Clone,
{
    assert_read_seeded(&case.probe().await, what);
    let n: u64 = case.probe().await.body.parse().expect("counter");
    assert!(n >= 2, "{what} lost the write");
    case
}

async fn cookie<B>(layer: SessionLayer<B>, payload: &Payload, what: &str) -> Option<AxumCase>
where
    B: Backend + Clone + Send + Sync + 'static,
{
    // The cookie stores answer an error (no cookie) past 4096 bytes (F1).
    seeded_cookie_case(router(layer, payload), what).await
}

/// Our signed whole-session cookie; `None` past 4096 bytes.
pub async fn signed(payload: &Payload) -> Option<AxumCase> {
    cookie(
        SessionLayer::new(SignedCookieStore::new(key())),
        payload,
        "ours signed",
    )
    .await
}

/// Our signed cookie with compression turned off (`Compression::OFF`):
/// shows what deflate/inflate cost per request.
pub async fn signed_uncompressed(payload: &Payload) -> Option<AxumCase> {
    let codec = Codec::new(key()).with_compression(Compression::OFF);
    let store = SignedCookieStore::from_config(Config::new().with_codec(codec)).expect("keys");
    cookie(
        SessionLayer::new(store),
        payload,
        "ours signed, no compression",
    )
    .await
}

/// Our encrypted whole-session cookie; `None` past 4096 bytes.
pub async fn encrypted(payload: &Payload) -> Option<AxumCase> {
    cookie(
        SessionLayer::new(EncryptedCookieStore::new(key())),
        payload,
        "ours encrypted",
    )
    .await
}
