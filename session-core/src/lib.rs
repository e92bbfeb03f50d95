#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod base64url;
pub mod clock;
pub mod config;
pub mod envelope;
pub mod error;
pub mod expiry;
pub mod id;
pub mod key;
pub mod schema;
pub mod session;
pub mod sessions;
pub mod state;
pub mod store;
#[cfg(feature = "tower")]
pub mod web;
mod wire;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use config::Config;
pub use expiry::Expiry;
pub use schema::{FieldSpec, Schema, SchemaSpec};
pub use session::{Handle, Session};
/// `#[derive(Session)]`: see [`schema`] for an example and the attributes.
///
/// The derive and the [`Session`](struct@Session) handle type share a name
/// (macros and types live in separate namespaces), as serde's `Serialize`
/// does.
pub use session_derive::Session;
pub use sessions::{Outcome, Sessions};
