//! HTTP integration: a tower layer (feature `tower`) and an axum extractor
//! (feature `axum`).
//!
//! # How a request flows
//!
//! 1. [`SessionLayer`] puts a [`LazySession`] into the request extensions.
//!    Nothing is parsed or loaded yet.
//! 2. The first extractor (`Session<T>`, `Option<Session<T>>`, [`Handle`])
//!    loads it: the `Cookie` header is parsed (names compared as exact
//!    bytes, B3; values over 4096 bytes dropped unread, F6), and each cookie
//!    carrying our name is tried in header order, at most
//!    [`MAX_CANDIDATES`], the first that loads wins (B2). A bad, unknown or
//!    expired cookie gives an empty session, never an error (D1, A1).
//! 3. On the way out, only if the session was loaded: `Vary: Cookie` is
//!    added (K1); on a 5xx nothing is saved (G14); otherwise the backend
//!    commits (only if modified, or with `save_every_request`) and the layer
//!    sets the cookie with `Cache-Control: private` (K2), or deletes it with
//!    the same attributes (K4). A request that never touched the session
//!    gets its response untouched and costs no I/O (J1–J3).
//! 4. A backend failure (store unavailable) is never "no session": the
//!    response becomes a 503 by default (overridable with
//!    [`SessionLayer::with_error_handler`]) and no cookie is set or deleted
//!    (G2, G3).
//!
//! # Where to put the layer
//!
//! `Router::layer(SessionLayer::new(..))` is the usual place. axum then
//! wraps every route in it, boxed, and clones it per request: any layer
//! added that way costs about 15% of an empty axum request here
//! (`BENCHMARKS.md`). Wrapping the finished router instead,
//! `tower::Layer::layer(&SessionLayer::new(..), router)`, runs the layer
//! once per request before routing, with the same behaviour for handlers:
//! the cheapest place when most requests never touch the session.
//!
//! # Two traits, not one
//!
//! The layer talks to a [`Backend`]: "cookie value in, handle out; handle
//! in, cookie action out". A server-side [`Store`](crate::store::Store)
//! becomes a backend through [`Sessions`](crate::Sessions), whose cookie
//! carries the id and whose `load_or_new`/`commit_with` already implement
//! fixation defence, no resurrection and collision-safe create/cycle.
//! Cookie stores (in `session-backends`) implement [`Backend`] directly and
//! carry the whole record in the cookie. Keeping the id-keyed [`Store`]
//! contract free of cookies keeps every server store simple and lets the
//! conformance suite test it without HTTP.
//!
//! [`Store`]: crate::store::Store
//! [`Handle`]: crate::Handle
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use session_core::{Handle, Sessions, store::Store, web::SessionLayer};
//!
//! async fn visits(session: Handle) -> String {
//!     let mut s = session.lock();
//!     let n = s.get_raw("n").and_then(|r| r.get().parse::<u64>().ok()).unwrap_or(0) + 1;
//!     s.set_raw("n", serde_json::value::to_raw_value(&n).expect("a number serializes"));
//!     n.to_string()
//! }
//!
//! fn app<S: Store>(store: S) -> Router {
//!     Router::new()
//!         .route("/", get(visits))
//!         .layer(SessionLayer::new(Sessions::new(store)))
//! }
//! ```

mod backend;
mod cookie;
mod error;
mod events;
#[cfg(feature = "axum")]
mod extract;
mod layer;
mod slot;

pub use backend::{Backend, CookieAction, Cx, Loaded};
pub use cookie::{
    ConfigError, CookieConfig, HOST_PREFIX, MAX_ATTRIBUTE_LEN, MAX_CANDIDATES, MAX_COOKIE_LEN,
    SECURE_PREFIX, WARN_COOKIE_LEN,
};
pub use error::{Error, ErrorHandler};
pub use events::{Event, Events};
#[cfg(feature = "axum")]
pub use extract::SessionRejection;
pub use layer::{ResponseFuture, SameSite, SessionLayer, SessionService};
pub use slot::LazySession;
