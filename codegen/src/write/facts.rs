//! Fact docs: what the spec's structure says about each generated item, in
//! the generator's own words, printed from the plan's facts
//! (`plan/facts.rs`). Never the spec's prose (`description`, `summary`):
//! only what its keys state.
//!
//! - A field: required or optional, its type and format in words (a DON ID,
//!   and of what when the spec's example ID says it: `PROD-12345` is a part's;
//!   a date-time; an enum with its values; an integer with its bounds; a
//!   string with its maximum length; a list with its item bounds), its
//!   default ([`field_doc`]).
//! - A request: its operation, method and path, its required fields, its
//!   answer type ([`endpoint_facts`], beside the crate source's first lines).
//! - A model: which operations answer with it, hold it in a field of their
//!   answer, or reach it deeper ([`returned_by`], from [`Plan::returns`]).
//! - A family module: a `# Example` that builds one of its requests
//!   ([`family_example`]), compiled as a doctest.

use std::fmt::Write as _;

use super::rust_names::rust_ty;
use crate::plan::facts::{Facts, Returns, ID_PREFIXES};
use crate::plan::{Endpoint, Field, Kind, Op, Plan, Target, Ty, TypeDef};

/// More values than this are counted, not listed, in a field's doc.
const MAX_LISTED_VALUES: usize = 12;

/// `a` to `b`, at least `a`, at most `b`, or nothing.
fn bounds(min: Option<String>, max: Option<String>, unit: &str) -> Option<String> {
    match (min, max) {
        (Some(a), Some(b)) if a == b => Some(format!("exactly {a}{unit}")),
        (Some(a), Some(b)) => Some(format!("{a} to {b}{unit}")),
        (Some(a), None) => Some(format!("at least {a}{unit}")),
        (None, Some(b)) => Some(format!("at most {b}{unit}")),
        (None, None) => None,
    }
}

/// A value of type `ty` in words: `a DON ID of a part`, `a date-time`,
/// `one of `low`, `high``, `an integer, at most 100`.
fn words(plan: &Plan, ty: &Ty, facts: &Facts, depth: usize) -> String {
    let number = |s: &str| {
        let mut s = s.to_owned();
        if let Some(b) =
            bounds(facts.minimum.as_ref().map(ToString::to_string), facts.maximum.as_ref().map(ToString::to_string), "")
        {
            let _ = write!(s, ", {b}");
        }
        s
    };
    match ty {
        Ty::String => {
            let mut s = match (facts.format.as_deref(), &facts.id_of) {
                (Some("id"), Some(of)) => format!("the DON ID of {of}"),
                (Some("id"), None) => "a DON ID".to_owned(),
                (Some("text"), _) => "text".to_owned(),
                (Some("sort-by"), _) => "a sort order (`<field>:asc` or `<field>:desc`)".to_owned(),
                (Some("byte"), _) => "base64 bytes".to_owned(),
                (Some("tag-filter"), _) => "a tag filter".to_owned(),
                _ => "a string".to_owned(),
            };
            let chars = |n: u64| n.to_string();
            if let Some(b) = bounds(facts.min_length.map(chars), facts.max_length.map(chars), " characters") {
                let _ = write!(s, ", {b}");
            }
            s
        }
        Ty::Secret => "a secret string (`Secret(<redacted>)` in `Debug`)".to_owned(),
        Ty::Bool => "a boolean".to_owned(),
        Ty::I32 | Ty::I64 => number("an integer"),
        Ty::F32 | Ty::F64 => number("a number"),
        Ty::DateTime => "a date-time (RFC 3339)".to_owned(),
        Ty::Date => "a date (`YYYY-MM-DD`)".to_owned(),
        Ty::Json => "any JSON value".to_owned(),
        Ty::JsonMap => "a JSON object".to_owned(),
        Ty::Map(inner) => format!("a map from keys to {}", words(plan, inner, &Facts::default(), depth + 1)),
        Ty::Vec(inner) => {
            let item = Facts { min_items: None, max_items: None, ..facts.clone() };
            let mut s = format!("a list of {}", plural(&words(plan, inner, &item, depth + 1)));
            let n = |n: u64| n.to_string();
            if let Some(b) = bounds(facts.min_items.map(n), facts.max_items.map(n), " items") {
                let _ = write!(s, " ({b})");
            }
            s
        }
        Ty::Named(key) => {
            let t = &plan.types[key];
            match &t.kind {
                Kind::Enum(values) if values.len() <= MAX_LISTED_VALUES => {
                    let list: Vec<String> = values.iter().map(|(_, wire)| format!("`{wire}`")).collect();
                    format!("one of {} (`{}`)", list.join(", "), t.name)
                }
                Kind::Enum(values) => format!("one of {} values (`{}`)", values.len(), t.name),
                Kind::Union { tag, variants } => {
                    let list: Vec<String> = variants.iter().map(|v| format!("`{}`", v.wire)).collect();
                    format!("a `{}`, by its `{tag}`: {}", t.name, list.join(", "))
                }
                Kind::Alias(inner) if depth < 4 => words(plan, inner, facts, depth + 1),
                _ => format!("a `{}`", t.name),
            }
        }
    }
}

