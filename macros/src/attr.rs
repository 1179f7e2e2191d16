//! Parse: the arguments of `#[devrev_endpoint(...)]` and the `#[page(...)]`
//! helper attribute of `#[derive(Page)]`.
//!
//! The positional part (`POST, "/rev-orgs.create"`) is not `Meta` syntax, so it
//! is read by hand from the token stream; the trailing `key = value` options
//! follow. A mistake is recorded in the [`Ctxt`] and parsing skips to the next
//! comma, so every mistake in one attribute is reported in the same build.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitBool, LitStr, Token};

use crate::ctxt::Ctxt;

/// The HTTP methods an endpoint can use.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    const ALL: [(&'static str, HttpMethod); 5] = [
        ("GET", HttpMethod::Get),
        ("POST", HttpMethod::Post),
        ("PUT", HttpMethod::Put),
        ("PATCH", HttpMethod::Patch),
        ("DELETE", HttpMethod::Delete),
    ];

    pub(crate) fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(_, m)| *m == self).map(|(s, _)| *s).unwrap_or("GET")
    }

    /// The name of the runtime's `Method` variant.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            HttpMethod::Get => "Get",
            HttpMethod::Post => "Post",
            HttpMethod::Put => "Put",
            HttpMethod::Patch => "Patch",
            HttpMethod::Delete => "Delete",
        }
    }
}

/// The options accepted after the method and path, in the order the docs list them.
pub(crate) const OPTION_KEYS: &[&str] =
    &["response", "error", "crate", "idempotent", "paginate", "beta", "builder", "stream"];

/// The parsed arguments of one `#[devrev_endpoint(...)]`.
///
/// Every part keeps the tokens it came from, so validation and expansion can
/// point their errors and generated assertions at the user's own tokens.
#[derive(Default)]
pub(crate) struct EndpointAttr {
    pub(crate) method: Option<(HttpMethod, Ident)>,
    pub(crate) path: Option<LitStr>,
    pub(crate) response: Option<syn::Type>,
    pub(crate) error: Option<syn::Type>,
    pub(crate) krate: Option<syn::Path>,
    pub(crate) idempotent: Option<(bool, Span)>,
    pub(crate) paginate: Option<Ident>,
    pub(crate) beta: Option<(bool, Span)>,
    pub(crate) builder: Option<Ident>,
    /// `stream`: the answer is a stream of server-sent events.
    pub(crate) stream: Option<Ident>,
}

const USAGE: &str = "write `#[devrev_endpoint(POST, \"/objects.verb\")]`";

/// Parses the attribute's arguments, recording every mistake in `cx`.
pub(crate) fn parse_endpoint_attr(cx: &mut Ctxt, args: TokenStream) -> EndpointAttr {
    let mut attr = EndpointAttr::default();
    let parser = |input: ParseStream| {
        parse_args(cx, &mut attr, input);
        Ok(())
    };
    if let Err(err) = parser.parse2(args) {
        cx.syn_error(err);
    }
    attr
}

fn parse_args(cx: &mut Ctxt, attr: &mut EndpointAttr, input: ParseStream) {
    if input.is_empty() {
        cx.syn_error(syn::Error::new(Span::call_site(), format!("missing arguments: {USAGE}")));
        return;
    }

    // The method, unless the attribute starts straight with a path or an option.
    if let Some(lit) = quoted_method(input) {
        // `"POST"`: the method written as a string. Read it as the method so
        // the path after it is not mistaken for the method too.
        let upper = lit.value().to_ascii_uppercase();
        cx.error_spanned_by(
            &lit,
            format!("the HTTP method is a bare word, not a string: write `{upper}` without quotes"),
        );
        let _ = input.parse::<LitStr>();
        if input.is_empty() {
            cx.error_spanned_by(&lit, format!("missing the endpoint path after the method: {USAGE}"));
            return;
        }
        if !expect_comma(cx, input) {
            return;
        }
    } else if starts_with_option(input) {
        // Neither method nor path: one error for both, then read the options.
        cx.syn_error(syn::Error::new(
            input.span(),
            format!("missing the HTTP method and the endpoint path before the options: {USAGE}"),
        ));
        parse_options(cx, attr, input);
        return;
    } else if input.peek(LitStr) {
        cx.syn_error(syn::Error::new(
            input.span(),
            format!(
                "missing the HTTP method: the attribute starts with one of `GET`, `POST`, `PUT`, `PATCH` or `DELETE`; {USAGE}"
            ),
        ));
    } else {
        parse_method(cx, attr, input);
        if input.is_empty() {
            let msg = format!("missing the endpoint path after the method: {USAGE}");
            match &attr.method {
                Some((_, ident)) => cx.error_spanned_by(ident, msg),
                None => cx.syn_error(syn::Error::new(Span::call_site(), msg)),
            }
            return;
        }
        if !expect_comma(cx, input) {
            return;
        }
    }

    // The path, unless an option follows the method directly.
    if starts_with_option(input) {
        cx.syn_error(syn::Error::new(
            input.span(),
            "missing the endpoint path: a string literal such as \"/objects.verb\" goes between the method and the options",
        ));
    } else if !input.is_empty() {
        parse_path(cx, attr, input);
        if !input.is_empty() && !expect_comma(cx, input) {
            return;
        }
    }

    parse_options(cx, attr, input);
}

