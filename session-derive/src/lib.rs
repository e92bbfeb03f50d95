//! `#[derive(Session)]`: a struct becomes a typed session schema.
//!
//! Use it through `session_core`, which re-exports it (as serde does its
//! derives): `use session_core::Session;`. The documentation, with
//! examples, is on `session_core::schema`.
//!
//! The macro parses (`ast.rs`, `attr.rs`), checks (`check.rs`, reporting
//! every mistake at once through `ctxt.rs`), then expands (`expand.rs`), or
//! on error emits the errors plus a stub (`fallback.rs`) so that one mistake
//! does not cascade.

mod ast;
mod attr;
mod check;
mod ctxt;
mod duration;
mod expand;
mod fallback;
mod symbol;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `session_core::schema::Schema` and a typed accessor type
/// `<Struct>Session` for a struct with named fields.
///
/// Struct attributes: `#[session(max_age = "14d", idle = "30m", absolute =
/// "30d", namespace = "shop", crate = "::session_core")]`. Field
/// attributes: `private`, `max_age = "5m"`, `index`, `client`, `rename =
/// "..."`, `default = "path::to::fn"`, `skip`.
#[proc_macro_derive(Session, attributes(session))]
pub fn derive_session(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
