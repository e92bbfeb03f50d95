//! Reading `#[session(...)]` on the struct and on each field.
//!
//! Parsing records every problem into the [`Ctxt`] and keeps going, so one
//! typo does not hide the next. Only the syntax and the literals are checked
//! here; rules across attributes and fields live in `check.rs`.

use std::time::Duration;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Path, Token};

use crate::ctxt::Ctxt;
use crate::duration;
use crate::symbol::{self, Symbol};
use crate::symbol::{
    ABSOLUTE, CLIENT, CRATE, DEFAULT, IDLE, INDEX, MAX_AGE, NAMESPACE, PRIVATE, RENAME, SESSION,
    SKIP,
};

/// A value given as `key = "literal"`, with both tokens kept for spans.
pub(crate) struct Valued<T> {
    pub(crate) value: T,
    /// The keyword (`max_age`), for errors about the attribute as a whole.
    pub(crate) keyword: Path,
    /// The string literal, for errors about the value.
    pub(crate) lit: LitStr,
}

/// A parsed duration (the literal it was written as stays in [`Valued::lit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Age(pub(crate) Duration);

/// `#[session(...)]` on the struct.
#[derive(Default)]
pub(crate) struct Container {
    pub(crate) max_age: Option<Valued<Age>>,
    pub(crate) idle: Option<Valued<Age>>,
    pub(crate) absolute: Option<Valued<Age>>,
    pub(crate) namespace: Option<Valued<String>>,
    pub(crate) krate: Option<Valued<Path>>,
}

/// `#[session(...)]` on a field. Flags keep their keyword for spans.
#[derive(Default)]
pub(crate) struct Field {
    pub(crate) private: Option<Path>,
    pub(crate) max_age: Option<Valued<Age>>,
    pub(crate) index: Option<Path>,
    pub(crate) client: Option<Path>,
    pub(crate) rename: Option<Valued<String>>,
    pub(crate) default: Option<Valued<Path>>,
    pub(crate) skip: Option<Path>,
}

impl Field {
    /// Every attribute given other than `skip` and `default`, for the rule
    /// that a skipped field takes no storage attribute.
    pub(crate) fn storage_keywords(&self) -> Vec<&Path> {
        [
            self.private.as_ref(),
            self.max_age.as_ref().map(|v| &v.keyword),
            self.index.as_ref(),
            self.client.as_ref(),
            self.rename.as_ref().map(|v| &v.keyword),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Reads the struct's attributes.
pub(crate) fn container(cx: &Ctxt, attrs: &[Attribute]) -> Container {
    let mut out = Container::default();
    for_each_meta(cx, attrs, |meta| {
        let key = &meta.path;
        if *key == MAX_AGE {
            let v = age(cx, &meta, MAX_AGE)?;
            set(cx, &mut out.max_age, v, MAX_AGE);
        } else if *key == IDLE {
            let v = age(cx, &meta, IDLE)?;
            set(cx, &mut out.idle, v, IDLE);
        } else if *key == ABSOLUTE {
            let v = age(cx, &meta, ABSOLUTE)?;
            set(cx, &mut out.absolute, v, ABSOLUTE);
        } else if *key == NAMESPACE {
            let v = string(&meta, NAMESPACE)?.map(|lit| valued(&meta, lit.value(), lit));
            set(cx, &mut out.namespace, v, NAMESPACE);
        } else if *key == CRATE {
            let v = path_in_string(cx, &meta, CRATE)?;
            set(cx, &mut out.krate, v, CRATE);
        } else {
            unknown(
                cx,
                &meta,
                symbol::CONTAINER,
                "the struct",
                symbol::FIELD,
                "a field",
            )?;
        }
        Ok(())
    });
    out
}

/// Reads one field's attributes.
pub(crate) fn field(cx: &Ctxt, attrs: &[Attribute]) -> Field {
    let mut out = Field::default();
    for_each_meta(cx, attrs, |meta| {
        let key = &meta.path;
        if *key == PRIVATE {
            flag(cx, &meta, &mut out.private, PRIVATE)?;
        } else if *key == INDEX {
            flag(cx, &meta, &mut out.index, INDEX)?;
        } else if *key == CLIENT {
            flag(cx, &meta, &mut out.client, CLIENT)?;
        } else if *key == SKIP {
            flag(cx, &meta, &mut out.skip, SKIP)?;
        } else if *key == MAX_AGE {
            let v = age(cx, &meta, MAX_AGE)?;
            set(cx, &mut out.max_age, v, MAX_AGE);
        } else if *key == RENAME {
            let v = string(&meta, RENAME)?.map(|lit| valued(&meta, lit.value(), lit));
            set(cx, &mut out.rename, v, RENAME);
        } else if *key == DEFAULT {
            let v = path_in_string(cx, &meta, DEFAULT)?;
            set(cx, &mut out.default, v, DEFAULT);
        } else {
            unknown(
                cx,
                &meta,
                symbol::FIELD,
                "a field",
                symbol::CONTAINER,
                "the struct",
            )?;
        }
        Ok(())
    });
    out
}

/// Runs `each` on every item of every `#[session(...)]`. An error from
/// `each` is recorded and ends that one attribute (syn cannot resync inside
/// it); the other attributes are still read.
fn for_each_meta(
    cx: &Ctxt,
    attrs: &[Attribute],
    mut each: impl FnMut(ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|a| a.path() == SESSION) {
        if !matches!(attr.meta, syn::Meta::List(_)) {
            cx.error_spanned_by(
                attr,
                "expected `#[session(...)]` with a list of settings, such as `#[session(private)]`",
            );
            continue;
        }
        if let Err(err) = attr.parse_nested_meta(&mut each) {
            cx.syn_error(err);
        }
    }
}

fn valued<T>(meta: &ParseNestedMeta<'_>, value: T, lit: LitStr) -> Valued<T> {
    Valued {
        value,
        keyword: meta.path.clone(),
        lit,
    }
}

/// Stores a value, reporting a second occurrence on its keyword.
fn set<T>(cx: &Ctxt, slot: &mut Option<Valued<T>>, value: Option<Valued<T>>, name: Symbol) {
    let Some(value) = value else { return };
    if slot.is_some() {
        cx.error_spanned_by(
            &value.keyword,
            format!("duplicate `#[session({name} = ...)]`; give it once"),
        );
    } else {
        *slot = Some(value);
    }
}

/// A flag such as `private`: no value allowed.
fn flag(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    slot: &mut Option<Path>,
    name: Symbol,
) -> syn::Result<()> {
    if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        let message = format!("`{name}` is a flag and takes no value: write `#[session({name})]`");
        cx.error_spanned_by(&meta.path, message);
        return skip_value(meta);
    }
    if slot.is_some() {
        cx.error_spanned_by(
            &meta.path,
            format!("duplicate `#[session({name})]`; give it once"),
        );
    } else {
        *slot = Some(meta.path.clone());
    }
    Ok(())
}

/// `key = "..."`. `Ok(None)` when the problem was recorded and parsing can
/// go on.
fn string(meta: &ParseNestedMeta<'_>, name: Symbol) -> syn::Result<Option<LitStr>> {
    let example = match name {
        MAX_AGE | IDLE | ABSOLUTE => "\"30m\"",
        CRATE => "\"::session_core\"",
        DEFAULT => "\"path::to::function\"",
        _ => "\"...\"",
    };
    if !meta.input.peek(Token![=]) {
        return Err(meta.error(format!(
            "`{name}` needs a value: write `#[session({name} = {example})]`"
        )));
    }
    let expr: Expr = meta.value()?.parse()?;
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(Some(lit)),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{name}` expects a string literal: write `#[session({name} = {example})]`"),
        )),
    }
}