/// `a DON ID` -> `DON IDs`, for a list's items: each item's words, with
/// its leading article replaced by "items that are".
fn plural(item: &str) -> String {
    for article in ["a ", "an ", "the "] {
        if let Some(rest) = item.strip_prefix(article) {
            return format!("items, each {article}{rest}");
        }
    }
    format!("items, each {item}")
}

/// The doc comment of a field (lines with `indent` and `///`): its wire name,
/// required or optional, its type and format in words, its default, and
/// how `None` and `Some(None)` go on the wire.
pub fn field_doc(plan: &Plan, f: &Field, indent: &str) -> String {
    if f.flatten {
        return format!("{indent}/// The part that depends on `{}`: {}.\n", f.wire, words(plan, &f.ty, &f.facts, 0));
    }
    let mut doc = format!(
        "`{}`: {}; {}",
        f.wire,
        if f.required { "required" } else { "optional" },
        words(plan, &f.ty, &f.facts, 0)
    );
    if let Some(default) = &f.facts.default {
        let _ = write!(doc, "; default `{default}`");
    }
    if f.deprecated {
        doc.push_str("; deprecated by DevRev");
    }
    if f.nullable && !f.required {
        let _ = write!(
            doc,
            "; `Some(None)` sends `null`, which clears it (`clear_{}`)",
            f.ident.strip_prefix("r#").unwrap_or(&f.ident)
        );
    }
    doc.push('.');
    format!("{indent}/// {doc}\n")
}

/// Lines for a request's doc after the emitter's own (method, path, link,
/// required fields): the operation and the answer type.
pub fn endpoint_facts(plan: &Plan, op: &Op, response: &str) -> String {
    let answer = &plan.types[response];
    let body = if answer.synthetic { ", which has no fields (DevRev answers with no body)" } else { "" };
    format!(
        "///\n/// Operation `{}` (`{}`); `send` answers with a [`{}`]{body}.\n",
        op.path.trim_start_matches('/'),
        op.operation_id,
        answer.name
    )
}

/// Operations named in a model's doc before the rest are counted.
const MAX_LISTED_OPS: usize = 6;

fn listed(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(MAX_LISTED_OPS).map(String::as_str).collect();
    let more = items.len().saturating_sub(MAX_LISTED_OPS);
    let mut s = shown.join(", ");
    if more > 0 {
        let _ = write!(s, " and {more} more");
    }
    s
}

/// The lines of a model's doc that say which operations return it (empty
/// for a type no answer reaches).
pub fn returned_by(t: &TypeDef, returns: Option<&Returns>) -> String {
    let Some(r) = returns else {
        return if t.ser { "///\n/// Sent in requests; no answer holds it.\n".to_owned() } else { String::new() };
    };
    let mut doc = String::new();
    if !r.answer_of.is_empty() {
        let ops: Vec<String> = r.answer_of.iter().map(|o| format!("`{o}`")).collect();
        let _ = writeln!(doc, "///\n/// The answer of {}.", listed(&ops));
    }
    if !r.held.is_empty() {
        let ops: Vec<String> = r.held.iter().map(|(o, f)| format!("`{o}` (in `{f}`)")).collect();
        let _ = writeln!(doc, "///\n/// Returned by {}.", listed(&ops));
    }
    if r.answer_of.is_empty() && r.held.is_empty() && !r.within.is_empty() {
        let ops: Vec<String> = r.within.iter().map(|o| format!("`{o}`")).collect();
        let _ = writeln!(doc, "///\n/// Inside the answers of {}.", listed(&ops));
    }
    doc
}

/// A sample ID for an example: `PROD-1` for a part's, `DON-ID` when the kind is unknown.
fn sample_id(facts: &Facts) -> String {
    facts
        .id_of
        .as_deref()
        .and_then(|of| ID_PREFIXES.iter().find(|(_, what)| *what == of))
        .map_or_else(|| "DON-ID".to_owned(), |(prefix, _)| format!("{prefix}-1"))
}

