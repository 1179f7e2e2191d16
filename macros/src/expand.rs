//! Expand: the code generated for a valid endpoint or page.
//!
//! Generated code stays thin: a trait impl that carries the endpoint's
//! constants and types, and inherent methods of one line each that call the
//! generic functions of `devrev::__private`. The request logic (auth, retries,
//! decoding, error mapping) is compiled once, in the runtime crate, however
//! many endpoints a crate declares.
//!
//! Every runtime item is named through `<crate>::__private`, bound once as
//! `__devrev` inside a `const _: () = { ... };` block, so the output works in
//! any downstream crate, and with `crate = ...` under a renamed dependency.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident};

use crate::ast::{Endpoint, PageStruct};
use crate::ctxt::Ctxt;
use crate::{attr, valid};

/// `#[devrev_endpoint(...)]`: the struct as written, plus the generated impls.
pub(crate) fn endpoint(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = syn::parse2(item.clone()).map(|input| (input, item.clone())).or_else(|err| {
        // A field named with a keyword (`type: String`): rustc has already
        // reported it, with the `r#type` fix, before calling the attribute.
        // Escaped, the struct parses, so the endpoint is generated as if the
        // user had written `r#type` and adds no error of its own.
        let escaped = escape_keyword_fields(item.clone());
        syn::parse2(escaped.clone()).map(|input| (input, escaped)).map_err(|_| err)
    });
    let (input, item): (DeriveInput, TokenStream) = match parsed {
        Ok(input) => input,
        Err(_) => {
            if let Some((ident, generics)) = broken_struct(&item) {
                // A struct with a syntax error (a field named `type`, say):
                // rustc reports it, with its fix, when it parses the item
                // emitted as written. Add only the attribute's own mistakes,
                // and stand-in methods so calls to `send` stay quiet.
                let mut cx = Ctxt::default();
                let attr = attr::parse_endpoint_attr(&mut cx, args);
                let mut out = match cx.check() {
                    Ok(()) => item,
                    Err(err) => with_errors(item, err),
                };
                if !generics {
                    out.extend(fallback(&ident, &syn::Generics::default(), &attr, None));
                }
                return out;
            }
            let (span, kind) = item_kind(&item);
            let err = syn::Error::new(
                span,
                format!("`#[devrev_endpoint]` goes on a struct, not {kind}: declare the request as a struct with named fields, or a unit struct for an endpoint with no parameters"),
            );
            return with_errors(item, err);
        }
    };
    let mut cx = Ctxt::default();
    let attr = attr::parse_endpoint_attr(&mut cx, args);
    let ep = Endpoint::from_syn(&mut cx, attr, &input);
    let valid = valid::check_endpoint(&mut cx, &ep);
    let builder = ep.attr.builder.as_ref().and_then(|_| valid::check_builder(&mut cx, &ep));
    // The builder does not depend on the rest of the attribute: it is
    // generated even when something else is wrong, so calls to `new` and
    // the setters stay quiet.
    let builder = builder.map(|fields| expand_builder(&ep, &fields, valid.as_ref()));
    let response_error = valid::response_error(&ep);
    let checked = cx.check();
    if checked.is_err() || response_error.is_some() {
        let mut out = match checked {
            Ok(()) => item,
            Err(err) => with_errors(item, err),
        };
        out.extend(fallback(ep.ident(), &ep.input.generics, &ep.attr, response_error));
        out.extend(builder);
        return out;
    }
    match valid {
        Some(valid) => {
            let mut out = expand_endpoint(&ep, &valid, item);
            out.extend(builder);
            out
        }
        None => with_errors(item, syn::Error::new(Span::call_site(), "invalid `#[devrev_endpoint]`")),
    }
}

/// The item with every field named by a keyword (`type: String`, not
/// `r#type`) written as a raw identifier.
fn escape_keyword_fields(item: TokenStream) -> TokenStream {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let",
        "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type",
        "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
        "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    item.into_iter()
        .map(|tt| match tt {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                let body: Vec<TokenTree> = group.stream().into_iter().collect();
                let fixed = body.iter().enumerate().map(|(i, tt)| match tt {
                    TokenTree::Ident(ident)
                        if KEYWORDS.iter().any(|k| ident == k)
                            && matches!(body.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == proc_macro2::Spacing::Alone) =>
                    {
                        TokenTree::Ident(Ident::new_raw(&ident.to_string(), ident.span()))
                    }
                    other => other.clone(),
                });
                let mut escaped = proc_macro2::Group::new(Delimiter::Brace, fixed.collect());
                escaped.set_span(group.span());
                TokenTree::Group(escaped)
            }
            other => other,
        })
        .collect()
}

/// The name of the struct the attribute is on, and whether it has generics,
/// when the item is a struct that does not parse: attributes and visibility,
/// then `struct Name`.
fn broken_struct(item: &TokenStream) -> Option<(Ident, bool)> {
    let mut tokens = item.clone().into_iter();
    loop {
        match tokens.next()? {
            // `#` of an attribute, then its `[...]`; `pub(crate)`'s group.
            TokenTree::Punct(p) if p.as_char() == '#' => {}
            TokenTree::Group(g) if g.delimiter() != Delimiter::Brace => {}
            TokenTree::Ident(i) if i == "pub" => {}
            TokenTree::Ident(i) if i == "struct" => break,
            _ => return None,
        }
    }
    let TokenTree::Ident(name) = tokens.next()? else { return None };
    let generics = matches!(tokens.next(), Some(TokenTree::Punct(p)) if p.as_char() == '<');
    Some((name, generics))
}

