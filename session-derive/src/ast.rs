//! The derive input as the macro sees it: the struct, its settings and its
//! fields, each keeping its `original` syn node for spans.

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident, Type};

use crate::attr;
use crate::ctxt::Ctxt;

/// A struct with named fields.
pub(crate) struct Input<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) attrs: attr::Container,
    pub(crate) fields: Vec<Field<'a>>,
}

/// One named field.
pub(crate) struct Field<'a> {
    pub(crate) original: &'a syn::Field,
    pub(crate) ident: &'a Ident,
    /// The field's name without any `r#`.
    pub(crate) name: String,
    pub(crate) attrs: attr::Field,
}

impl<'a> Input<'a> {
    /// Models `input`, recording every problem in `cx`. `None` when the input
    /// is not a struct with named fields (the error is recorded); the
    /// attributes are still read so that their mistakes are reported too.
    pub(crate) fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = attr::container(cx, &input.attrs);
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named),
                Fields::Unnamed(unnamed) => {
                    cx.error_spanned_by(
                        unnamed,
                        "`#[derive(Session)]` needs named fields: each field is stored under its name; write `struct Name { field: Type }`",
                    );
                    None
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "`#[derive(Session)]` needs a struct with named fields, not a unit struct; write `struct Name { field: Type }`",
                    );
                    None
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Session)]` supports structs with named fields, not enums: each field of a session is stored on its own",
                );
                None
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[derive(Session)]` supports structs with named fields, not unions",
                );
                None
            }
        }?;
        let fields = named
            .named
            .iter()
            .filter_map(|original| {
                let ident = original.ident.as_ref()?;
                Some(Field {
                    original,
                    ident,
                    name: ident.unraw().to_string(),
                    attrs: attr::field(cx, &original.attrs),
                })
            })
            .collect();
        Some(Input {
            original: input,
            attrs,
            fields,
        })
    }

    pub(crate) fn ident(&self) -> &'a Ident {
        &self.original.ident
    }

    /// `#[session(namespace = "...")]`, or `""`.
    pub(crate) fn namespace(&self) -> &str {
        self.attrs
            .namespace
            .as_ref()
            .map_or("", |n| n.value.as_str())
    }

    /// Fields that are stored (not `skip`), with their index in the
    /// schema's field list.
    pub(crate) fn stored(&self) -> impl Iterator<Item = (usize, &Field<'a>)> {
        self.fields.iter().filter(|f| f.is_stored()).enumerate()
    }

    /// The key a field is stored under: `namespace.name`, or just the name.
    pub(crate) fn key(&self, field: &Field<'_>) -> String {
        match self.namespace() {
            "" => field.stored_name().to_owned(),
            ns => format!("{ns}.{}", field.stored_name()),
        }
    }
}

impl Field<'_> {
    pub(crate) fn ty(&self) -> &Type {
        &self.original.ty
    }

    pub(crate) fn is_stored(&self) -> bool {
        self.attrs.skip.is_none()
    }

    /// The name part of the stored key: the `rename`, or the field's name.
    pub(crate) fn stored_name(&self) -> &str {
        self.attrs
            .rename
            .as_ref()
            .map_or(self.name.as_str(), |r| r.value.as_str())
    }
}
