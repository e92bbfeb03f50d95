//! Rules across attributes and fields. Each one records its error on the
//! offending token and checking goes on, so every mistake shows at once.

use std::collections::HashMap;

use syn::GenericParam;

use crate::ast::{Field, Input};
use crate::attr::Valued;
use crate::ctxt::Ctxt;

/// Method names an accessor must not define, because the call would resolve
/// to something else (a method of `Session<T>`, which comes first) or hide a
/// session-wide method of `Handle` reached through `Deref`. Each with who
/// owns it, for the message.
const RESERVED: &[(&str, &str)] = &[
    // Session<T> (resolved before the accessor).
    ("handle", "`Session::handle`"),
    ("from_handle", "`Session::from_handle`"),
    ("clear_fields", "`Session::clear_fields`"),
    // Handle, and what it may grow (State's own methods).
    ("new", "`Handle::new`"),
    ("empty", "`Handle::empty`"),
    ("lock", "`Handle::lock`"),
    ("typed", "`Handle::typed`"),
    ("id", "`Handle::id`"),
    ("get", "`Handle::get`"),
    ("get_mut", "`Handle::get_mut`"),
    ("set", "`Handle::set`"),
    ("take", "`Handle::take`"),
    ("reset", "`Handle::reset`"),
    ("flush", "`Handle::flush`"),
    ("cycle_key", "`Handle::cycle_key`"),
    ("clear", "`Handle::clear`"),
    ("is_empty", "`Handle::is_empty`"),
    ("is_modified", "`Handle::is_modified`"),
    ("is_new", "`Handle::is_new`"),
    ("is_accessed", "`Handle::is_accessed`"),
    ("set_expiry", "`Handle::set_expiry`"),
    ("expiry", "`Handle::expiry`"),
    ("expiry_age", "`Handle::expiry_age`"),
    ("expiry_date", "`Handle::expiry_date`"),
    (
        "expire_at_browser_close",
        "`Handle::expire_at_browser_close`",
    ),
    ("set_test_cookie", "`Handle::set_test_cookie`"),
    ("test_cookie_worked", "`Handle::test_cookie_worked`"),
    ("delete_test_cookie", "`Handle::delete_test_cookie`"),
    ("keys", "`Handle::keys`"),
    ("meta", "`Handle::meta`"),
    ("get_raw", "`Handle::get_raw`"),
    ("set_raw", "`Handle::set_raw`"),
    ("remove_raw", "`Handle::remove_raw`"),
    // The accessor's own whole-struct methods.
    ("set_all", "the generated `set_all`"),
    ("take_all", "the generated `take_all`"),
    // Trait methods that `Session<T>` has, found before the accessor's.
    ("clone", "`Clone::clone`"),
    ("clone_from", "`Clone::clone_from`"),
    ("fmt", "`Debug::fmt`"),
    ("deref", "`Deref::deref`"),
    ("to_owned", "`ToOwned::to_owned`"),
    ("into", "`Into::into`"),
];

/// What each stored field generates, as (prefix, suffix, role).
pub(crate) const ACCESSORS: &[(&str, &str, &str)] = &[
    ("", "", "getter"),
    ("set_", "", "setter"),
    ("", "_mut", "write guard"),
    ("take_", "", "`take_` method"),
    ("reset_", "", "`reset_` method"),
];

pub(crate) fn check(cx: &Ctxt, input: &Input<'_>) {
    check_generics(cx, input);
    if let Some(ns) = &input.attrs.namespace {
        check_key_text(cx, ns, "namespace");
    }
    for field in &input.fields {
        check_field(cx, field);
    }
    check_accessor_names(cx, input);
    check_keys_unique(cx, input);
}

fn check_generics(cx: &Ctxt, input: &Input<'_>) {
    for param in &input.original.generics.params {
        if let GenericParam::Lifetime(lt) = param {
            cx.error_spanned_by(
                lt,
                format!(
                    "lifetime parameter `{}` is not supported: a session schema owns its data (the session outlives the request); use owned types such as `String`",
                    lt.lifetime
                ),
            );
        }
    }
}