/// What the attribute was put on when it is not a struct, enum or union, and
/// the keyword to point at: `fn` rather than a leading `pub` or `#[doc]`.
fn item_kind(item: &TokenStream) -> (Span, &'static str) {
    let mut tokens = item.clone().into_iter().peekable();
    let first = tokens.peek().map_or_else(Span::call_site, TokenTree::span);
    while let Some(tt) = tokens.next() {
        match tt {
            TokenTree::Ident(ident) => {
                let kind = match ident.to_string().as_str() {
                    "fn" => "a function",
                    "impl" => "an impl block",
                    "trait" => "a trait",
                    "mod" => "a module",
                    "type" => "a type alias",
                    "static" => "a static",
                    "use" => "a `use` declaration",
                    "macro_rules" => "a macro",
                    "extern" => "an extern block",
                    // `const fn` is a function; `const X` a constant.
                    "const" if matches!(tokens.peek(), Some(TokenTree::Ident(next)) if next != "fn" && next != "unsafe" && next != "async" && next != "extern") => {
                        "a constant"
                    }
                    _ => continue,
                };
                return (ident.span(), kind);
            }
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => break,
            _ => {}
        }
    }
    (first, "this item")
}

/// On an error, stand-in `send` and `send_with_meta` methods (and, with
/// `paginate`, stand-in `Endpoint` and `Paginated` impls and `pages` and
/// `items`), so calls to them elsewhere in the crate do not add "no method
/// named `send`" errors to the real one. They never run: the crate does not
/// compile.
///
/// `response_error` is the error of a response type that cannot be told
/// (thiserror's `fallback.rs` does the same for its derive): the stand-ins
/// answer with a type alias to that error's `compile_error!`, so it is
/// reported once, from there, and the alias is an error type that the uses of
/// the answer (`created.id`) do not report again.
fn fallback(
    ident: &Ident,
    generics: &syn::Generics,
    attr: &attr::EndpointAttr,
    response_error: Option<syn::Error>,
) -> TokenStream {
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let krate = attr.krate.clone().unwrap_or_else(|| syn::parse_quote!(::devrev));
    let inferred = ident.unraw().to_string().strip_suffix("Request").filter(|stem| !stem.is_empty()).map(|stem| {
        let ty = Ident::new(&format!("{stem}Response"), Span::call_site());
        quote!(#ty)
    });
    let error_alias = response_error.map(|err| {
        // A trait no type implements, with the error as its message: the
        // alias is `page_type`'s device, reported once where it is named and
        // an error type wherever it is used.
        let message = err.to_string();
        quote_spanned! {at(err.span())=>
            #[diagnostic::on_unimplemented(
                message = #message,
                label = "add `response = YourResponseType` to the attribute, or name the request `...Request`"
            )]
            trait __ResponseType {
                const __N: usize;
            }
            trait __Elem {
                type __T;
            }
            impl<T, const N: usize> __Elem for [T; N] {
                type __T = T;
            }
            #[allow(unused)]
            type __DevRevResponse = <[(); <() as __ResponseType>::__N] as __Elem>::__T;
        }
    });
    let (generic, response) = match attr.response.as_ref().map(|ty| quote!(#ty)).or(inferred) {
        Some(ty) => (quote!(), ty),
        // The alias above names the error.
        None if error_alias.is_some() => (quote!(), quote!(__DevRevResponse)),
        // Nothing to name: each call site picks the type.
        None => (quote!(<__DevRevResponse>), quote!(__DevRevResponse)),
    };
    // With `paginate` and a response to name, the streams get stand-ins too;
    // they need the request to be an `Endpoint` and `Paginated`, so those get
    // stand-in impls (bounded like the real ones, so they add no error).
    let stand_in_paginate = attr.paginate.as_ref().filter(|_| generic.is_empty()).map(|kw| {
        let page_ty = page_type(&response, at(kw.span()));
        let method = Ident::new(attr.method.as_ref().map_or("Get", |(m, _)| m.variant()), Span::call_site());
        let impls = quote! {
            #[allow(unused, single_use_lifetimes, clippy::all)]
            impl #impl_generics __devrev::Endpoint for #ident #ty_generics
            where
                for<'__devrev> Self: __devrev::Serialize,
            {
                type Response = #response;
                type Error = __devrev::DevRevError;
                const METHOD: __devrev::Method = __devrev::Method::#method;
                const PATH: &'static str = "/";
                const IDEMPOTENT: bool = true;
            }
            #[allow(unused, single_use_lifetimes, clippy::all)]
            impl #impl_generics __devrev::Paginated for #ident #ty_generics
            where
                for<'__devrev> Self: __devrev::Endpoint,
            {
                type Page = #page_ty;
                fn cursor(&self) -> ::core::option::Option<&str> {
                    ::core::unimplemented!()
                }
                fn set_cursor(&mut self, cursor: ::core::option::Option<__devrev::String>) {
                    ::core::unimplemented!()
                }
            }
        };
        let methods = quote! {
            pub fn pages(&self, client: &__devrev::Client) -> __devrev::Pages<Self>
            where
                for<'__devrev> Self: __devrev::Paginated,
            {
                ::core::unimplemented!()
            }
            pub fn items(&self, client: &__devrev::Client) -> __devrev::Items<Self>
            where
                for<'__devrev> Self: __devrev::Paginated,
            {
                ::core::unimplemented!()
            }
        };
        (impls, methods)
    });
    let (paginate_impls, paginate_methods) = stand_in_paginate.unzip();
    let page_derive = attr.paginate.as_ref().map(|_| page_derive_in_scope(&krate));
    // A `stream` endpoint's `send` returns the events.
    let sent = if attr.stream.is_some() { quote!(__devrev::EventStream<#response>) } else { quote!(#response) };
    quote! {
        #page_derive
        const _: () = {
            use #krate::__private as __devrev;
            #error_alias
            #paginate_impls
            #[allow(unused, single_use_lifetimes, clippy::all)]
            impl #impl_generics #ident #ty_generics #where_clause {
                pub async fn send #generic(&self, client: &__devrev::Client) -> __devrev::Result<#sent> {
                    ::core::unimplemented!()
                }
                pub async fn send_with_meta #generic(
                    &self,
                    client: &__devrev::Client,
                ) -> __devrev::Result<__devrev::Response<#response>> {
                    ::core::unimplemented!()
                }
                #paginate_methods
            }
        };
    }
}

