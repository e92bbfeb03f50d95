//! The smallest app with a typed session kept in a signed cookie: no
//! server to install. `cargo run -p example-counter`, then open
//! <http://localhost:3000/> and reload.

use axum::{Router, routing::get, routing::post};
use session_backends::cookie::SignedCookieStore;
use session_core::Session;
use session_core::key::Key;
use session_core::web::SessionLayer;

/// The session: how many times this browser visited. Each field is stored
/// on its own; `Session<Counter>` gets `visits()`, `set_visits()`,
/// `visits_mut()`, `take_visits()` and `reset_visits()`.
#[derive(Session, Default)]
pub struct Counter {
    visits: u64,
}

async fn visit(counter: Session<Counter>) -> String {
    let n = *counter.visits() + 1;
    counter.set_visits(n);
    format!("visits: {n}\n")
}

async fn reset(counter: Session<Counter>) -> &'static str {
    counter.flush();
    "reset\n"
}

/// The app: `GET /` counts visits, `POST /reset` forgets them. `layer` lets
/// tests (and deployments behind plain http) adjust the cookie settings.
pub fn app(
    key: Key,
    layer: impl FnOnce(SessionLayer<SignedCookieStore>) -> SessionLayer<SignedCookieStore>,
) -> Router {
    Router::new()
        .route("/", get(visit))
        .route("/reset", post(reset))
        .layer(layer(SessionLayer::new(SignedCookieStore::new(key))))
}

/// The signing key: from `SESSION_SECRET` (32 bytes or more), or a fresh
/// random one with a loud warning (sessions then end at every restart).
///
/// # Errors
///
/// A `SESSION_SECRET` that is too short or a known weak value.
pub fn key_from_env() -> Result<Key, session_core::error::KeyError> {
    match std::env::var("SESSION_SECRET") {
        Ok(secret) => Key::from_secret(secret.as_bytes()),
        Err(_) => {
            tracing::warn!(
                "SESSION_SECRET is not set: using a random key; every restart logs everyone out"
            );
            eprintln!(
                "WARNING: SESSION_SECRET is not set; using a random key (sessions end when the server restarts).\n\
                 Set one with: export SESSION_SECRET=\"$(openssl rand -base64 48)\""
            );
            Ok(Key::generate())
        }
    }
}
