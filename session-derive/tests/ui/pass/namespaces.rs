//! Several schemas share one session, each in its own namespace, even with
//! fields of the same name; a schema without fields is allowed.

#![deny(missing_docs)]
//! (crate docs, for `missing_docs`)

use std::sync::Arc;

use session_core::schema::Schema;
use session_core::{Config, Handle, Session};

/// Signed-in state.
#[derive(Session, Default)]
#[session(namespace = "auth", max_age = "12h")]
pub struct Auth {
    user_id: Option<u64>,
}

/// The shop.
#[derive(Session, Default)]
#[session(namespace = "shop")]
pub struct Shop {
    user_id: Option<u64>,
    cart: Vec<u32>,
}

/// No fields at all.
#[derive(Session)]
pub struct Nothing {}

fn main() {
    assert_eq!(<Auth as Schema>::SPEC.fields[0].key, "auth.user_id");
    assert_eq!(<Shop as Schema>::SPEC.fields[0].key, "shop.user_id");
    assert!(<Nothing as Schema>::SPEC.fields.is_empty());

    let handle = Handle::empty(Arc::new(Config::new()));
    let auth: Session<Auth> = handle.typed();
    let shop: Session<Shop> = handle.typed();
    auth.set_user_id(Some(1));
    shop.set_user_id(Some(2));
    assert_eq!(*auth.user_id(), Some(1));
    assert_eq!(*shop.user_id(), Some(2));
    shop.clear_fields();
    assert_eq!(*shop.user_id(), None);
    assert_eq!(*auth.user_id(), Some(1));
    let _nothing: Session<Nothing> = handle.typed();
}
