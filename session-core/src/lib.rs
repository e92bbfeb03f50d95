#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

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

pub use config::Config;
pub use expiry::Expiry;
pub use schema::{FieldSpec, Schema, SchemaSpec};
pub use session::{Handle, Session};
pub use sessions::{Outcome, Sessions};