/// The `key = value` options, up to the end of the attribute.
fn parse_options(cx: &mut Ctxt, attr: &mut EndpointAttr, input: ParseStream) {
    while !input.is_empty() {
        parse_option(cx, attr, input);
        if input.is_empty() {
            break;
        }
        if !expect_comma(cx, input) {
            return;
        }
    }
}

/// Whether the next argument is an option (`key = ...`, `crate = ...`, or a
/// bare `idempotent` / `paginate` / `beta` / `builder`) rather than a method or a path.
fn starts_with_option(input: ParseStream) -> bool {
    if input.peek(Token![crate]) || (input.peek(Ident) && input.peek2(Token![=])) {
        return true;
    }
    input.fork().call(Ident::parse_any).is_ok_and(|ident| OPTION_KEYS.iter().any(|key| ident == key))
}

/// A string literal naming an HTTP method (`"POST"`, `"get"`), if one comes next.
fn quoted_method(input: ParseStream) -> Option<LitStr> {
    let lit = input.fork().parse::<LitStr>().ok()?;
    let value = lit.value();
    HttpMethod::ALL.iter().any(|(s, _)| s.eq_ignore_ascii_case(&value)).then_some(lit)
}

fn parse_method(cx: &mut Ctxt, attr: &mut EndpointAttr, input: ParseStream) {
    let ident = match input.call(Ident::parse_any) {
        Ok(ident) => ident,
        Err(_) => {
            let tokens = skip_to_comma(input);
            cx.error_spanned_by(tokens, "expected an HTTP method: one of `GET`, `POST`, `PUT`, `PATCH` or `DELETE`");
            return;
        }
    };
    let name = ident.unraw().to_string();
    if let Some((_, method)) = HttpMethod::ALL.iter().find(|(s, _)| *s == name) {
        attr.method = Some((*method, ident));
    } else if let Some((upper, _)) = HttpMethod::ALL.iter().find(|(s, _)| s.eq_ignore_ascii_case(&name)) {
        cx.error_spanned_by(
            &ident,
            format!("unknown HTTP method `{name}`: methods are written in uppercase, write `{upper}`"),
        );
    } else {
        cx.error_spanned_by(
            &ident,
            format!("unknown HTTP method `{name}`: expected one of `GET`, `POST`, `PUT`, `PATCH` or `DELETE`"),
        );
    }
}

fn parse_path(cx: &mut Ctxt, attr: &mut EndpointAttr, input: ParseStream) {
    if !input.peek(LitStr) {
        let tokens = skip_to_comma(input);
        cx.error_spanned_by(tokens, "the endpoint path must be a string literal, such as \"/rev-orgs.create\"");
        return;
    }
    let lit: LitStr = match input.parse() {
        Ok(lit) => lit,
        Err(err) => return cx.syn_error(err),
    };
    let value = lit.value();
    if let Some((base, path)) = split_url(&value) {
        cx.error_spanned_by(
            &lit,
            format!("the endpoint path is the part after the host, not a full URL: write \"{path}\"; the host is the client's base URL (`ClientBuilder::base_url`, `{base}` here)"),
        );
    } else if !value.starts_with('/') {
        cx.error_spanned_by(&lit, format!("the endpoint path must start with `/`: write \"/{value}\""));
    } else if value.len() == 1 {
        cx.error_spanned_by(&lit, "the endpoint path names no endpoint: write a path such as \"/rev-orgs.create\"");
    } else if let Some(at) = value.find(|c: char| c.is_whitespace() || c == '?' || c == '#') {
        let bad = value[at..].chars().next().unwrap_or(' ');
        let msg = match bad {
            '?' => format!(
                "the endpoint path must not contain a query string (`?`): write \"{}\" and declare the query parameters as fields of the request",
                &value[..at]
            ),
            '#' => format!("the endpoint path must not contain a fragment (`#`): write \"{}\"", &value[..at]),
            c => {
                let fixed: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                format!("the endpoint path must not contain whitespace ({c:?}): write \"{fixed}\"")
            }
        };
        cx.error_spanned_by(&lit, msg);
    } else {
        attr.path = Some(lit);
    }
}

