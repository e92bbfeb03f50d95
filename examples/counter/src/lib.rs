//! The smallest app with a typed session kept in a signed cookie: no
//! server to install. `cargo run -p example-counter`, then open
//! <http://127.0.0.1:3000/> and reload.
//!
//! The `Counter` schema is written by hand here exactly as
//! `#[derive(Session)]` will generate it; it becomes one derive line once
//! the derive lands.

use std::ops::Deref;

use axum::{Router, routing::get, routing::post};
use session_backends::cookie::SignedCookieStore;
use session_core::key::Key;
use session_core::web::SessionLayer;
use session_core::{FieldSpec, Handle, Schema, SchemaSpec, Session};

/// The session: how many times this browser visited.
#[derive(Debug, Default)]
pub struct Counter {
    /// Visits so far.
    pub visits: u64,
}

static FIELDS: [FieldSpec; 1] = [FieldSpec::new("visits", "visits")];
static SPEC: SchemaSpec = SchemaSpec {
    name: "Counter",
    namespace: "",
    fields: &FIELDS,
    max_age: None,
    idle: None,
    absolute: None,
};

impl Schema for Counter {
    const SPEC: &'static SchemaSpec = &SPEC;
    type Accessor = CounterAccess;
}

/// What `Session<Counter>` dereferences to: one getter and setter per field.
#[derive(Debug, Clone)]
pub struct CounterAccess(Handle);

impl From<Handle> for CounterAccess {
    fn from(h: Handle) -> Self {
        CounterAccess(h)
    }
}

impl Deref for CounterAccess {
    type Target = Handle;
    fn deref(&self) -> &Handle {
        &self.0
    }
}

impl CounterAccess {
    /// Visits so far.
    pub fn visits(&self) -> session_core::session::Ref<'_, u64> {
        self.0.get(&FIELDS[0], u64::default)
    }
    /// Sets the visit count.
    pub fn set_visits(&self, v: u64) {
        self.0.set(&FIELDS[0], v);
    }
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