/// `#[derive(Page)]`: the `Page` impl.
pub(crate) fn page(input: DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let page = PageStruct::from_syn(&mut cx, &input);
    let valid = valid::check_page(&mut cx, &page);
    if let Err(err) = cx.check() {
        let mut out = err.to_compile_error();
        out.extend(page_fallback(&page));
        return out;
    }
    let Some(valid) = valid else {
        return syn::Error::new(Span::call_site(), "invalid `#[derive(Page)]`").to_compile_error();
    };
    let krate = &valid.krate;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let items = valid.items_field;
    let cursor = valid.cursor_field;
    let item_ty = valid.item_ty;
    let item_ty = quote_spanned!(item_ty.span()=> #item_ty);
    // As for a request's `cursor`: a local trait only `Option<String>`
    // implements, so another type is one error on the field's type.
    let cursor_span = at(valid.cursor_ty.span());
    let next_cursor = quote_spanned!(cursor_span=> __NextCursor::__get(&self.#cursor));
    // `prev_cursor` is optional; when present it is checked the same way, with
    // its own message. Without it the trait's default (`None`) stays.
    let prev_cursor = valid.prev_cursor.map(|(field, ty)| {
        let span = at(ty.span());
        let get = quote_spanned!(span=> __PrevCursor::__get(&self.#field));
        let check = quote! {
            #[diagnostic::on_unimplemented(
                message = "the `prev_cursor` field of a `#[derive(Page)]` struct must be an `Option<String>`, not `{Self}`",
                label = "write `Option<String>` here",
                note = "DevRev leaves `prev_cursor` out of the first page, which `None` stands for"
            )]
            trait __PrevCursor {
                fn __get(&self) -> ::core::option::Option<&str>;
            }
            impl __PrevCursor for ::core::option::Option<__devrev::String> {
                #[inline]
                fn __get(&self) -> ::core::option::Option<&str> {
                    ::core::option::Option::as_deref(self)
                }
            }
        };
        let method = quote! {
            #[inline]
            fn prev_cursor(&self) -> ::core::option::Option<&str> {
                #get
            }
        };
        (check, method)
    });
    let (prev_cursor_check, prev_cursor_method) = prev_cursor.unzip();
    quote! {
        const _: () = {
            use #krate::__private as __devrev;
            #[diagnostic::on_unimplemented(
                message = "the `next_cursor` field of a `#[derive(Page)]` struct must be an `Option<String>`, not `{Self}`",
                label = "write `Option<String>` here",
                note = "DevRev leaves `next_cursor` out of the last page, which `None` stands for"
            )]
            trait __NextCursor {
                fn __get(&self) -> ::core::option::Option<&str>;
            }
            impl __NextCursor for ::core::option::Option<__devrev::String> {
                #[inline]
                fn __get(&self) -> ::core::option::Option<&str> {
                    ::core::option::Option::as_deref(self)
                }
            }
            #prev_cursor_check
            #[automatically_derived]
            impl #impl_generics __devrev::Page for #ident #ty_generics #where_clause {
                type Item = #item_ty;
                #[inline]
                fn next_cursor(&self) -> ::core::option::Option<&str> {
                    #next_cursor
                }
                #prev_cursor_method
                #[inline]
                fn into_items(self) -> __devrev::Vec<Self::Item> {
                    self.#items
                }
            }
        };
    }
}

/// On an error, a stand-in `Page` impl when the items can be told (the one
/// `Vec`, the marked one, or the one named like the struct), so a request
/// that pages this type, and the loops over its items, add no error of their
/// own to the real one. It never runs: the crate does not compile.
fn page_fallback(page: &PageStruct) -> TokenStream {
    let Some(item_ty) = valid::guess_page_items(page) else {
        return TokenStream::new();
    };
    let input = page.input;
    let ident = &input.ident;
    let krate = page.attr.krate.clone().unwrap_or_else(|| syn::parse_quote!(::devrev));
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        const _: () = {
            use #krate::__private as __devrev;
            #[allow(unused, clippy::all)]
            impl #impl_generics __devrev::Page for #ident #ty_generics #where_clause {
                type Item = #item_ty;
                fn next_cursor(&self) -> ::core::option::Option<&str> {
                    ::core::unimplemented!()
                }
                fn into_items(self) -> __devrev::Vec<Self::Item> {
                    ::core::unimplemented!()
                }
            }
        };
    }
}