/// `max_age = "14d"` and friends.
fn age(cx: &Ctxt, meta: &ParseNestedMeta<'_>, name: Symbol) -> syn::Result<Option<Valued<Age>>> {
    let Some(lit) = string(meta, name)? else {
        return Ok(None);
    };
    match duration::parse(&lit.value()) {
        Ok(d) => Ok(Some(valued(meta, Age(d), lit))),
        Err(err) => {
            let shown = lit.to_token_stream();
            cx.error_spanned_by(&lit, format!("`{name} = {shown}` {err}"));
            Ok(None)
        }
    }
}

/// `default = "path"` and `crate = "path"`: a path inside a string, whose
/// tokens are given the literal's span, so that "cannot find function" and
/// type errors point at the literal.
fn path_in_string(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    name: Symbol,
) -> syn::Result<Option<Valued<Path>>> {
    let Some(lit) = string(meta, name)? else {
        return Ok(None);
    };
    match parse_spanned_path(&lit) {
        Ok(path) => Ok(Some(valued(meta, path, lit))),
        Err(_) => {
            let shown = lit.to_token_stream();
            cx.error_spanned_by(
                &lit,
                format!(
                    "`{name} = {shown}` is not a path; write a path such as \"crate::module::name\""
                ),
            );
            Ok(None)
        }
    }
}

