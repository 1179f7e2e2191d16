//! Validate: checks that need the whole model, and the defaults they resolve.
//!
//! Parsing records what the user wrote; this step decides what it means
//! (the inferred response type, the idempotency default, the page fields) and
//! reports what cannot work, still spanned on the user's tokens.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Ident, LitStr, Type};

use crate::ast::{self, Endpoint, PageStruct};
use crate::attr::HttpMethod;
use crate::ctxt::Ctxt;

/// An endpoint whose attribute and struct passed every check.
pub(crate) struct ValidEndpoint {
    pub(crate) method: HttpMethod,
    pub(crate) method_span: Span,
    pub(crate) path: LitStr,
    pub(crate) response: Type,
    pub(crate) error: Option<Type>,
    pub(crate) krate: syn::Path,
    pub(crate) idempotent: bool,
    pub(crate) paginate: Option<Ident>,
    /// `beta`: the endpoint sends `X-Devrev-Scope: beta`.
    pub(crate) beta: bool,
    /// `stream`: `send` returns the answer's server-sent events.
    pub(crate) stream: bool,
}

/// Checks an endpoint; `None` when an error was recorded.
pub(crate) fn check_endpoint(cx: &mut Ctxt, ep: &Endpoint) -> Option<ValidEndpoint> {
    let response = match &ep.attr.response {
        Some(ty) => Some(ty.clone()),
        // Not recorded in `cx`: `response_error` reports it, from the
        // stand-in's response type (see `expand::fallback`).
        None => infer_response(ep.ident()).ok(),
    };
    if let Some(paginate) = &ep.attr.paginate {
        match &ep.fields {
            Some(fields) if fields.is_empty() => cx.error_spanned_by(
                paginate,
                "`paginate` needs a request with a `cursor: Option<String>` field, and this is a unit struct",
            ),
            Some(_) if ep.field("cursor").is_none() => cx.error_spanned_by(
                paginate,
                format!(
                    "`paginate` needs a `cursor: Option<String>` field on `{}`: the stream sets it to follow `next_cursor`",
                    ep.ident()
                ),
            ),
            _ => {}
        }
    }
    if let (Some(stream), Some(_)) = (&ep.attr.stream, &ep.attr.paginate) {
        cx.error_spanned_by(
            stream,
            "`stream` and `paginate` cannot be combined: a streamed answer is one stream of events, not pages",
        );
        return None;
    }
    let (method, method_ident) = ep.attr.method.clone()?;
    let path = ep.attr.path.clone()?;
    ep.fields.as_ref()?;
    let response = response?;
    if ep.attr.paginate.is_some() && ep.field("cursor").is_none() {
        return None;
    }
    let idempotent = match ep.attr.idempotent {
        Some((value, _)) => value,
        None => matches!(method, HttpMethod::Get | HttpMethod::Put | HttpMethod::Delete),
    };
    Some(ValidEndpoint {
        method,
        method_span: method_ident.span(),
        path,
        response,
        error: ep.attr.error.clone(),
        krate: ep.attr.krate.clone().unwrap_or_else(|| syn::parse_quote!(::devrev)),
        idempotent,
        paginate: ep.attr.paginate.clone(),
        beta: ep.attr.beta.is_some_and(|(beta, _)| beta),
        stream: ep.attr.stream.is_some(),
    })
}