/// A Rust expression of type `ty` for an example's required argument, or
/// `None` when there is no short one.
fn example_arg(plan: &Plan, ty: &Ty, facts: &Facts, depth: usize) -> Option<String> {
    Some(match ty {
        Ty::String if facts.format.as_deref() == Some("id") => format!("{:?}", sample_id(facts)),
        Ty::String => "\"text\"".to_owned(),
        Ty::Bool => "true".to_owned(),
        Ty::I32 | Ty::I64 => "1".to_owned(),
        Ty::F32 | Ty::F64 => "1.0".to_owned(),
        Ty::DateTime => "Timestamp::default()".to_owned(),
        Ty::Vec(inner) => match example_arg(plan, inner, facts, depth + 1) {
            Some(item) => format!("[{item}]"),
            None => format!("Vec::<{}>::new()", rust_ty(plan, inner)),
        },
        Ty::Named(key) if depth < 3 => {
            let t = &plan.types[key];
            match &t.kind {
                Kind::Enum(values) => format!("{}::{}", t.name, values.first()?.0),
                Kind::Struct(fields) if t.ser => {
                    let args: Option<Vec<String>> = fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| example_arg(plan, &f.ty, &f.facts, depth + 1))
                        .collect();
                    format!("{}::new({})", t.name, args?.join(", "))
                }
                // A variant's struct converts into its union.
                Kind::Union { variants, .. } if t.ser => variants.iter().find_map(|v| {
                    let one = variants.iter().filter(|w| w.ty == v.ty).count() == 1;
                    one.then(|| example_arg(plan, &v.ty, &Facts::default(), depth + 1)).flatten()
                })?,
                Kind::Alias(inner) => example_arg(plan, inner, facts, depth + 1)?,
                _ => return None,
            }
        }
        _ => return None,
    })
}

fn fields_named(t: &TypeDef, wire: &str) -> bool {
    matches!(&t.kind, Kind::Struct(fields) if fields.iter().any(|f| f.wire == wire && !f.required))
}

/// A family module's `# Example` (`//!` lines): building its first request
/// that `new(..)` can build from short arguments, and sending it, in a
/// doctest that is compiled but not run. Empty for a user's crate (whose
/// module path a doctest cannot name) or a family with no such request.
pub fn family_example(plan: &Plan, family: &str, module: &str) -> String {
    if plan.target != Target::Devrev {
        return String::new();
    }
    let mut candidates = Vec::new();
    for endpoint in &plan.families[family].endpoints {
        let (op, request) = match endpoint {
            Endpoint::Single { op, request, .. } | Endpoint::Twin { post: op, request, .. } => (op, request),
            Endpoint::Skipped { .. } => continue,
        };
        let t = &plan.types[request];
        let Kind::Struct(fields) = &t.kind else { continue };
        let args: Option<Vec<String>> =
            fields.iter().filter(|f| f.required).map(|f| example_arg(plan, &f.ty, &f.facts, 0)).collect();
        let Some(args) = args else { continue };
        // Prefer a read (`get`, `list`), its `POST` form (`{Op}Request`), then the fewest arguments.
        let read = op.path.ends_with(".get") || op.path.ends_with(".list");
        let path = op.path.trim_start_matches('/').to_owned();
        candidates.push((!read, op.method != "POST", args.len(), path, t.name.clone(), args, op.streaming));
    }
    candidates.sort();
    let Some((_, _, _, path, name, args, streaming)) = candidates.into_iter().next() else { return String::new() };
    let unit =
        matches!(&plan.types.values().find(|t| t.name == name).map(|t| &t.kind), Some(Kind::Struct(f)) if f.is_empty());
    let mut build = if unit { name.clone() } else { format!("{name}::new({})", args.join(", ")) };
    let asks_to_stream = plan.types.values().any(|t| t.name == name && fields_named(t, "stream"));
    if streaming && asks_to_stream {
        // DevRev streams only when asked; otherwise the one item is the whole answer.
        build.push_str(".stream(true)");
    }
    let send = if streaming {
        "let mut events = request.send(client).await?;\n//! while let Some(event) = events.try_next().await? {\n//!     # let _ = event;\n//! }"
    } else {
        "let answer = request.send(client).await?;\n//! # let _ = answer;"
    };
    let uses = format!("use devrev::{module}::{name};");
    format!(
        "//!\n//! # Example\n//!\n//! `{path}`, built with its required fields and sent:\n//!\n//! ```no_run\n//! {uses}\n//! # #[allow(unused_imports)]\n//! # use devrev::models::*;\n//!\n//! # async fn example(client: &devrev::Client) -> devrev::Result<()> {{\n//! let request = {build};\n//! {send}\n//! # Ok(())\n//! # }}\n//! ```\n"
    )
}