/// A namespace or a rename: it becomes part of a stored key.
fn check_key_text(cx: &Ctxt, v: &Valued<String>, what: &str) {
    let text = &v.value;
    let shown = format!("`{what} = {:?}`", text);
    if text.is_empty() {
        let fix = if what == "namespace" {
            "leave the attribute out for no namespace"
        } else {
            "give a name"
        };
        cx.error_spanned_by(&v.lit, format!("{shown} is empty; {fix}"));
    } else if text.starts_with('_') {
        cx.error_spanned_by(
            &v.lit,
            format!("{shown}: names starting with `_` are reserved for the framework (such as `_testcookie`)"),
        );
    } else if text.contains('.') {
        cx.error_spanned_by(
            &v.lit,
            format!(
                "{shown} must not contain `.`, which separates the namespace from the field name"
            ),
        );
    } else if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        cx.error_spanned_by(
            &v.lit,
            format!("{shown} may only contain ASCII letters, digits, `_` and `-`"),
        );
    }
}

fn check_field(cx: &Ctxt, field: &Field<'_>) {
    let a = &field.attrs;
    if a.skip.is_some() {
        for keyword in a.storage_keywords() {
            let name = quote::quote!(#keyword).to_string();
            cx.error_spanned_by(
                keyword,
                format!("`#[session({name})]` has no effect on a `#[session(skip)]` field, which is not stored; remove one of them"),
            );
        }
        return;
    }
    if let (Some(_), Some(client)) = (&a.private, &a.client) {
        cx.error_spanned_by(
            client,
            "`#[session(client)]` cannot be combined with `#[session(private)]`: a private field is sealed and never readable by the client",
        );
    }
    if let (Some(_), Some(index)) = (&a.private, &a.index) {
        cx.error_spanned_by(
            index,
            "`#[session(index)]` cannot be used on a `#[session(private)]` field: the index would store its value in plain text",
        );
    }
    if field.name.starts_with('_') {
        cx.error_spanned_by(
            field.ident,
            format!(
                "field `{}`: names starting with `_` are reserved for the framework (such as `_testcookie`); rename the field",
                field.name
            ),
        );
    }
    if let Some(rename) = &a.rename {
        check_key_text(cx, rename, "rename");
    }
}

/// Generated method names must not hide session-wide methods nor collide
/// with each other.
fn check_accessor_names(cx: &Ctxt, input: &Input<'_>) {
    let mut taken: HashMap<String, (&str, &str)> = HashMap::new();
    for (_, field) in input.stored() {
        if field.name.starts_with('_') {
            continue; // already reported
        }
        let mut reported = false;
        for (prefix, suffix, _) in ACCESSORS {
            let method = format!("{prefix}{}{suffix}", field.name);
            if let Some((_, owner)) = RESERVED.iter().find(|(m, _)| *m == method) {
                cx.error_spanned_by(
                    field.ident,
                    format!(
                        "field `{}` would generate the accessor `{method}()`, which would hide {owner}; rename the field (keep the stored name with `#[session(rename = \"{}\")]`)",
                        field.name, field.name
                    ),
                );
                reported = true;
                break;
            } else if let Some((other, other_role)) = taken.get(&method) {
                cx.error_spanned_by(
                    field.ident,
                    format!(
                        "field `{}` would generate the accessor `{method}()`, which is already the {other_role} of field `{other}`; rename one of the fields",
                        field.name
                    ),
                );
                reported = true;
                break;
            }
        }
        if !reported {
            for (prefix, suffix, role) in ACCESSORS {
                taken.insert(
                    format!("{prefix}{}{suffix}", field.name),
                    (field.name.as_str(), role),
                );
            }
        }
    }
}

fn check_keys_unique(cx: &Ctxt, input: &Input<'_>) {
    let mut seen: HashMap<String, &Field<'_>> = HashMap::new();
    for (_, field) in input.stored() {
        let key = input.key(field);
        if let Some(first) = seen.get(&key) {
            let message = format!(
                "fields `{}` and `{}` would both be stored under the key `{key}`; give one a different `#[session(rename = \"...\")]`",
                first.name, field.name
            );
            match &field.attrs.rename {
                Some(r) => cx.error_spanned_by(&r.lit, message),
                None => cx.error_spanned_by(field.ident, message),
            }
        } else {
            seen.insert(key, field);
        }
    }
}
