//! What is emitted when the input has errors: the errors, plus the accessor
//! type, a `Schema` impl and every accessor the fields would have had, all
//! with bodies that are never run. The user then sees their mistake and
//! not a page of "no method named `cart`" and "`Shop` is not a session
//! schema" errors from the code that uses the type (after thiserror's
//! `fallback.rs`).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields};

use crate::attr;
use crate::check::ACCESSORS;
use crate::ctxt::Ctxt;
use crate::expand::{accessor_ident, accessor_type, crate_path};

pub(crate) fn expand(input: &DeriveInput, errors: syn::Error) -> TokenStream {
    // Honour `crate = "..."` if it parses; its own errors are already in
    // `errors`.
    let cx = Ctxt::new();
    let container = attr::container(&cx, &input.attrs);
    let _ = cx.check();
    let krate = crate_path(container.krate.as_ref());
    let private = quote!(#krate::__private);

    let ident = &input.ident;
    let name = ident.to_string();
    let vis = &input.vis;
    let accessor = accessor_ident(ident);
    let (impl_g, ty_g, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    // Not a trivial bound (which stable Rust rejects when false), so this
    // impl compiles even if the type is not `Send + Sync + 'static`.
    predicates.push(quote!(
        for<'__w> #ident #ty_g: ::core::marker::Send + ::core::marker::Sync + 'static
    ));

    let mut seen = BTreeSet::new();
    let mut stubs = Vec::new();
    if let Data::Struct(data) = &input.data {
        if let Fields::Named(named) = &data.fields {
            for field in &named.named {
                let (Some(member), ty) = (&field.ident, &field.ty) else {
                    continue;
                };
                for (prefix, suffix, _) in ACCESSORS {
                    let method = if prefix.is_empty() && suffix.is_empty() {
                        member.clone()
                    } else {
                        format_ident!("{}{}{}", prefix, member, suffix, span = member.span())
                    };
                    if !seen.insert(method.to_string()) {
                        continue;
                    }
                    stubs.push(match (*prefix, *suffix) {
                        ("", "") => quote!(#vis fn #method(&self) -> #private::Ref<'_, #ty> { ::core::unreachable!() }),
                        ("set_", _) => quote!(#vis fn #method(&self, _value: #ty) { ::core::unreachable!() }),
                        (_, "_mut") => quote!(#vis fn #method(&self) -> #private::RefMut<'_, #ty> { ::core::unreachable!() }),
                        ("take_", _) => quote!(#vis fn #method(&self) -> #ty { ::core::unreachable!() }),
                        _ => quote!(#vis fn #method(&self) { ::core::unreachable!() }),
                    });
                }
            }
        }
    }
    let accessor_type = accessor_type(input, &private);
    let errors = errors.to_compile_error();
    quote! {
        #errors

        #accessor_type

        #[allow(unused_qualifications)]
        const _: () = {
            #[automatically_derived]
            impl #impl_g #private::Schema for #ident #ty_g where #(#predicates,)* {
                const SPEC: &'static #private::SchemaSpec = &#private::SchemaSpec {
                    name: #name,
                    namespace: "",
                    fields: &[],
                    max_age: ::core::option::Option::None,
                    idle: ::core::option::Option::None,
                    absolute: ::core::option::Option::None,
                };
                type Accessor = #accessor #ty_g;
            }

            #[automatically_derived]
            #[allow(missing_docs, clippy::unused_self)]
            impl #impl_g #accessor #ty_g #where_clause {
                #(#stubs)*
                #vis fn set_all(&self, _value: #ident #ty_g) { ::core::unreachable!() }
                #vis fn take_all(&self) -> #ident #ty_g { ::core::unreachable!() }
            }
        };
    }
}
