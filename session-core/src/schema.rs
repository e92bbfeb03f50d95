//! The schema trait that `#[derive(Session)]` implements, and the static
//! description of each field it generates.
//!
//! A schema is a plain struct whose fields are stored **one by one**: each
//! field is its own JSON value, tracked, expired and (if private) sealed on
//! its own. The derive writes a [`SchemaSpec`] listing every field's
//! [`FieldSpec`], and an accessor type with a getter, setter, `_mut` guard,
//! `take_` and `reset_` per field.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use session_core::{Config, Handle, Session, key::Key};
//!
//! fn default_lang() -> String {
//!     "en".to_owned()
//! }
//!
//! /// What the shop keeps per visitor.
//! #[derive(Session)]
//! #[session(max_age = "14d", idle = "30m", namespace = "shop")]
//! pub struct Shop {
//!     user_id: Option<u64>,
//!     cart: Vec<String>,
//!     #[session(private)]              // sealed with AES-256-GCM before storage
//!     payment_token: Option<String>,
//!     #[session(max_age = "5m")]       // this field alone expires
//!     flash: Option<String>,
//!     #[session(rename = "lang", default = "default_lang")]
//!     language: String,
//! }
//!
//! let config = Arc::new(Config::new().with_keys(Key::generate()));
//! let shop: Session<Shop> = Handle::empty(config).typed();
//! assert_eq!(*shop.language(), "en");          // missing: the default
//! shop.cart_mut().push("book".to_owned());     // marks `cart` changed
//! shop.set_flash(Some("Added to cart".to_owned()));
//! assert_eq!(shop.take_flash().as_deref(), Some("Added to cart"));
//! assert_eq!(shop.cart().len(), 1);
//! shop.cycle_key();                            // session-wide, via `Handle`
//! assert!(shop.is_modified());
//! ```
//!
//! Every field type must be `Serialize + DeserializeOwned` ([`Value`]) and
//! have a default (`Default`, or `#[session(default = "path")]`). Struct
//! attributes: `max_age`, `idle`, `absolute` (durations such as `"30s"`,
//! `"15m"`, `"12h"`, `"14d"`, checked at compile time, at most 400 days),
//! `namespace`, `crate`. Field attributes: `private`, `max_age`, `index`,
//! `client`, `rename`, `default`, `skip`. The accessor type is
//! `<Struct>Session` (here `ShopSession`); a `Ref` guard holds the session's
//! lock, so drop it before using the session again.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// How one field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The Rust field name.
    pub name: &'static str,
    /// The key it is stored under: `namespace.name` (or the `rename`), or
    /// just the name when the schema has no namespace.
    pub key: &'static str,
    /// `#[session(private)]`: sealed with AES-256-GCM before it reaches any
    /// store or cookie.
    pub private: bool,
    /// `#[session(max_age = "...")]`: the field alone expires this long
    /// after it was last written.
    pub max_age: Option<Duration>,
    /// `#[session(index)]`: its value is exported for queries such as "log
    /// out everywhere".
    pub index: bool,
    /// `#[session(client)]`: readable by the client in client-cookie mode.
    pub client: bool,
}

impl FieldSpec {
    /// A plain field stored under `key`.
    pub const fn new(name: &'static str, key: &'static str) -> Self {
        FieldSpec {
            name,
            key,
            private: false,
            max_age: None,
            index: false,
            client: false,
        }
    }
}

/// The whole description of a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaSpec {
    /// The struct's name, for messages.
    pub name: &'static str,
    /// `#[session(namespace = "...")]`, or `""`.
    pub namespace: &'static str,
    /// Every stored field (skipped fields are not listed).
    pub fields: &'static [FieldSpec],
    /// `#[session(max_age = "...")]` on the struct: the default age.
    pub max_age: Option<Duration>,
    /// `#[session(idle = "...")]` on the struct: inactivity cap.
    pub idle: Option<Duration>,
    /// `#[session(absolute = "...")]` on the struct: cap since creation.
    pub absolute: Option<Duration>,
}

/// A typed session schema. Implemented by `#[derive(Session)]`; not meant
/// to be implemented by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a session schema",
    label = "not a session schema",
    note = "did you forget `#[derive(Session)]` on `{Self}`?"
)]
pub trait Schema: Sized + Send + Sync + 'static {
    /// The fields and policies of this schema.
    const SPEC: &'static SchemaSpec;
    /// The generated accessor type that [`crate::Session`](struct@crate::Session) dereferences to.
    type Accessor: From<crate::session::Handle> + std::ops::Deref<Target = crate::session::Handle>;
}

/// What a session field's type must be: serializable on its own.
#[diagnostic::on_unimplemented(
    message = "session field type `{Self}` cannot be stored in a session",
    label = "needs `Serialize + DeserializeOwned + Send + Sync + 'static`",
    note = "derive `serde::Serialize` and `serde::Deserialize` for `{Self}`, or mark the field `#[session(skip)]`"
)]
pub trait Value: Serialize + DeserializeOwned + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> Value for T {}