/// `builder`: `new(required fields..)` and a setter per `Option` field, in
/// an inherent impl of their own. Nothing here names the runtime: the code
/// is the constructor and setters a user would write, with their docs.
fn expand_builder(ep: &Endpoint, fields: &[valid::BuilderField], valid: Option<&valid::ValidEndpoint>) -> TokenStream {
    let ident = ep.ident();
    let (impl_generics, ty_generics, where_clause) = ep.input.generics.split_for_impl();
    let cfgs = |field: &syn::Field| -> Vec<syn::Attribute> {
        field.attrs.iter().filter(|a| a.path().is_ident("cfg")).cloned().collect()
    };
    let name = |ident: &Ident| ident.unraw().to_string();

    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut required = Vec::new();
    for f in fields {
        let field = f.ident;
        let cfg = cfgs(f.field);
        match f.kind {
            valid::FieldKind::Required(ty) => {
                required.push(format!("`{}`", name(field)));
                let param = into_of(ty);
                params.push(quote!(#(#cfg)* #field: #param));
                inits.push(if is_number(ty) {
                    quote!(#(#cfg)* #field)
                } else {
                    quote!(#(#cfg)* #field: ::core::convert::Into::into(#field))
                });
            }
            valid::FieldKind::NoSetter => inits.push(quote!(#(#cfg)* #field: ::core::option::Option::None)),
            valid::FieldKind::Optional(ty) => {
                inits.push(quote!(#(#cfg)* #field: ::core::option::Option::None));
                let doc = format!("Sets `{}`.", name(field));
                let docs = setter_docs(f.field, &doc);
                let param = into_of(ty);
                let convert = if is_number(ty) { quote!(value) } else { quote!(::core::convert::Into::into(value)) };
                setters.push(quote! {
                    #docs #(#cfg)*
                    #[must_use]
                    pub fn #field(mut self, value: #param) -> Self {
                        self.#field = ::core::option::Option::Some(#convert);
                        self
                    }
                });
            }
            valid::FieldKind::List(item) => {
                inits.push(quote!(#(#cfg)* #field: ::core::option::Option::None));
                let doc = format!("Sets `{}` from any list of values (an array, a `Vec`, an iterator).", name(field));
                let docs = setter_docs(f.field, &doc);
                // A list of numbers takes the number type itself, so `[1, 2]` infers.
                let bound = if is_number(item) {
                    quote!(I: ::core::iter::IntoIterator<Item = #item>,)
                } else {
                    quote!(I: ::core::iter::IntoIterator, I::Item: ::core::convert::Into<#item>,)
                };
                setters.push(quote! {
                    #docs #(#cfg)*
                    #[must_use]
                    pub fn #field<I>(mut self, values: I) -> Self
                    where
                        #bound
                    {
                        self.#field = ::core::option::Option::Some(::core::iter::Iterator::collect(
                            ::core::iter::Iterator::map(::core::iter::IntoIterator::into_iter(values), ::core::convert::Into::into),
                        ));
                        self
                    }
                });
            }
        }
    }
    let what = match valid {
        Some(v) => format!("Creates the request for `{} {}`", v.method.as_str(), v.path.value()),
        None => "Creates the request".to_owned(),
    };
    let new_doc = match (required.is_empty(), fields.len() == required.len()) {
        (true, true) => format!("{what}."),
        (true, false) => format!("{what} with every optional field unset; set them with their setters."),
        (false, true) => format!("{what} from its fields: {}.", required.join(", ")),
        (false, false) => format!(
            "{what} from its required fields: {}. The optional fields start unset; set them with their setters.",
            required.join(", ")
        ),
    };
    let body = if ep.fields.as_ref().is_some_and(Vec::is_empty) { quote!(Self) } else { quote!(Self { #(#inits,)* }) };
    quote! {
        const _: () = {
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            impl #impl_generics #ident #ty_generics #where_clause {
                #[doc = #new_doc]
                pub fn new(#(#params),*) -> Self {
                    #body
                }

                #(#setters)*
            }
        };
    }
}

/// The parameter type of a constructor argument or setter for a field of type
/// `ty`: `impl Into<T>`, except for a primitive number type, which is taken
/// as itself. `impl Into<u32>` defeats integer-literal inference (`.limit(10)`
/// would be an `i32`, and `u32: From<i32>` does not hold); `u32` itself lets
/// the literal become a `u32`.
fn into_of(ty: &syn::Type) -> TokenStream {
    if is_number(ty) {
        quote!(#ty)
    } else {
        quote!(impl ::core::convert::Into<#ty>)
    }
}

/// Whether `ty` names a primitive integer or float type: `u32`, or
/// `core::primitive::u32` / `std::primitive::u32`. (A type alias of one is
/// not seen through: it keeps `impl Into<T>`.)
fn is_number(ty: &syn::Type) -> bool {
    const NUMBERS: [&str; 14] =
        ["u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64"];
    let syn::Type::Path(syn::TypePath { qself: None, path }) = ty else {
        return false;
    };
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    if path.segments.iter().any(|s| !s.arguments.is_empty()) {
        return false;
    }
    let name = match segments.as_slice() {
        [name] if path.leading_colon.is_none() => name,
        [krate, primitive, name] if (krate == "core" || krate == "std") && primitive == "primitive" => name,
        _ => return false,
    };
    NUMBERS.contains(&name.as_str())
}

/// A setter's docs: the field's own doc comment (and `#[deprecated]`), then
/// what the setter does.
fn setter_docs(field: &syn::Field, what: &str) -> TokenStream {
    let keep = field.attrs.iter().filter(|a| a.path().is_ident("doc") || a.path().is_ident("deprecated"));
    let has_docs = field.attrs.iter().any(|a| a.path().is_ident("doc"));
    let sep = has_docs.then(|| quote!(#[doc = ""]));
    quote!(#(#keep)* #sep #[doc = #what])
}

/// With `paginate`: the `Page` derive, and nothing else (no trait, no
/// other name), glob-imported into the request's module, so the response
/// declared beside it can `#[derive(Page)]` without `use devrev::Page;`. A
/// glob yields to every named import: the user's own `use devrev::Page` (or
/// `use other::Page`) takes precedence, and `use devrev::*` names the same
/// derive. In another module the derive still needs its
/// import: rustc reports it, and `paginate` notes the missing import.
fn page_derive_in_scope(krate: &syn::Path) -> TokenStream {
    quote! {
        #[doc(hidden)]
        #[allow(unused_imports)]
        use #krate::__private::derive_page::*;
    }
}

/// A request's `Paginated::Page` type, `<[R; <R as Page>::__PAGE] as
/// PageOf>::Page` for the response `R`, every token of it at `span`. It is
/// `R` when `R` implements `Page`; otherwise the constant is the one error,
/// at `span`, and the type an error that no use of it reports again.
fn page_type(response: &TokenStream, span: Span) -> TokenStream {
    let response = respan(response.clone(), span);
    quote_spanned! {span=>
        <[#response; <#response as __devrev::Page>::__PAGE] as __devrev::PageOf>::Page
    }
}

/// A concrete request's `error = E`, as `(alias, bound)`: the alias
/// `__DevRevErrorBody` is `<[E; <E as ErrorBodyCheck>::CHECKED] as
/// ErrorOf>::Error` (public traits: the type is in the request's public
/// `Endpoint` impl), `E` when `E` implements `ErrorBody` (the check's blanket
/// impl asks for `E: ErrorBody` and not its supertraits: one the user's impl
/// lacks is reported on that impl, once). Otherwise the constant is the one error, on `error =
/// E`, and the alias an error type that no use reports again. The bound
/// `for<'__devrev> __DevRevErrorBody: ErrorBody` goes on the `Endpoint` impl,
/// which then holds wherever the user's impl does.
fn error_body_type(ty: &syn::Type) -> (TokenStream, TokenStream) {
    let span = at(ty.span());
    let ty = respan(quote!(#ty), span);
    let alias = quote_spanned! {span=>
        type __DevRevErrorBody = <[#ty; <#ty as __devrev::ErrorBodyCheck>::CHECKED] as __devrev::ErrorOf>::Error;
    };
    let bound = quote_spanned!(span=> for<'__devrev> __DevRevErrorBody: __devrev::ErrorBody);
    (alias, bound)
}

/// `tokens`, every one of them placed at `span` (each keeps its own
/// hygiene, so a `$crate` or a macro's local name still resolves).
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            let placed = tt.span().located_at(span);
            if let TokenTree::Group(group) = &tt {
                let mut inner = proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(placed);
                tt = TokenTree::Group(inner);
            } else {
                tt.set_span(placed);
            }
            tt
        })
        .collect()
}

/// A span at `span`'s place in the user's code that resolves, and is linted,
/// as the macro's own output: errors still point at the user's token, but
/// lints the user enabled (`unused_qualifications`, clippy's) do not fire on
/// code they did not write.
fn at(span: Span) -> Span {
    Span::call_site().located_at(span)
}

fn with_errors(mut item: TokenStream, err: syn::Error) -> TokenStream {
    // The struct is emitted as written so the rest of the crate, and an IDE,
    // still see it; the errors stand beside it.
    item.extend(err.to_compile_error());
    item
}

fn expand_endpoint(ep: &Endpoint, v: &valid::ValidEndpoint, item: TokenStream) -> TokenStream {
    let krate = &v.krate;
    let ident = ep.ident();
    let generics = &ep.input.generics;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    let response = &v.response;
    let response_span = response.span();
    let response = quote_spanned!(response_span=> #response);
    let error = match &v.error {
        Some(ty) => quote_spanned!(ty.span()=> #ty),
        None => quote!(__devrev::DevRevError),
    };
    // A concrete request's own `error = E`, named through `error_body_type`:
    // the one error is the user's, wherever it is (`E` is not an `ErrorBody`:
    // on `error = E`; the user's `impl ErrorBody for E` lacks a supertrait:
    // on that impl, and not again here).
    let error_device = v.error.as_ref().filter(|_| generics.params.is_empty()).map(error_body_type);
    let method = Ident::new(v.method.variant(), v.method_span);
    let path = &v.path;
    let idempotent = v.idempotent;
    // `false` is the trait's default: only a beta endpoint says anything.
    let beta = v.beta.then(|| {
        quote!(
            const BETA: bool = true;
        )
    });
    let verb = v.method.as_str();
    let path_str = path.value();

    // A generic request implements the trait wherever it is `Serialize`; a
    // concrete one must be, and the error says so on the struct's name.
    let endpoint_where = if ep.has_type_generics() {
        let mut generics = generics.clone();
        generics.make_where_clause().predicates.push(syn::parse_quote!(Self: __devrev::Serialize));
        let wc = generics.where_clause;
        quote!(#wc)
    } else {
        quote!(#where_clause)
    };

    let retry_doc = if idempotent {
        "The endpoint is declared idempotent: transient failures (5xx, timeouts, dropped connections) are retried under the client's retry policy."
    } else {
        "The endpoint is not declared idempotent: only failures that prove the request was not processed (408, 429, connection refused) are retried."
    };
    let beta_doc = if v.beta { "\n\nA beta endpoint: every call carries `X-Devrev-Scope: beta`." } else { "" };
    let send_doc = format!(
        "Sends `{verb} {path_str}` to DevRev and decodes the answer.\n\n{retry_doc}{beta_doc}\n\n# Errors\n\nA `devrev::Error` for a DevRev error answer (typed by the endpoint's error body), a transport failure, a timeout, or an answer that does not decode."
    );
    let meta_doc = format!(
        "Sends `{verb} {path_str}` like `send`, and returns the decoded value with the answer's status, headers, rate-limit information and the number of attempts made."
    );

    // A streamed answer: `send` returns the events as they come (their
    // stream has the answer's status and headers); otherwise `send` and
    // `send_with_meta` decode the whole answer.
    let stream_doc = v.stream.then(|| format!(
        "Sends `{verb} {path_str}` to DevRev and returns its answer's server-sent events, each decoded into `{}` as it arrives.\n\n{retry_doc}{beta_doc}\n\n# Errors\n\nA `devrev::Error` until the answer's headers arrive, as for any call; the stream yields the errors of its events.",
        quote!(#response).to_string().replace(' ', "")
    ));
    // (doc, name, what the future yields, the runtime function it calls)
    let sends: Vec<(String, Ident, TokenStream, TokenStream)> = match stream_doc {
        Some(doc) => vec![(
            doc,
            Ident::new("send", Span::call_site()),
            quote!(__devrev::EventStream<#response>),
            quote!(__devrev::send_stream),
        )],
        None => vec![
            (send_doc, Ident::new("send", Span::call_site()), quote!(#response), quote!(__devrev::send)),
            (
                meta_doc,
                Ident::new("send_with_meta", Span::call_site()),
                quote!(__devrev::Response<#response>),
                quote!(__devrev::send_with_meta),
            ),
        ],
    };
    let send_methods: TokenStream = sends
        .into_iter()
        .map(|(doc, name, output, call)| {
            if generics.params.is_empty() {
                // A concrete request: the runtime's future itself, with no
                // `async` wrapper around it (a wrapper is one more coroutine
                // per method to type-check, borrow-check, lay out and
                // compile, in every crate that declares endpoints), and
                // `#[inline]`, so it is compiled only where it is called.
                // Rustdoc shows the `async fn` a user would write.
                quote! {
                    #[doc = #doc]
                    #[cfg(not(doc))]
                    #[inline]
                    #[allow(clippy::future_not_send)] // `Send` exactly when the request is `Sync`
                    pub fn #name<'__devrev>(
                        &'__devrev self,
                        client: &'__devrev __devrev::Client,
                    ) -> impl ::core::future::Future<Output = __devrev::Result<#output>> + '__devrev {
                        #call(client, self)
                    }
                    #[doc = #doc]
                    #[cfg(doc)]
                    pub async fn #name(&self, client: &__devrev::Client) -> __devrev::Result<#output> {
                        ::core::unimplemented!()
                    }
                }
            } else {
                // A generic request (its lifetimes would have to be named
                // in the opaque type's captures): an `async fn`.
                quote! {
                    #[doc = #doc]
                    #[inline]
                    #[allow(clippy::future_not_send)] // `Send` exactly when the request is `Sync`
                    pub async fn #name(&self, client: &__devrev::Client) -> __devrev::Result<#output> {
                        #call(client, self).await
                    }
                }
            }
        })
        .collect();

    let ident_span = at(ident.span());
    let impl_endpoint = quote_spanned! {ident_span=>
        #[automatically_derived]
        impl #impl_generics __devrev::Endpoint for #ident #ty_generics #endpoint_where
    };
    let endpoint_body = |error: &TokenStream| {
        quote! {
            type Response = #response;
            type Error = #error;
            #[cfg(not(doc))]
            const METHOD: __devrev::Method = __devrev::Method::#method;
            // Rustdoc prints a path value as written (`__devrev::Method::Get`)
            // and a block not at all; the block keeps `Method` out of the
            // scope of the user's types.
            #[cfg(doc)]
            const METHOD: __devrev::Method = { use __devrev::Method; Method::#method };
            const PATH: &'static str = #path;
            const IDEMPOTENT: bool = #idempotent;
            #beta
        }
    };
    let endpoint_impl = match error_device {
        // The compiled impl names the error through the alias, under a bound
        // on it (higher-ranked, so it is not checked here) from which the
        // compiler takes the `ErrorBody` supertraits it would otherwise check
        // again; rustdoc shows the impl as a user would write it.
        Some((alias, bound)) => {
            let compiled = endpoint_body(&quote!(__DevRevErrorBody));
            let documented = endpoint_body(&error);
            quote! {
                #alias
                #[automatically_derived]
                #[cfg(not(doc))]
                impl __devrev::Endpoint for #ident where #bound {
                    #compiled
                }
                #[automatically_derived]
                #[cfg(doc)]
                impl __devrev::Endpoint for #ident {
                    #documented
                }
            }
        }
        None => {
            let body = endpoint_body(&error);
            quote! {
                #impl_endpoint {
                    #body
                }
            }
        }
    };

    let paginate = v.paginate.as_ref().map(|kw| {
        // The cursor is read and written through a local trait implemented
        // only for `Option<String>`: a field of another type gets one error,
        // on the field's type, that names the type to write.
        let cursor_ty_span = at(ep.field("cursor").map_or(kw.span(), |f| f.ty.span()));
        let kw_span = at(kw.span());
        let cursor_field = quote_spanned!(cursor_ty_span=> self.cursor);
        let get = quote_spanned!(cursor_ty_span=> __Cursor::__get(&#cursor_field));
        let set = quote_spanned!(cursor_ty_span=> __Cursor::__set(&mut #cursor_field, cursor));
        let cursor_trait = quote! {
            #[diagnostic::on_unimplemented(
                message = "the `cursor` field of a `paginate` request must be an `Option<String>`, not `{Self}`",
                label = "write `Option<String>` here",
                note = "the page stream writes the next page's cursor into this field: `None` asks for the first page"
            )]
            trait __Cursor {
                fn __get(&self) -> ::core::option::Option<&str>;
                fn __set(&mut self, cursor: ::core::option::Option<__devrev::String>);
            }
            impl __Cursor for ::core::option::Option<__devrev::String> {
                #[inline]
                fn __get(&self) -> ::core::option::Option<&str> {
                    ::core::option::Option::as_deref(self)
                }
                #[inline]
                fn __set(&mut self, cursor: ::core::option::Option<__devrev::String>) {
                    *self = cursor;
                }
            }
        };
        let pages_doc = format!(
            "Streams the pages of `{verb} {path_str}`: sends this request, then follows each page's `next_cursor` (`prev_cursor` when the request's `mode` is `before`) until the last page. An error is yielded once and ends the stream."
        );
        let items_doc = format!(
            "Streams the items of every page of `{verb} {path_str}`, one at a time, fetching the next page when the current one is used up. An error is yielded once and ends the stream."
        );
        let paginated_body = quote! {
            #[inline]
            fn cursor(&self) -> ::core::option::Option<&str> {
                #get
            }
            #[inline]
            fn set_cursor(&mut self, cursor: ::core::option::Option<__devrev::String>) {
                #set
            }
        };
        // The response as a page. On a concrete request it is named through
        // `<Response as Page>::__PAGE`, with the response's tokens placed on
        // `paginate`: a response that is not a `Page` is reported there,
        // once, and the type is then an error the compiler reports nowhere
        // else (not at `pages`, `items`, or where the items are used).
        let page_ty = page_type(&response, kw_span);
        let impl_paginated = if generics.params.is_empty() {
            // A concrete request. The `Endpoint` bound, written `for<..>` so
            // it is not checked here, keeps a request that is not
            // `Serialize` from being reported again on this impl (the
            // `Endpoint` impl reports it); the response's `Page` impl is
            // checked here, once, on the `paginate` keyword. The impl then
            // holds wherever the request is used, so `pages` and `items`
            // calls add no errors of their own.
            quote_spanned! {kw_span=>
                #[automatically_derived]
                #[cfg(not(doc))]
                impl __devrev::Paginated for #ident
                where
                    for<'__devrev> #ident: __devrev::Endpoint,
                {
                    type Page = #page_ty;
                    #paginated_body
                }
                // What rustdoc shows: the impl as a user would write it.
                #[automatically_derived]
                #[cfg(doc)]
                impl __devrev::Paginated for #ident {
                    type Page = #response;
                    #paginated_body
                }
            }
        } else {
            // A generic response cannot be named in a constant: a response
            // that is not a `Page` is reported here and where its items are
            // used.
            quote_spanned! {kw_span=>
                #[automatically_derived]
                impl #impl_generics __devrev::Paginated for #ident #ty_generics #endpoint_where {
                    type Page = #response;
                    #paginated_body
                }
            }
        };
        // The bound is written `for<'__devrev> Self: ...` so that an unmet
        // bound is not reported here as a "trivially false" where clause
        // (on a generic request, an unmet `Clone` is reported where `pages`
        // is called). Rustdoc shows the signature a user would write instead
        // (`doc_bound`).
        let doc_bound = if generics.params.is_empty() {
            quote!()
        } else {
            quote!(where Self: __devrev::Paginated + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static,)
        };
        // On a concrete request the streams are of `__DevRevCloned`: the
        // request itself when it is `Clone`; otherwise the one error, the
        // missing `Clone` on `paginate` (with rustc's `#[derive(Clone)]`
        // fix), and an error type, so `try_next` and the loops over the
        // items add none (the same device as `page_type`; the traits are
        // public, in `__private`, as the signatures are public). A generic request
        // keeps the bound, reported where `pages` or `items` is called.
        //
        // A request that derives `Clone` in its own attributes is `Clone`:
        // it needs no check, and the streams are of `Self` (the check is a
        // constant to evaluate and a type to normalize per endpoint).
        let (stream_req, stream_bound, clone_check) = if generics.params.is_empty() && ep.derives_clone() {
            (
                quote_spanned!(kw_span=> Self),
                quote_spanned!(kw_span=> for<'__devrev> Self: __devrev::Paginated + ::core::marker::Send + ::core::marker::Sync + 'static),
                None,
            )
        } else if generics.params.is_empty() {
            let req = respan(quote!(#ident), kw_span);
            let check = quote_spanned! {kw_span=>
                type __DevRevCloned = <[#req; <#req as __devrev::PagedClone>::__CLONE] as __devrev::CloneOf>::Request;
            };
            (
                quote_spanned!(kw_span=> __DevRevCloned),
                quote_spanned!(kw_span=> for<'__devrev> Self: __devrev::Paginated + ::core::marker::Send + ::core::marker::Sync + 'static),
                Some(check),
            )
        } else {
            (
                quote_spanned!(kw_span=> Self),
                quote_spanned!(kw_span=> for<'__devrev> Self: __devrev::Paginated + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static),
                None,
            )
        };
        // `#[inline]`, as `send`: a non-generic method is otherwise
        // compiled in the crate that declares it, with the stream
        // constructor it instantiates, whether or not anything calls it.
        let methods = quote_spanned! {kw_span=>
            #[doc = #pages_doc]
            #[cfg(not(doc))]
            #[inline]
            pub fn pages(&self, client: &__devrev::Client) -> __devrev::Pages<#stream_req>
            where
                #stream_bound,
            {
                __devrev::Pages::new(client, <#stream_req as ::core::clone::Clone>::clone(self))
            }
            #[doc = #pages_doc]
            #[cfg(doc)]
            pub fn pages(&self, client: &__devrev::Client) -> __devrev::Pages<Self> #doc_bound {
                ::core::unimplemented!()
            }

            #[doc = #items_doc]
            #[cfg(not(doc))]
            #[inline]
            pub fn items(&self, client: &__devrev::Client) -> __devrev::Items<#stream_req>
            where
                #stream_bound,
            {
                __devrev::Items::new(client, <#stream_req as ::core::clone::Clone>::clone(self))
            }
            #[doc = #items_doc]
            #[cfg(doc)]
            pub fn items(&self, client: &__devrev::Client) -> __devrev::Items<Self> #doc_bound {
                ::core::unimplemented!()
            }
        };
        (
            quote! {
                #cursor_trait

                #clone_check

                #impl_paginated
            },
            methods,
        )
    });
    let (paginated_impl, paginated_methods) = paginate.unzip();
    let page_derive = v.paginate.as_ref().map(|_| page_derive_in_scope(krate));

    quote! {
        #item

        #page_derive

        const _: () = {
            use #krate::__private as __devrev;

            #endpoint_impl

            #paginated_impl

            // The methods exist where the endpoint does. The bound is
            // `Self: Serialize`, not `Self: Endpoint`: under an `Endpoint`
            // bound the compiler would not see that `Self::Response` is the
            // response type. A call on a request that is not `Serialize` is
            // then one "method exists but its trait bounds were not satisfied".
            // Inherent impls cannot be `#[automatically_derived]` (rustc is
            // phasing that out), so lints that would fire on the user's own
            // generics are allowed here by name.
            #[allow(single_use_lifetimes)]
            impl #impl_generics #ident #ty_generics #endpoint_where {
                #send_methods

                #paginated_methods
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    /// The items rustdoc documents (`#[cfg(doc)]`), whitespace removed, each
    /// up to the next attribute.
    fn doc_items(out: &str) -> Vec<String> {
        let out: String = out.split_whitespace().collect();
        out.split("#[cfg(doc)]").skip(1).map(|rest| rest.split("#[").next().unwrap_or_default().to_owned()).collect()
    }

    #[test]
    fn rustdoc_sees_the_signatures_a_user_would_write() {
        let args = quote!(GET, "/tags.list", paginate);
        let item = quote! {
            #[derive(Clone, Serialize)]
            pub struct TagsListRequest { pub cursor: Option<String> }
        };
        let out = super::endpoint(args, item).to_string();
        let compact: String = out.split_whitespace().collect();
        // The compiled items keep the bounds that route errors...
        assert!(compact.contains("for<'__devrev>Self:__devrev::Paginated"), "{out}");
        assert!(compact.contains("__devrev::Method::Get"), "{out}");
        // ...and rustdoc sees the METHOD value, both streams and the
        // `Paginated` impl without them.
        let docs = doc_items(&out);
        assert!(
            docs.iter().any(|d| d.contains("constMETHOD:__devrev::Method={use__devrev::Method;Method::Get};")),
            "{docs:#?}"
        );
        assert!(
            docs.iter().any(|d| d.starts_with("pubfnpages(&self,client:&__devrev::Client)->__devrev::Pages<Self>{")),
            "{docs:#?}"
        );
        assert!(
            docs.iter().any(|d| d.starts_with("pubfnitems(&self,client:&__devrev::Client)->__devrev::Items<Self>{")),
            "{docs:#?}"
        );
        assert!(docs.iter().any(|d| d.starts_with("impl__devrev::PaginatedforTagsListRequest{")), "{docs:#?}");
        // `send` and `send_with_meta`: compiled, the runtime's future itself,
        // `#[inline]`; documented, the `async fn` a user would write.
        assert!(
            compact.contains("#[inline]#[allow(clippy::future_not_send)]pubfnsend<'__devrev>(&'__devrevself,client:&'__devrev__devrev::Client,)->impl::core::future::Future<Output=__devrev::Result<TagsListResponse>>+'__devrev{__devrev::send(client,self)}"),
            "{out}"
        );
        assert!(compact.contains("{__devrev::send_with_meta(client,self)}"), "{out}");
        assert!(!compact.contains(".await"), "an async wrapper around the runtime's future: {out}");
        assert!(
            docs.iter().any(|d| d
                .starts_with("pubasyncfnsend(&self,client:&__devrev::Client)->__devrev::Result<TagsListResponse>{")),
            "{docs:#?}"
        );
        assert!(
            docs.iter().any(|d| d.starts_with(
                "pubasyncfnsend_with_meta(&self,client:&__devrev::Client)->__devrev::Result<__devrev::Response<TagsListResponse>>{"
            )),
            "{docs:#?}"
        );
        for doc in &docs {
            assert!(!doc.contains("for<"), "a higher-ranked bound in rustdoc's view: {doc}");
            assert!(!doc.contains("__devrev::Method::"), "a private path in rustdoc's view: {doc}");
        }
    }

    #[test]
    fn the_clone_check_only_where_clone_is_not_derived() {
        let args = quote!(GET, "/tags.list", paginate);
        let derived = quote! {
            #[derive(Debug, ::core::clone::Clone, Serialize)]
            pub struct TagsListRequest { pub cursor: Option<String> }
        };
        let out: String = super::endpoint(args.clone(), derived).to_string().split_whitespace().collect();
        assert!(!out.contains("PagedClone"), "{out}");
        assert!(out.contains("->__devrev::Pages<Self>where"), "{out}");
        assert!(out.contains("__devrev::Pages::new(client,<Selfas::core::clone::Clone>::clone(self))"), "{out}");
        let not_derived = quote! {
            #[derive(Debug, Serialize)]
            pub struct TagsListRequest { pub cursor: Option<String> }
        };
        let out: String = super::endpoint(args, not_derived).to_string().split_whitespace().collect();
        assert!(out.contains("<TagsListRequestas__devrev::PagedClone>::__CLONE"), "{out}");
        assert!(out.contains("->__devrev::Pages<__DevRevCloned>where"), "{out}");
    }

    #[test]
    fn generic_requests_document_their_real_bounds() {
        let args = quote!(GET, "/tags.list", paginate, response = Page<T>);
        let item = quote! {
            #[derive(Clone, Serialize)]
            pub struct TagsListRequest<T> { pub cursor: Option<String>, pub t: T }
        };
        let docs = doc_items(&super::endpoint(args, item).to_string());
        assert!(
            docs.iter().any(|d| d.starts_with(
                "pubfnitems(&self,client:&__devrev::Client)->__devrev::Items<Self>whereSelf:__devrev::Paginated+::core::clone::Clone"
            )),
            "{docs:#?}"
        );
        assert!(docs.iter().all(|d| !d.contains("for<")), "{docs:#?}");
        // A generic request's `send` is the `async fn` itself (its lifetimes
        // would have to be named among the captures of an opaque type).
        let args = quote!(POST, "/tags.get", response = Tag<'a>);
        let item = quote! {
            #[derive(Serialize)]
            pub struct TagsGetRequest<'a> { pub id: &'a str }
        };
        let out: String = super::endpoint(args, item).to_string().split_whitespace().collect();
        assert!(
            out.contains("pubasyncfnsend(&self,client:&__devrev::Client)->__devrev::Result<Tag<'a>>{__devrev::send(client,self).await}"),
            "{out}"
        );
    }
}