/// `FooRequest` answers with `FooResponse`, spanned on the attribute: a
/// missing or misspelled type is reported there, where `response = ...` would
/// go, not on the request's name (where rustc's "similar name" fix would
/// rename the request).
fn infer_response(ident: &Ident) -> syn::Result<Type> {
    // `r#RawRequest` answers with `RawResponse`: the `r#` is not part of the name.
    let name = ident.unraw().to_string();
    match name.strip_suffix("Request") {
        Some(stem) if !stem.is_empty() => {
            let response = Ident::new(&format!("{stem}Response"), Span::call_site());
            Ok(syn::parse_quote!(#response))
        }
        _ => Err(syn::Error::new_spanned(
            ident,
            format!(
                "cannot infer the response type of `{name}`: its name does not end in `Request`; add `response = YourResponseType` to the attribute"
            ),
        )),
    }
}

/// The error of an endpoint whose response type is neither written
/// (`response = ...`) nor inferable from the request's name. It is not
/// recorded with the others: the stand-in methods name it as their response
/// type, so it is reported once and the answer's uses add no error.
pub(crate) fn response_error(ep: &Endpoint) -> Option<syn::Error> {
    match &ep.attr.response {
        Some(_) => None,
        None => infer_response(ep.ident()).err(),
    }
}

/// A `#[derive(Page)]` struct that passed every check.
pub(crate) struct ValidPage<'a> {
    pub(crate) krate: syn::Path,
    pub(crate) items_field: &'a Ident,
    pub(crate) item_ty: &'a Type,
    pub(crate) cursor_field: &'a Ident,
    /// The type of the `next_cursor` field, to span the check that it is an `Option<String>`.
    pub(crate) cursor_ty: &'a Type,
    /// The `prev_cursor` field and its type, if the struct has one.
    pub(crate) prev_cursor: Option<(&'a Ident, &'a Type)>,
}

/// Checks a page; `None` when an error was recorded.
pub(crate) fn check_page<'a>(cx: &mut Ctxt, page: &PageStruct<'a>) -> Option<ValidPage<'a>> {
    let fields = page.fields.as_ref()?;
    let name = &page.input.ident;
    let cursor = page.field("next_cursor");
    if cursor.is_none() {
        cx.error_spanned_by(
            name,
            format!("`#[derive(Page)]` needs a `next_cursor: Option<String>` field on `{name}`: DevRev sends it on every page but the last"),
        );
    }
    let items = match page.marked_items.as_slice() {
        [one] => Some(*one),
        [] => {
            let vecs: Vec<_> = fields.iter().copied().filter(|f| ast::vec_item(&f.ty).is_some()).collect();
            match vecs.as_slice() {
                [one] => Some(*one),
                [] => {
                    cx.error_spanned_by(
                        name,
                        format!("`#[derive(Page)]` needs a `Vec<Item>` field on `{name}` holding the page's items"),
                    );
                    None
                }
                [_, second, ..] => {
                    cx.error_spanned_by(
                        &second.ident,
                        format!("`{name}` has several `Vec` fields: mark the one holding the page's items with `#[page(items)]`"),
                    );
                    None
                }
            }
        }
        [_, second, ..] => {
            cx.error_spanned_by(&second.ident, "only one field can be `#[page(items)]`");
            None
        }
    };
    let items = items?;
    let Some(item_ty) = ast::vec_item(&items.ty) else {
        cx.error_spanned_by(&items.ty, "the `#[page(items)]` field must be a `Vec<Item>`");
        return None;
    };
    let cursor = cursor?;
    Some(ValidPage {
        krate: page.attr.krate.clone().unwrap_or_else(|| syn::parse_quote!(::devrev)),
        items_field: items.ident.as_ref()?,
        item_ty,
        cursor_field: cursor.ident.as_ref()?,
        cursor_ty: &cursor.ty,
        prev_cursor: page.field("prev_cursor").and_then(|f| Some((f.ident.as_ref()?, &f.ty))),
    })
}

/// The item type of a page whose derive failed, for the stand-in impl: the
/// one `#[page(items)]` or `Vec` field, or, among several `Vec` fields, the
/// one whose name starts the struct's (`tags` in `TagsListResponse`), else
/// the first. `None` when there is no `Vec` to take it from.
pub(crate) fn guess_page_items<'a>(page: &PageStruct<'a>) -> Option<&'a Type> {
    if let [one] = page.marked_items.as_slice() {
        return ast::vec_item(&one.ty);
    }
    let vecs: Vec<(&Ident, &Type)> =
        page.fields.as_ref()?.iter().filter_map(|f| Some((f.ident.as_ref()?, ast::vec_item(&f.ty)?))).collect();
    let snake = snake_case(&page.input.ident.unraw().to_string());
    vecs.iter().find(|(name, _)| snake.starts_with(&format!("{}_", name.unraw()))).or(vecs.first()).map(|(_, ty)| *ty)
}

/// `TagsListResponse` -> `tags_list_response`.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.char_indices() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// One field as the builder sees it.
pub(crate) struct BuilderField<'a> {
    pub(crate) field: &'a syn::Field,
    pub(crate) ident: &'a Ident,
    pub(crate) kind: FieldKind<'a>,
}

/// How the builder sets a field.
pub(crate) enum FieldKind<'a> {
    /// Not an `Option`: a parameter of `new`, taking `impl Into<T>`.
    Required(&'a Type),
    /// `Option<T>`: a setter taking `impl Into<T>`.
    Optional(&'a Type),
    /// `Option<Vec<T>>`: a setter taking any iterator of `impl Into<T>`.
    List(&'a Type),
    /// An `Option` whose setter would clash with a generated method (an
    /// error is recorded): `None` in `new`, and no setter.
    NoSetter,
}

/// The fields of a `builder` request; `None` when the struct has no named
/// fields (already reported). A setter that would clash with a generated
/// method is an error on the field, and the field gets no setter, so the rest
/// of the builder still exists and calls to it add no errors.
pub(crate) fn check_builder<'a>(cx: &mut Ctxt, ep: &Endpoint<'a>) -> Option<Vec<BuilderField<'a>>> {
    let fields = ep.fields.as_ref()?;
    let mut taken = vec!["new", "send", "send_with_meta"];
    if ep.attr.paginate.is_some() {
        taken.extend(["pages", "items"]);
    }
    let out = fields
        .iter()
        .filter_map(|field| {
            let ident = field.ident.as_ref()?;
            let mut kind = match ast::option_inner(&field.ty) {
                Some(inner) => match ast::vec_item(inner) {
                    Some(item) => FieldKind::List(item),
                    None => FieldKind::Optional(inner),
                },
                None => FieldKind::Required(&field.ty),
            };
            let name = ident.unraw().to_string();
            if !matches!(kind, FieldKind::Required(_)) && taken.contains(&name.as_str()) {
                kind = FieldKind::NoSetter;
                cx.error_spanned_by(
                    ident,
                    format!("`builder` cannot give the field `{name}` a setter: the request already has a method `{name}`; rename the field and keep the wire name with `#[serde(rename = \"{name}\")]`"),
                );
            }
            Some(BuilderField { field, ident, kind })
        })
        .collect();
    Some(out)
}
