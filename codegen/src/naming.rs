//! One naming rule for the two forms of an operation DevRev serves as both
//! `GET` and `POST` (`tags.list`, `works.list`, `rev-orgs.get`, ...).
//!
//! **The rule:** the `POST` form, which takes every field and filter as a JSON
//! body, is `{Op}Request`, named after its body schema (`TagsListRequest`,
//! `WorksListRequest`); the `GET` form, which takes its fields in the query
//! string, is `{Op}QueryRequest` (`TagsListQueryRequest`,
//! `WorksListQueryRequest`). It holds whether the two forms share one field
//! list (`get_and_post!`) or the `GET` has a struct of its own query
//! parameters. [`query_form`] applies it; nothing else names a form.
//!
//! Before 0.2.0 a pair whose forms share one field list was named the other
//! way round (the `GET` `TagsListRequest`, the `POST` `TagsListPostRequest`);
//! the old `POST` names stay for a release as deprecated aliases
//! ([`deprecated_aliases`]). The old `GET` names are the new `POST` names, with
//! the same fields and answer.

use std::fmt::Write as _;

/// The `GET` form's name from the `POST` form's, as a schema key or a Rust
/// name: `tags-list-request` -> `tags-list-query-request`, `TagsListRequest`
/// -> `TagsListQueryRequest` (a name without the `Request` suffix gets
/// `Query` appended).
pub fn query_form(post: &str) -> String {
    if let Some(stem) = post.strip_suffix("-request") {
        format!("{stem}-query-request")
    } else if let Some(stem) = post.strip_suffix("Request") {
        format!("{stem}QueryRequest")
    } else {
        format!("{post}Query")
    }
}

/// The name the `POST` form of a pair with one field list had before 0.2.0:
/// `TagsListRequest` -> `TagsListPostRequest`.
pub fn old_post_form(post: &str) -> String {
    format!("{}PostRequest", post.strip_suffix("Request").unwrap_or(post))
}

/// The deprecated alias of the `POST` form `post` under its old name: a type
/// alias, and for a unit struct (`unit`) a constant of the same name too, so
/// `DevUsersSelfPostRequest.send(&client)` keeps compiling.
pub fn deprecated_aliases(post: &str, unit: bool) -> String {
    let old = old_post_form(post);
    let mut out = format!(
        "\n/// The name of [`{post}`] before 0.2.0 (one naming rule for every `GET`/`POST` pair: the\n\
         /// `POST` is `{{Op}}Request`, the `GET` `{{Op}}QueryRequest`).\n\
         #[deprecated(since = \"0.2.0\", note = \"renamed to `{post}`\")]\n\
         pub type {old} = {post};\n"
    );
    if unit {
        let _ = write!(
            out,
            "\n/// The value of [`{post}`] under its name before 0.2.0.\n\
             #[deprecated(since = \"0.2.0\", note = \"renamed to `{post}`\")]\n\
             #[allow(non_upper_case_globals)]\n\
             pub const {old}: {post} = {post};\n"
        );
    }
    out
}
