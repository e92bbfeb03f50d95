//! The keywords of `#[session(...)]`, named once (as serde's `symbol.rs`),
//! so a typo in the macro is a compile error, not a silently ignored
//! attribute.

use std::fmt::{self, Display};

use syn::{Ident, Path};

/// One attribute keyword.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Symbol(pub(crate) &'static str);

/// The attribute itself: `#[session(...)]`.
pub(crate) const SESSION: Symbol = Symbol("session");

// Container (struct) attributes.
pub(crate) const MAX_AGE: Symbol = Symbol("max_age");
pub(crate) const IDLE: Symbol = Symbol("idle");
pub(crate) const ABSOLUTE: Symbol = Symbol("absolute");
pub(crate) const NAMESPACE: Symbol = Symbol("namespace");
pub(crate) const CRATE: Symbol = Symbol("crate");

// Field attributes (`max_age` is both).
pub(crate) const PRIVATE: Symbol = Symbol("private");
pub(crate) const INDEX: Symbol = Symbol("index");
pub(crate) const CLIENT: Symbol = Symbol("client");
pub(crate) const RENAME: Symbol = Symbol("rename");
pub(crate) const DEFAULT: Symbol = Symbol("default");
pub(crate) const SKIP: Symbol = Symbol("skip");

/// What the struct accepts, in the order the messages list them.
pub(crate) const CONTAINER: &[Symbol] = &[MAX_AGE, IDLE, ABSOLUTE, NAMESPACE, CRATE];
/// What a field accepts.
pub(crate) const FIELD: &[Symbol] = &[PRIVATE, MAX_AGE, INDEX, CLIENT, RENAME, DEFAULT, SKIP];

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// "`a`, `b` or `c`", for messages.
pub(crate) fn list(symbols: &[Symbol]) -> String {
    let quoted: Vec<String> = symbols.iter().map(|s| format!("`{s}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_reads_as_english() {
        assert_eq!(list(&[PRIVATE]), "`private`");
        assert_eq!(list(&[PRIVATE, SKIP]), "`private` or `skip`");
        assert_eq!(
            list(&[PRIVATE, INDEX, SKIP]),
            "`private`, `index` or `skip`"
        );
    }

    #[test]
    fn symbols_compare_with_idents_and_paths() {
        let ident: Ident = syn::parse_str("private").unwrap();
        let path: Path = syn::parse_str("max_age").unwrap();
        assert!(ident == PRIVATE);
        assert!(path == MAX_AGE);
        assert!(path != PRIVATE);
    }
}
