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
    let input: DeriveInput = match syn::parse2(item.clone()) {
        Ok(input) => input,
        Err(_) => {
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
    if let Err(err) = cx.check() {
        let mut out = with_errors(item, err);
        out.extend(fallback(&ep));
        return out;
    }
    match valid {
        Some(valid) => expand_endpoint(&ep, &valid, item),
        None => with_errors(item, syn::Error::new(Span::call_site(), "invalid `#[devrev_endpoint]`")),
    }
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

/// On an error, stand-in `send` and `send_with_meta` methods, so calls to them
/// elsewhere in the crate do not add "no method named `send`" errors to the
/// real one. They never run: the crate does not compile.
fn fallback(ep: &Endpoint) -> TokenStream {
    let ident = ep.ident();
    let (impl_generics, ty_generics, where_clause) = ep.input.generics.split_for_impl();
    let krate = ep.attr.krate.clone().unwrap_or_else(|| syn::parse_quote!(::devrev));
    let inferred = ident.unraw().to_string().strip_suffix("Request").filter(|stem| !stem.is_empty()).map(|stem| {
        let ty = Ident::new(&format!("{stem}Response"), ident.span());
        quote!(#ty)
    });
    let (generic, response) = match ep.attr.response.as_ref().map(|ty| quote!(#ty)).or(inferred) {
        Some(ty) => (quote!(), ty),
        // Nothing to name: each call site picks the type.
        None => (quote!(<__DevRevResponse>), quote!(__DevRevResponse)),
    };
    quote! {
        const _: () = {
            use #krate::__private as __devrev;
            #[allow(unused, single_use_lifetimes, clippy::all)]
            impl #impl_generics #ident #ty_generics #where_clause {
                pub async fn send #generic(&self, client: &__devrev::Client) -> __devrev::Result<#response> {
                    ::core::unimplemented!()
                }
                pub async fn send_with_meta #generic(
                    &self,
                    client: &__devrev::Client,
                ) -> __devrev::Result<__devrev::Response<#response>> {
                    ::core::unimplemented!()
                }
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
        return err.to_compile_error();
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

    let ident_span = at(ident.span());
    let impl_endpoint = quote_spanned! {ident_span=>
        #[automatically_derived]
        impl #impl_generics __devrev::Endpoint for #ident #ty_generics #endpoint_where
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
            "Streams the pages of `{verb} {path_str}`: sends this request, then follows each page's `next_cursor` until the last page. An error is yielded once and ends the stream."
        );
        let items_doc = format!(
            "Streams the items of every page of `{verb} {path_str}`, one at a time, fetching the next page when the current one is used up. An error is yielded once and ends the stream."
        );
        let (impl_paginated, page_check) = if generics.params.is_empty() {
            // A concrete request: the response's `Page` impl is checked once,
            // by `page_check`, and the impl only restates it (under `for<..>`
            // so the compiler does not report it a second time). Reporting
            // it through `Paginated`'s own bound would list every `Page` impl
            // in the dependency graph, a list that changes as crates grow.
            let impl_paginated = quote_spanned! {kw_span=>
                #[automatically_derived]
                impl __devrev::Paginated for #ident
                where
                    for<'__devrev> <#ident as __devrev::Endpoint>::Response: __devrev::Page,
            };
            (impl_paginated, page_check(ident, kw))
        } else {
            let impl_paginated = quote_spanned! {kw_span=>
                #[automatically_derived]
                impl #impl_generics __devrev::Paginated for #ident #ty_generics #endpoint_where
            };
            (impl_paginated, quote!())
        };
        // The bound is written `for<'__devrev> Self: ...` so that, on a
        // concrete request, an unmet bound (a response without `Page`, a
        // request without `Clone`) is reported where `pages` is called, not
        // a second time here as a "trivially false" where clause.
        let methods = quote_spanned! {kw_span=>
            #[doc = #pages_doc]
            pub fn pages(&self, client: &__devrev::Client) -> __devrev::Pages<Self>
            where
                for<'__devrev> Self: __devrev::Paginated + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static,
            {
                __devrev::Pages::new(client, ::core::clone::Clone::clone(self))
            }

            #[doc = #items_doc]
            pub fn items(&self, client: &__devrev::Client) -> __devrev::Items<Self>
            where
                for<'__devrev> Self: __devrev::Paginated + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static,
            {
                __devrev::Items::new(client, ::core::clone::Clone::clone(self))
            }
        };
        (
            quote! {
                #cursor_trait
                #page_check

                #impl_paginated {
                    #[inline]
                    fn cursor(&self) -> ::core::option::Option<&str> {
                        #get
                    }
                    #[inline]
                    fn set_cursor(&mut self, cursor: ::core::option::Option<__devrev::String>) {
                        #set
                    }
                }
            },
            methods,
        )
    });
    let (paginated_impl, paginated_methods) = paginate.unzip();

    quote! {
        #item

        const _: () = {
            use #krate::__private as __devrev;

            #impl_endpoint {
                type Response = #response;
                type Error = #error;
                const METHOD: __devrev::Method = __devrev::Method::#method;
                const PATH: &'static str = #path;
                const IDEMPOTENT: bool = #idempotent;
                #beta
            }

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
                #[doc = #send_doc]
                #[allow(clippy::future_not_send)] // `Send` exactly when the request is `Sync`
                pub async fn send(
                    &self,
                    client: &__devrev::Client,
                ) -> __devrev::Result<#response> {
                    __devrev::send(client, self).await
                }

                #[doc = #meta_doc]
                #[allow(clippy::future_not_send)]
                pub async fn send_with_meta(
                    &self,
                    client: &__devrev::Client,
                ) -> __devrev::Result<__devrev::Response<#response>> {
                    __devrev::send_with_meta(client, self).await
                }

                #paginated_methods
            }
        };
    }
}

