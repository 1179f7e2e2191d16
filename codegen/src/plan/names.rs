//! Every name the output uses, by one rule each: types from schema keys,
//! fields from wire names, modules from families, union variants from tags.

use std::collections::{BTreeMap, BTreeSet};

/// Names `crate::models` (or the prelude) already uses for something else;
/// a generated type never takes one of them (see [`rust_type_name`]).
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "CustomFields",
    "Timestamp",
    "UnknownObject",
    "Box",
    "Option",
    "Result",
    "String",
    "Vec",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
];

/// Method names the attribute or the crate's conventions already use on a
/// request; a setter for a field of that name is called `set_<field>`
/// ([`setter_name`]).
pub const RESERVED_METHODS: &[&str] = &["new", "send", "send_with_meta", "pages", "items"];

/// The setter of the optional field `ident`: the field's own name (without
/// `r#`), or `set_<field>` on a request struct (`on_request`) when the name is
/// one of [`RESERVED_METHODS`]. (A nullable field's setter keeps its name:
/// `clear_<field>` goes with it.)
pub fn setter_name(ident: &str, on_request: bool) -> String {
    let plain = plain_ident(ident);
    if setter_is_renamed(ident, on_request) {
        format!("set_{plain}")
    } else {
        ident.to_owned()
    }
}

/// Whether [`setter_name`] renames the setter of `ident` to `set_<field>`.
pub fn setter_is_renamed(ident: &str, on_request: bool) -> bool {
    on_request && RESERVED_METHODS.contains(&plain_ident(ident))
}

/// An identifier without its `r#`: `r#type` -> `type`.
pub fn plain_ident(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// The `GET` form's name from the `POST` form's, as a schema key or a Rust
/// name: `tags-list-request` -> `tags-list-query-request`, `TagsListRequest`
/// -> `TagsListQueryRequest` (a name without the `Request` suffix gets
/// `Query` appended).
///
/// **The one naming rule of an operation DevRev serves as both `GET` and
/// `POST`** (`tags.list`, `works.list`, `rev-orgs.get`, ...): the `POST`
/// form, which takes every field and filter as a JSON body, is `{Op}Request`,
/// named after its body schema (`TagsListRequest`, `WorksListRequest`); the
/// `GET` form, which takes its fields in the query string, is
/// `{Op}QueryRequest` (`TagsListQueryRequest`, `WorksListQueryRequest`). It
/// holds whether the two forms share one field list (`get_and_post!`) or the
/// `GET` has a struct of its own query parameters (`plan::query_struct`'s
/// key). This function applies it; nothing else names a form.
///
/// Before 0.2.0 a pair whose forms share one field list was named the other
/// way round (the `GET` `TagsListRequest`, the `POST` `TagsListPostRequest`);
/// the old `POST` names stay for a release as deprecated aliases
/// ([`old_post_form`], printed by `write::crate_source::deprecated_aliases`).
/// The old `GET` names are the new `POST` names, with the same fields and
/// answer.
pub fn query_form(post: &str) -> String {
    if let Some(stem) = post.strip_suffix("-request") {
        format!("{stem}-query-request")
    } else if let Some(stem) = post.strip_suffix("Request") {
        format!("{stem}QueryRequest")
    } else {
        format!("{post}Query")
    }
}

/// The name the `POST` form of a pair with one field list had before 0.2.0
/// (see [`query_form`]): `TagsListRequest` -> `TagsListPostRequest`.
pub fn old_post_form(post: &str) -> String {
    format!("{}PostRequest", post.strip_suffix("Request").unwrap_or(post))
}

/// The answer of an operation without a success body is named like its
/// request: `works-delete-request` -> `works-delete-response` (so
/// `WorksDeleteResponse`, the name [`inferred_response_name`] infers).
pub fn response_key(request_key: &str) -> String {
    format!("{}-response", request_key.trim_end_matches("-request"))
}

/// The answer the attribute infers from a request's name when it has no
/// `response = ...`: `WorksCreateRequest` -> `WorksCreateResponse`; `None`
/// for a name without the `Request` suffix.
pub fn inferred_response_name(request_name: &str) -> Option<String> {
    Some(format!("{}Response", request_name.strip_suffix("Request")?))
}

/// `works-create-request` -> `WorksCreateRequest`; `p0` -> `P0`; a leading
/// digit gets an `N` in front. Reserved names get a `Schema` suffix.
pub fn rust_type_name(key: &str) -> String {
    let mut out = String::new();
    for part in key.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    if RESERVED_TYPE_NAMES.contains(&out.as_str()) {
        out.push_str("Schema");
    }
    out
}

/// A wire field name as a Rust field: snake case, keywords raw (`r#type`).
pub fn rust_field_name(wire: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in wire.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            out.push('_');
            prev_lower = false;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
    }
    match out.as_str() {
        "self" | "Self" | "super" | "crate" => format!("{out}_"),
        word if is_keyword(word) => format!("r#{out}"),
        _ => out,
    }
}

/// A module name for a family or group: `timeline-entries` -> `timeline_entries`.
pub fn module_name(name: &str) -> String {
    let ident = rust_field_name(name);
    match ident.strip_prefix("r#") {
        Some(word) => format!("{word}_"),
        None => ident,
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "gen"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
    )
}

/// Variant names for wire values: `dev_user` -> `DevUser`; clashes (with each
/// other, or with the `Unknown` fallback) get a numeric suffix.
pub fn variant_names(wires: &[String]) -> Vec<String> {
    let mut taken: BTreeSet<String> = BTreeSet::from(["Unknown".to_owned()]);
    wires
        .iter()
        .map(|wire| {
            let base = {
                let name = rust_type_name(wire);
                if name.ends_with("Schema") && !wire.to_ascii_lowercase().ends_with("schema") {
                    name.trim_end_matches("Schema").to_owned()
                } else {
                    name
                }
            };
            let mut name = if base == "Unknown" { "UnknownValue".to_owned() } else { base.clone() };
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// The module under `src/generated/shared/` of the models a set of families
/// shares, for each set: the families' modules joined for up to three
/// (`atoms_webhooks_widgets`), the first two and a count beyond
/// (`atoms_conversations_and_6_more`); a name two sets would take gets
/// `_2`, `_3`, ... in the sets' order.
pub fn shared_module_names<'a>(
    sets: impl IntoIterator<Item = &'a BTreeSet<String>>,
) -> BTreeMap<BTreeSet<String>, String> {
    let sets: BTreeSet<&BTreeSet<String>> = sets.into_iter().collect();
    let mut taken = BTreeSet::new();
    let mut out = BTreeMap::new();
    for set in sets {
        let modules: Vec<String> = set.iter().map(|f| module_name(f)).collect();
        let base = if modules.len() <= 3 {
            modules.join("_")
        } else {
            format!("{}_{}_and_{}_more", modules[0], modules[1], modules.len() - 2)
        };
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        out.insert(set.clone(), name);
    }
    out
}