/// `("https://api.devrev.ai", "/works.create")` for a full URL such as
/// `"https://api.devrev.ai/works.create"`; `None` for anything else. The
/// path stops at a query string or fragment; an empty one is `"/"`.
fn split_url(value: &str) -> Option<(&str, String)> {
    let (scheme, rest) = value.split_once("://")?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return None;
    }
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let base = &value[..scheme.len() + 3 + host_end];
    let path = &rest[host_end..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let path = if path.is_empty() { "/".to_owned() } else { path.to_owned() };
    Some((base, path))
}

fn parse_option(cx: &mut Ctxt, attr: &mut EndpointAttr, input: ParseStream) {
    let key = match input.call(Ident::parse_any) {
        Ok(key) => key,
        Err(_) => {
            let tokens = skip_to_comma(input);
            cx.error_spanned_by(tokens, format!("expected an option: one of {}", quoted_list(OPTION_KEYS)));
            return;
        }
    };
    let name = key.unraw().to_string();
    let duplicate = |present: bool, cx: &mut Ctxt| {
        if present {
            cx.error_spanned_by(
                &key,
                format!("duplicate option `{name}`: it is already set in this attribute; remove this one"),
            );
        }
        present
    };
    match name.as_str() {
        "response" | "error" => {
            let what = if name == "response" {
                "write `response = TagsCreateResponse` with the type a success decodes into"
            } else {
                "write `error = MyErrorBody` with a type that implements `devrev::ErrorBody`"
            };
            let Some(ty) = parse_value(cx, &key, input, what, |input| input.parse::<syn::Type>()) else {
                return;
            };
            let slot = if name == "response" { &mut attr.response } else { &mut attr.error };
            if !duplicate(slot.is_some(), cx) {
                *slot = Some(ty);
            }
        }
        "crate" => {
            let Some(path) =
                parse_value(cx, &key, input, "write `crate = ::devrev` with the path of the `devrev` crate", |input| {
                    if input.peek(LitStr) {
                        input.parse::<LitStr>()?.parse_with(syn::Path::parse_mod_style)
                    } else {
                        input.call(syn::Path::parse_mod_style)
                    }
                })
            else {
                return;
            };
            if !duplicate(attr.krate.is_some(), cx) {
                attr.krate = Some(path);
            }
        }
        "idempotent" | "beta" => {
            let value = if input.peek(Token![=]) {
                let what = format!("write `{name}`, `{name} = true` or `{name} = false`");
                match parse_value(cx, &key, input, &what, |input| input.parse::<LitBool>()) {
                    Some(lit) => lit.value,
                    None => return,
                }
            } else {
                true
            };
            let slot = if name == "idempotent" { &mut attr.idempotent } else { &mut attr.beta };
            if !duplicate(slot.is_some(), cx) {
                *slot = Some((value, key.span()));
            }
        }
        "paginate" | "builder" | "stream" => {
            if !input.is_empty() && !input.peek(Token![,]) {
                let tokens = skip_to_comma(input);
                let why = match name.as_str() {
                    "paginate" => "the items and the cursor come from the response type's `#[derive(Page)]`",
                    "stream" => "each event decodes into the response type (`response = ...`)",
                    _ => "`new` takes the fields that are not `Option`, and each `Option` field gets a setter",
                };
                cx.error_spanned_by(tokens, format!("`{name}` takes no arguments: {why}"));
            }
            let slot = match name.as_str() {
                "paginate" => &mut attr.paginate,
                "stream" => &mut attr.stream,
                _ => &mut attr.builder,
            };
            if !duplicate(slot.is_some(), cx) {
                *slot = Some(key);
            }
        }
        other => {
            let hint = if HttpMethod::ALL.iter().any(|(s, _)| s.eq_ignore_ascii_case(other)) {
                " (the HTTP method comes first, before the path)".to_string()
            } else if let Some(close) = OPTION_KEYS.iter().find(|key| edit_distance(key, other) <= 2) {
                format!(" (did you mean `{close}`?)")
            } else {
                String::new()
            };
            let bare = input.is_empty() || input.peek(Token![,]);
            skip_to_comma(input);
            // A misspelled bare option is read as the one it is closest to,
            // for the stand-ins only (the error stands): a misspelled
            // `paginate` still gets `pages` and `items`, a misspelled
            // `builder` still gets `new`, so calls to them add no error.
            if bare {
                let slot = match OPTION_KEYS.iter().find(|k| edit_distance(k, other) <= 2).copied() {
                    Some("paginate") => Some(&mut attr.paginate),
                    Some("builder") => Some(&mut attr.builder),
                    Some("stream") => Some(&mut attr.stream),
                    _ => None,
                };
                if let Some(slot) = slot.filter(|slot| slot.is_none()) {
                    *slot = Some(key.clone());
                }
            }
            cx.error_spanned_by(
                &key,
                format!("unknown option `{other}`{hint}: expected one of {}", quoted_list(OPTION_KEYS)),
            );
        }
    }
}

