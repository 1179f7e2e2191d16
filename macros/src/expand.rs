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

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
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
            let first = item.clone().into_iter().next();
            let span = first.map_or_else(Span::call_site, |tt| tt.span());
            let err = syn::Error::new(
                span,
                "`#[devrev_endpoint]` goes on a struct: declare the request as a struct with named fields, or a unit struct for an endpoint with no parameters",
            );
            return with_errors(item, err);
        }
    };
    let mut cx = Ctxt::default();
    let attr = attr::parse_endpoint_attr(&mut cx, args);
    let ep = Endpoint::from_syn(&mut cx, attr, &input);
    let valid = valid::check_endpoint(&mut cx, &ep);
    if let Err(err) = cx.check() {
        return with_errors(item, err);
    }
    match valid {
        Some(valid) => expand_endpoint(&ep, &valid, item),
        None => with_errors(item, syn::Error::new(Span::call_site(), "invalid `#[devrev_endpoint]`")),
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
    quote! {
        const _: () = {
            use #krate::__private as __devrev;
            #[automatically_derived]
            impl #impl_generics __devrev::Page for #ident #ty_generics #where_clause {
                type Item = #item_ty;
                #[inline]
                fn next_cursor(&self) -> ::core::option::Option<&str> {
                    ::core::option::Option::as_deref(&self.#cursor)
                }
                #[inline]
                fn into_items(self) -> __devrev::Vec<Self::Item> {
                    self.#items
                }
            }
        };
    }
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
    let method_bound = if ep.has_type_generics() { quote!(where Self: __devrev::Endpoint) } else { quote!() };

    let retry_doc = if idempotent {
        "The endpoint is declared idempotent: transient failures (5xx, timeouts, dropped connections) are retried under the client's retry policy."
    } else {
        "The endpoint is not declared idempotent: only failures that prove the request was not processed (408, 429, connection refused) are retried."
    };
    let send_doc = format!(
        "Sends `{verb} {path_str}` to DevRev and decodes the answer.\n\n{retry_doc}\n\n# Errors\n\nA `devrev::Error` for a DevRev error answer (typed by the endpoint's error body), a transport failure, a timeout, or an answer that does not decode."
    );
    let meta_doc = format!(
        "Sends `{verb} {path_str}` like `send`, and returns the decoded value with the answer's status, headers, rate-limit information and the number of attempts made."
    );

    let ident_span = ident.span();
    let impl_endpoint = quote_spanned! {ident_span=>
        #[automatically_derived]
        impl #impl_generics __devrev::Endpoint for #ident #ty_generics #endpoint_where
    };

    let paginate = v.paginate.as_ref().map(|kw| {
        let cursor_ty_span = ep.field("cursor").map_or(kw.span(), |f| f.ty.span());
        let set = quote_spanned!(cursor_ty_span=> self.cursor = cursor;);
        let get = quote_spanned!(cursor_ty_span=> ::core::option::Option::as_deref(&self.cursor));
        let pages_doc = format!(
            "Streams the pages of `{verb} {path_str}`: sends this request, then follows each page's `next_cursor` until the last page. An error is yielded once and ends the stream."
        );
        let items_doc = format!(
            "Streams the items of every page of `{verb} {path_str}`, one at a time, fetching the next page when the current one is used up. An error is yielded once and ends the stream."
        );
        let impl_paginated = quote_spanned! {kw.span()=>
            #[automatically_derived]
            impl #impl_generics __devrev::Paginated for #ident #ty_generics #endpoint_where
        };
        let methods = quote_spanned! {kw.span()=>
            #[doc = #pages_doc]
            pub fn pages(&self, client: &__devrev::Client) -> __devrev::Pages<Self>
            where
                Self: __devrev::Paginated + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static,
            {
                __devrev::Pages::new(client, ::core::clone::Clone::clone(self))
            }

            #[doc = #items_doc]
            pub fn items(&self, client: &__devrev::Client) -> __devrev::Items<Self>
            where
                Self: __devrev::Paginated + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static,
            {
                __devrev::Items::new(client, ::core::clone::Clone::clone(self))
            }
        };
        (
            quote! {
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
            }

            #paginated_impl

            #[automatically_derived]
            impl #impl_generics #ident #ty_generics #where_clause {
                #[doc = #send_doc]
                pub async fn send(
                    &self,
                    client: &__devrev::Client,
                ) -> __devrev::Result<#response> #method_bound {
                    __devrev::send(client, self).await
                }

                #[doc = #meta_doc]
                pub async fn send_with_meta(
                    &self,
                    client: &__devrev::Client,
                ) -> __devrev::Result<__devrev::Response<#response>> #method_bound {
                    __devrev::send_with_meta(client, self).await
                }

                #paginated_methods
            }
        };
    }
}
