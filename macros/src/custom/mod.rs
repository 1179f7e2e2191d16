//! `#[derive(CustomFields)]` and `#[derive(CustomEnum)]`: a tenant's custom
//! fields as a Rust struct, and an enum field's allowed values as a Rust enum.
//!
//! The same three steps as the attribute: `ast` parses the input and its
//! `#[custom(...)]` attributes, `valid` checks what needs the whole input
//! (duplicate names, prefixes, the leaf type), `expand` writes the impls.

mod ast;
mod expand;
mod valid;

use proc_macro2::TokenStream;

/// `#[derive(CustomFields)]`.
pub(crate) fn derive_fields(input: &syn::DeriveInput) -> TokenStream {
    ast::Container::parse(input)
        .and_then(|container| {
            valid::container(&container)?;
            Ok(expand::fields(&container))
        })
        .unwrap_or_else(syn::Error::into_compile_error)
}

/// `#[derive(CustomEnum)]`.
pub(crate) fn derive_enum(input: &syn::DeriveInput) -> TokenStream {
    ast::Enum::parse(input)
        .and_then(|e| {
            valid::enumeration(&e)?;
            Ok(expand::enumeration(&e))
        })
        .unwrap_or_else(syn::Error::into_compile_error)
}