/// Checks that a concrete request's response implements `Page`, with one
/// error on the `paginate` keyword that names the response type.
///
/// Method resolution picks `__ViaPage::__check` (returning `IsAPage`) when
/// the response implements `Page`, and falls back to `__ViaAny::__check`
/// (returning `NotAPage`, one auto-reference further) when it does not;
/// only `IsAPage` satisfies `__PageResponse`, whose diagnostic says what to do.
fn page_check(ident: &Ident, kw: &Ident) -> TokenStream {
    // The alias is declared outside the block of helpers, so a request
    // that happens to share a helper's name still means the user's type.
    quote_spanned! {at(kw.span())=>
        type __DevRevPageResponse = <#ident as __devrev::Endpoint>::Response;
        #[allow(dead_code)]
        const _: () = {
            type __Response = __DevRevPageResponse;
            struct __Probe<T>(::core::marker::PhantomData<T>);
            struct IsAPage;
            struct NotAPage;
            trait __ViaPage {
                fn __check(&self) -> IsAPage {
                    IsAPage
                }
            }
            impl<T: __devrev::Page> __ViaPage for __Probe<T> {}
            trait __ViaAny {
                fn __check(&self) -> NotAPage {
                    NotAPage
                }
            }
            impl<T> __ViaAny for &__Probe<T> {}
            #[diagnostic::on_unimplemented(
                message = "`{R}` is not a page of results, so its request cannot use `paginate`",
                label = "`{R}` does not implement `devrev::Page`",
                note = "add `#[derive(devrev::Page)]` to `{R}`: it needs a `next_cursor: Option<String>` field and a `Vec` of items"
            )]
            trait __PageResponse<R> {}
            impl<R> __PageResponse<R> for IsAPage {}
            fn __require<R, C: __PageResponse<R>>(_: C) {}
            fn __run() {
                __require::<__Response, _>((&__Probe::<__Response>(::core::marker::PhantomData)).__check());
            }
        };
    }
}