pub(crate) fn parse_spanned_path(lit: &LitStr) -> syn::Result<Path> {
    let tokens: TokenStream = syn::parse_str(&lit.value())?;
    let tokens = respan(tokens, lit.span());
    Path::parse_mod_style
        .parse2(tokens.clone())
        .or_else(|_| syn::parse2::<Path>(tokens))
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut g =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                g.set_span(span);
                tree = TokenTree::Group(g);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// An unrecognised key: say where it belongs if it is the other kind.
fn unknown(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    expected: &[Symbol],
    here: &str,
    elsewhere: &[Symbol],
    there: &str,
) -> syn::Result<()> {
    let key = meta.path.to_token_stream().to_string().replace(' ', "");
    let message = match elsewhere.iter().find(|s| meta.path == **s) {
        Some(s) => format!("`#[session({s})]` belongs on {there}, not on {here}"),
        None => format!(
            "unknown attribute `#[session({key})]` on {here}; expected {}",
            symbol::list(expected)
        ),
    };
    cx.error_spanned_by(&meta.path, message);
    skip_value(meta)
}

/// Consumes `= value` or `(...)` after a key whose error was recorded.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors(cx: Ctxt) -> Vec<String> {
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn reads_every_container_setting() {
        let attrs: Vec<Attribute> = vec![
            parse_quote!(#[session(max_age = "14d", idle = "30m")]),
            parse_quote!(#[session(absolute = "1d12h", namespace = "shop", crate = "::x::y")]),
        ];
        let cx = Ctxt::new();
        let c = container(&cx, &attrs);
        assert!(errors(cx).is_empty());
        assert_eq!(c.max_age.unwrap().value.0.as_secs(), 14 * 86_400);
        assert_eq!(c.idle.unwrap().value.0.as_secs(), 1800);
        assert_eq!(c.absolute.unwrap().value.0.as_secs(), 36 * 3600);
        assert_eq!(c.namespace.unwrap().value, "shop");
        let krate = c.krate.unwrap().value;
        assert_eq!(krate.to_token_stream().to_string(), ":: x :: y");
    }

    #[test]
    fn reads_every_field_setting() {
        let attrs: Vec<Attribute> = vec![parse_quote!(
            #[session(private, max_age = "5m", index, client, rename = "r", default = "f::g", skip)]
        )];
        let cx = Ctxt::new();
        let f = field(&cx, &attrs);
        assert!(errors(cx).is_empty());
        assert!(f.private.is_some() && f.index.is_some() && f.client.is_some());
        assert!(f.skip.is_some());
        assert_eq!(f.max_age.unwrap().value.0.as_secs(), 300);
        assert_eq!(f.rename.unwrap().value, "r");
        assert_eq!(
            f.default.unwrap().value.to_token_stream().to_string(),
            "f :: g"
        );
    }

    #[test]
    fn other_attributes_are_ignored() {
        let attrs: Vec<Attribute> = vec![
            parse_quote!(#[serde(rename = "x")]),
            parse_quote!(#[doc = "d"]),
        ];
        let cx = Ctxt::new();
        let f = field(&cx, &attrs);
        assert!(errors(cx).is_empty());
        assert!(f.rename.is_none());
    }

    #[test]
    fn every_mistake_is_reported_and_parsing_goes_on() {
        let attrs: Vec<Attribute> = vec![
            parse_quote!(#[session(bogus, private, private = 1, index)]),
            parse_quote!(#[session(max_age = "3x", namespace = "n", index)]),
        ];
        let cx = Ctxt::new();
        let f = field(&cx, &attrs);
        let errs = errors(cx);
        assert_eq!(
            errs,
            [
                "unknown attribute `#[session(bogus)]` on a field; expected `private`, `max_age`, `index`, `client`, `rename`, `default` or `skip`",
                "`private` is a flag and takes no value: write `#[session(private)]`",
                "`max_age = \"3x\"` has an unknown unit `x`; units are `s`, `m`, `h` and `d`",
                "`#[session(namespace)]` belongs on the struct, not on a field",
                "duplicate `#[session(index)]`; give it once",
            ]
        );
        assert!(f.private.is_some() && f.index.is_some());
    }

    #[test]
    fn duplicates_and_misplaced_on_the_struct() {
        let attrs: Vec<Attribute> = vec![parse_quote!(
            #[session(namespace = "a", namespace = "b", private, idle = 30)]
        )];
        let cx = Ctxt::new();
        let c = container(&cx, &attrs);
        let errs = errors(cx);
        assert_eq!(
            errs,
            [
                "duplicate `#[session(namespace = ...)]`; give it once",
                "`#[session(private)]` belongs on a field, not on the struct",
                "`idle` expects a string literal: write `#[session(idle = \"30m\")]`",
            ]
        );
        assert_eq!(c.namespace.unwrap().value, "a");
    }

    #[test]
    fn missing_value_and_bad_paths() {
        let attrs: Vec<Attribute> = vec![
            parse_quote!(#[session(max_age)]),
            parse_quote!(#[session(default = "not a path!")]),
            parse_quote!(#[session]),
        ];
        let cx = Ctxt::new();
        field(&cx, &attrs);
        let errs = errors(cx);
        assert_eq!(
            errs,
            [
                "`max_age` needs a value: write `#[session(max_age = \"30m\")]`",
                "`default = \"not a path!\"` is not a path; write a path such as \"crate::module::name\"",
                "expected `#[session(...)]` with a list of settings, such as `#[session(private)]`",
            ]
        );
    }

    #[test]
    fn spanned_path_takes_the_literal_span() {
        let lit: LitStr = parse_quote!("a::b");
        let path = parse_spanned_path(&lit).unwrap();
        assert_eq!(path.segments.len(), 2);
    }
}
