//! Parse: a typed model of the annotated struct.
//!
//! The model borrows the `DeriveInput` it came from, so later steps can span
//! their errors and generated assertions on the user's own tokens.

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type};

use crate::attr::{self, EndpointAttr, PageAttr};
use crate::ctxt::Ctxt;

/// A struct under `#[devrev_endpoint]`.
pub(crate) struct Endpoint<'a> {
    pub(crate) input: &'a DeriveInput,
    pub(crate) attr: EndpointAttr,
    /// The named fields (empty for a unit struct), or `None` if the item is not
    /// a struct with named fields or a unit struct.
    pub(crate) fields: Option<Vec<&'a syn::Field>>,
}

impl<'a> Endpoint<'a> {
    pub(crate) fn from_syn(cx: &mut Ctxt, attr: EndpointAttr, input: &'a DeriveInput) -> Self {
        let fields = struct_fields(cx, input, "`#[devrev_endpoint]`", "a request");
        Endpoint { input, attr, fields }
    }

    pub(crate) fn ident(&self) -> &Ident {
        &self.input.ident
    }

    pub(crate) fn field(&self, name: &str) -> Option<&'a syn::Field> {
        find_field(self.fields.as_deref()?, name)
    }

    pub(crate) fn has_type_generics(&self) -> bool {
        self.input.generics.type_params().next().is_some()
    }

    /// Whether the struct's own attributes derive `Clone` (written `Clone`,
    /// `clone::Clone`, `::core::clone::Clone`, ...): then the request is
    /// `Clone` without the compiler having to be asked.
    pub(crate) fn derives_clone(&self) -> bool {
        self.input.attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
            a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .is_ok_and(|paths| paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == "Clone")))
        })
    }
}

/// A struct under `#[derive(Page)]`.
pub(crate) struct PageStruct<'a> {
    pub(crate) input: &'a DeriveInput,
    pub(crate) attr: PageAttr,
    pub(crate) fields: Option<Vec<&'a syn::Field>>,
    /// Fields marked `#[page(items)]`.
    pub(crate) marked_items: Vec<&'a syn::Field>,
}

impl<'a> PageStruct<'a> {
    pub(crate) fn from_syn(cx: &mut Ctxt, input: &'a DeriveInput) -> Self {
        let attr = attr::parse_page_container_attr(cx, &input.attrs);
        let fields = struct_fields(cx, input, "`#[derive(Page)]`", "a page of results");
        let marked_items =
            fields.iter().flatten().copied().filter(|f| attr::parse_page_field_attr(cx, &f.attrs)).collect();
        PageStruct { input, attr, fields, marked_items }
    }

    pub(crate) fn field(&self, name: &str) -> Option<&'a syn::Field> {
        find_field(self.fields.as_deref()?, name)
    }
}

/// The field named `name`, also when it is written as a raw identifier
/// (`r#cursor`).
fn find_field<'a>(fields: &[&'a syn::Field], name: &str) -> Option<&'a syn::Field> {
    fields.iter().copied().find(|f| f.ident.as_ref().is_some_and(|i| i.unraw() == name))
}

/// The named fields of a struct (none for a unit struct); an error spanned on
/// the offending token for enums, unions and tuple structs.
fn struct_fields<'a>(cx: &mut Ctxt, input: &'a DeriveInput, what: &str, role: &str) -> Option<Vec<&'a syn::Field>> {
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named.named.iter().collect()),
            Fields::Unit => Some(Vec::new()),
            Fields::Unnamed(unnamed) => {
                cx.error_spanned_by(
                    unnamed,
                    format!("{what} does not accept tuple structs: give {role} named fields (`struct {} {{ id: String }}`) or make it a unit struct", input.ident),
                );
                None
            }
        },
        Data::Enum(data) => {
            cx.error_spanned_by(
                data.enum_token,
                format!("{what} goes on a struct, not an enum: declare {role} as a struct with named fields"),
            );
            None
        }
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                format!("{what} goes on a struct, not a union: declare {role} as a struct with named fields"),
            );
            None
        }
    }
}

/// `T` of a `Vec<T>` (also `std::vec::Vec<T>`), if `ty` is spelled that way.
pub(crate) fn vec_item(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Vec")
}

/// `T` of an `Option<T>` (also `std::option::Option<T>`), if `ty` is spelled that way.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Option")
}

/// `T` of `Name<T>` (or `path::to::Name<T>`), if `ty` is spelled that way.
fn generic_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let path = match ty {
        Type::Path(path) => path,
        // A type passed through a `macro_rules!` `$ty:ty` arrives wrapped in
        // an invisible group; parentheses are harmless too.
        Type::Group(group) => return generic_arg(&group.elem, name),
        Type::Paren(paren) => return generic_arg(&paren.elem, name),
        _ => return None,
    };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        GenericArgument::Type(item) if args.args.len() == 1 => Some(item),
        _ => None,
    }
}
