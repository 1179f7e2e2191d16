//! The procedural macros of the [`devrev`](https://docs.rs/devrev) crate.
//!
//! Use them through the `devrev` facade (`devrev::devrev_endpoint`,
//! `devrev::Page`); this crate is an implementation detail and its generated
//! code names only `devrev::__private`.
//!
//! The crate reads as the three steps of every macro here:
//! `attr` and `ast` parse, `valid` validates, `expand` generates, with
//! `ctxt` collecting errors so all mistakes are reported in one build.

mod ast;
mod attr;
mod ctxt;
mod custom;
mod expand;
mod valid;

use proc_macro::TokenStream;

/// Turns a request struct into a typed DevRev API call.
///
/// See the `devrev` crate's documentation of `devrev_endpoint` for the full
/// reference of the syntax, what is generated, and the retry and pagination
/// rules.
#[proc_macro_attribute]
pub fn devrev_endpoint(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::endpoint(args.into(), item.into()).into()
}

/// Implements `devrev::Page` for a list response: its `next_cursor` field and
/// its `Vec` of items.
#[proc_macro_derive(Page, attributes(page))]
pub fn derive_page(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::page(input).into()
}

/// Implements `devrev::custom_fields::CustomFields` for a struct whose fields
/// are a tenant's (or a subtype's) custom fields.
///
/// See the `devrev` crate's documentation of `CustomFields`.
#[proc_macro_derive(CustomFields, attributes(custom))]
pub fn derive_custom_fields(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    custom::derive_fields(&input).into()
}

/// Implements `devrev::custom_fields::CustomScalar` for an enum whose
/// variants are a custom enum field's allowed values.
///
/// See the `devrev` crate's documentation of `CustomEnum`.
#[proc_macro_derive(CustomEnum, attributes(custom))]
pub fn derive_custom_enum(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    custom::derive_enum(&input).into()
}