/// Parses `= VALUE` after `key`, recording a readable error and skipping to the
/// next comma when the value is missing or malformed.
fn parse_value<T>(
    cx: &mut Ctxt,
    key: &Ident,
    input: ParseStream,
    what: &str,
    parse: impl FnOnce(ParseStream) -> syn::Result<T>,
) -> Option<T> {
    if input.parse::<Token![=]>().is_err() {
        skip_to_comma(input);
        cx.error_spanned_by(key, format!("`{key}` needs a value: {what}"));
        return None;
    }
    if input.is_empty() || input.peek(Token![,]) {
        cx.error_spanned_by(key, format!("`{key}` needs a value after `=`: {what}"));
        return None;
    }
    match parse(input) {
        Ok(value) if input.is_empty() || input.peek(Token![,]) => Some(value),
        Ok(_) => {
            let tokens = skip_to_comma(input);
            cx.error_spanned_by(tokens, format!("unexpected tokens after the value of `{key}`: expected `,`"));
            None
        }
        Err(err) => {
            skip_to_comma(input);
            // syn's own message ("expected one of ...") adds nothing a user can act on.
            cx.syn_error(syn::Error::new(err.span(), format!("invalid value for `{key}`: {what}")));
            None
        }
    }
}

/// Expects a comma; on anything else records an error and skips what follows.
fn expect_comma(cx: &mut Ctxt, input: ParseStream) -> bool {
    if input.parse::<Token![,]>().is_ok() {
        return true;
    }
    let tokens = skip_to_comma(input);
    cx.error_spanned_by(tokens, "expected `,` between the attribute's arguments");
    let _ = input.parse::<Token![,]>();
    !input.is_empty()
}

/// Consumes tokens up to (not including) the next top-level comma and returns them.
fn skip_to_comma(input: ParseStream) -> TokenStream {
    let mut skipped = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        match input.parse::<TokenTree>() {
            Ok(tt) => skipped.extend([tt]),
            Err(_) => break,
        }
    }
    skipped
}

/// The Levenshtein distance between two short ASCII words, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

pub(crate) fn quoted_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// The parsed container-level `#[page(...)]` of `#[derive(Page)]`.
#[derive(Default)]
pub(crate) struct PageAttr {
    pub(crate) krate: Option<syn::Path>,
}

/// Parses `#[page(crate = path)]` on the struct of a `#[derive(Page)]`.
pub(crate) fn parse_page_container_attr(cx: &mut Ctxt, attrs: &[syn::Attribute]) -> PageAttr {
    let mut out = PageAttr::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("page")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let value = meta.value()?;
                let path = if value.peek(LitStr) {
                    value.parse::<LitStr>()?.parse_with(syn::Path::parse_mod_style)?
                } else {
                    value.call(syn::Path::parse_mod_style)?
                };
                if out.krate.replace(path).is_some() {
                    return Err(meta.error("duplicate option `crate`: give it once"));
                }
                Ok(())
            } else {
                Err(meta.error("unknown `page` option on the struct: expected `crate = path`; mark the items field with `#[page(items)]`"))
            }
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

/// Whether a field carries `#[page(items)]`; other field options are errors.
pub(crate) fn parse_page_field_attr(cx: &mut Ctxt, attrs: &[syn::Attribute]) -> bool {
    let mut items = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("page")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("items") {
                items = true;
                Ok(())
            } else {
                Err(meta.error("unknown `page` option on a field: expected `#[page(items)]`"))
            }
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, split_url};

    #[test]
    fn split_url_finds_the_path() {
        let split = |s| split_url(s).map(|(base, path)| (base.to_owned(), path));
        assert_eq!(
            split("https://api.devrev.ai/works.create"),
            Some(("https://api.devrev.ai".into(), "/works.create".into()))
        );
        assert_eq!(split("http://localhost:8080/a/b?x=1#f"), Some(("http://localhost:8080".into(), "/a/b".into())));
        assert_eq!(split("https://api.devrev.ai"), Some(("https://api.devrev.ai".into(), "/".into())));
        assert_eq!(split("/works.create"), None);
        assert_eq!(split("works.create"), None);
        assert_eq!(split("/x?next=https://y"), None);
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("response", "response"), 0);
        assert_eq!(edit_distance("response", "respone"), 1);
        assert_eq!(edit_distance("paginate", "paginated"), 1);
        assert_eq!(edit_distance("error", "errors"), 1);
        assert_eq!(edit_distance("crate", "create"), 1);
        assert_eq!(edit_distance("idempotent", "idempotant"), 1);
        assert!(edit_distance("response", "body") > 2);
        assert!(edit_distance("paginate", "page") > 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
