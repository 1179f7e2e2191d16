//! The operations of each family and how each becomes a request struct:
//! single operations, `GET`/`POST` twins, query structs, skipped operations
//! with their reason, retry safety and pagination.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::Facts;
use super::names::{query_form, response_key, rust_field_name};
use super::types::{Planner, REPEATED_QUERY_FIELDS};
use super::{Endpoint, Field, Kind, Op, QueryParam, Ty, TypeDef};
use crate::spec::{ref_key, Operation, Schema};

/// The last path segments of a `POST` that only reads, so it may be retried
/// like a `GET` (`idempotent`). The rule, in full: a `POST` is idempotent when
/// DevRev serves the same path as a `GET` too (every such pair in the spec is
/// a read with its fields in a body), or when its last dotted segment is one
/// of these verbs, or when its family is `search`.
pub const READ_ONLY_VERBS: &[&str] = &["count", "export", "get", "list", "locate", "search"];

/// The family of a path: the part before the first dot (`/works.create` -> `works`).
pub fn family_of(path: &str) -> &str {
    let path = path.trim_start_matches('/');
    path.split('.').next().unwrap_or(path)
}

/// Whether a `POST` only reads (see [`READ_ONLY_VERBS`]).
pub fn post_only_reads(path: &str, has_get_twin: bool) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    has_get_twin || READ_ONLY_VERBS.contains(&last) || family_of(path) == "search"
}

/// The schema key of a `$ref`-only body schema.
pub(super) fn body_key(schema: Option<&Schema>) -> Result<Option<String>, String> {
    match schema.and_then(|s| s.reference.as_deref()) {
        Some(r) => Ok(Some(ref_key(r)?.to_owned())),
        None if schema.is_some() => Err("inline body schema".to_owned()),
        None => Ok(None),
    }
}

pub(super) fn read_op(path: &str, method: &str, op: &Operation, has_get_twin: bool) -> Result<Op, String> {
    let family = family_of(path).to_owned();
    let request = body_key(
        op.request_body.as_ref().and_then(|b| b.content.get("application/json")).and_then(|m| m.schema.as_ref()),
    )?;
    let (status, response) = op
        .responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .map(|(code, r)| {
            let schema = r.content.as_ref().and_then(|c| c.get("application/json")).and_then(|m| m.schema.as_ref());
            (code.parse::<u16>().unwrap_or(200), schema)
        })
        .next()
        .ok_or_else(|| format!("{method} {path}: no success answer"))?;
    let slug = op.operation_id.strip_prefix(&format!("{family}-")).unwrap_or(&op.operation_id).to_owned();
    Ok(Op {
        path: path.to_owned(),
        method: method.to_owned(),
        family,
        operation_id: op.operation_id.clone(),
        slug,
        request,
        query: op
            .parameters
            .iter()
            .filter(|p| p.location == "query")
            .map(|p| QueryParam {
                name: p.name.clone(),
                required: p.required,
                deprecated: p.deprecated,
                schema: p.schema.clone().unwrap_or_default(),
            })
            .collect(),
        response: body_key(response)?,
        status,
        beta: op.availability.as_deref() == Some("beta"),
        deprecated: op.deprecated || op.availability.as_deref() == Some("deprecated"),
        streaming: op.streaming.is_some(),
        no_auth: op.security.as_ref().is_some_and(|s| s.is_empty()),
        idempotent: method != "POST" || post_only_reads(path, has_get_twin),
        paginate: false,
    })
}

fn skip_reason(op: &Op) -> Option<String> {
    if op.no_auth {
        return Some("an OAuth browser redirect without a token (`security: []`), not a JSON call".to_owned());
    }
    if op.request.is_none() && op.method == "POST" {
        return Some("a POST without a JSON body".to_owned());
    }
    None
}

/// The request and response names of an op, planning the schemas they need.
fn request_and_response(planner: &mut Planner<'_>, op: &Op) -> Result<Result<(String, String), String>, String> {
    let mut request = op.request.clone().expect("checked by skip_reason");
    planner.define_named(&request)?;
    let uses = planner.request_uses.get(&request).copied().unwrap_or(0);
    if !request.ends_with("-request") || uses > 1 {
        // A body schema shared by several operations (`empty`, ...) or not
        // named like a request: the endpoint gets a struct of its own, named
        // from its path, with the same fields.
        let own = format!("{}-request", op.path.trim_start_matches('/').replace('.', "-"));
        if !planner.types.contains_key(&own) {
            let kind = planner.types[&request].kind.clone();
            planner.add(&own, kind, false);
        }
        request = own;
    }
    if !matches!(planner.types[&request].kind, Kind::Struct(_)) {
        return Ok(Err(format!("the request body `{request}` is not an object")));
    }
    let response = match &op.response {
        Some(key) => {
            planner.define_named(key)?;
            key.clone()
        }
        None => {
            // No success body: an empty struct named like the request's answer.
            let key = response_key(&request);
            if !planner.types.contains_key(&key) && !planner.spec.components.schemas.contains_key(&key) {
                planner.add(&key, Kind::Struct(vec![]), false);
                planner.types.get_mut(&key).expect("added").synthetic = true;
            } else {
                planner.define_named(&key)?;
            }
            key
        }
    };
    Ok(Ok((request, response)))
}

pub(super) fn endpoint_for(planner: &mut Planner<'_>, op: Op) -> Result<Endpoint, String> {
    if let Some(reason) = skip_reason(&op) {
        return Ok(Endpoint::Skipped { op, reason });
    }
    Ok(match request_and_response(planner, &op)? {
        Ok((request, response)) => Endpoint::Single { op, request, response },
        Err(reason) => Endpoint::Skipped { op, reason },
    })
}

/// A `GET`/`POST` pair: one `get_and_post!` when they can share a field
/// list; otherwise the `POST` alone, with the `GET` skipped.
pub(super) fn endpoint_for_twin(planner: &mut Planner<'_>, get: Op, post: Op) -> Result<Vec<Endpoint>, String> {
    if let Some(reason) = skip_reason(&post).or_else(|| skip_reason(&get)) {
        return Ok(vec![Endpoint::Skipped { op: get, reason: reason.clone() }, Endpoint::Skipped { op: post, reason }]);
    }
    Ok(match request_and_response(planner, &post)? {
        Ok((request, response)) => {
            let shared = match &planner.types[&request].kind {
                Kind::Struct(fields) => !fields.iter().any(|f| f.flatten) && query_matches_body(planner, &get, fields),
                _ => false,
            };
            if shared {
                vec![Endpoint::Twin { get, post, request, response }]
            } else {
                // The POST body is a union, which a query string cannot carry:
                // the GET gets a struct of its own from its query parameters.
                let query = query_struct(planner, &get, &request)?;
                vec![
                    Endpoint::Single { op: get, request: query, response: response.clone() },
                    Endpoint::Single { op: post, request, response },
                ]
            }
        }
        Err(reason) => {
            vec![Endpoint::Skipped { op: get, reason: reason.clone() }, Endpoint::Skipped { op: post, reason }]
        }
    })
}

/// Whether the body's fields, encoded as the runtime's query encoder does
/// (nested objects as dotted names, lists of scalars as one parameter), are
/// exactly the `GET`'s query parameters. When they are not (a list of objects,
/// which a query spells per field, or a body field the `GET` does not take),
/// the `GET` gets a struct of its own query parameters.
fn query_matches_body(planner: &Planner<'_>, get: &Op, fields: &[Field]) -> bool {
    let mut leaves = Vec::new();
    let mut open = Vec::new();
    for f in fields {
        if !query_names(planner, &f.ty, &f.wire, &mut leaves, &mut open, 0) {
            return false;
        }
    }
    let params: BTreeSet<&str> = get.query.iter().map(|p| p.name.as_str()).collect();
    let under =
        |name: &str, prefix: &str| name == prefix || name.strip_prefix(prefix).is_some_and(|r| r.starts_with('.'));
    leaves.iter().all(|l| params.contains(l.as_str()))
        && open.iter().all(|p| params.iter().any(|q| under(q, p)))
        && params.iter().all(|q| leaves.iter().any(|l| l == q) || open.iter().any(|p| under(q, p)))
}

/// The query names a body field of type `ty` at `name` encodes to: `leaves`
/// exactly, `open` as prefixes (maps and hand-written models, whose keys the
/// spec's query lists by name). False when the encoder cannot carry it.
fn query_names(
    planner: &Planner<'_>,
    ty: &Ty,
    name: &str,
    leaves: &mut Vec<String>,
    open: &mut Vec<String>,
    depth: usize,
) -> bool {
    if depth > 8 {
        return false;
    }
    match ty {
        Ty::Named(key) => match &planner.types[key].kind {
            Kind::Struct(fields) if !fields.iter().any(|f| f.flatten) => fields
                .iter()
                .all(|f| query_names(planner, &f.ty, &format!("{name}.{}", f.wire), leaves, open, depth + 1)),
            Kind::Struct(_) | Kind::Union { .. } => false,
            Kind::Enum(_) => {
                leaves.push(name.to_owned());
                true
            }
            Kind::Alias(inner) => query_names(planner, inner, name, leaves, open, depth + 1),
        },
        Ty::Vec(inner) => match &**inner {
            Ty::Named(key) => match &planner.types[key].kind {
                Kind::Enum(_) => {
                    leaves.push(name.to_owned());
                    true
                }
                Kind::Alias(inner) => {
                    query_names(planner, &Ty::Vec(Box::new(inner.clone())), name, leaves, open, depth + 1)
                }
                _ => false,
            },
            Ty::Vec(_) | Ty::Map(_) => false,
            _ => {
                leaves.push(name.to_owned());
                true
            }
        },
        Ty::Map(_) | Ty::JsonMap | Ty::Json => {
            open.push(name.to_owned());
            true
        }
        _ => {
            leaves.push(name.to_owned());
            true
        }
    }
}

/// A struct of a `GET`'s query parameters, named `<Body>QueryRequest` after
/// the `POST` body it stands in for (`chats-get-request` -> `ChatsGetQueryRequest`),
/// by the one naming rule of a pair ([`query_form`]).
fn query_struct(planner: &mut Planner<'_>, get: &Op, body: &str) -> Result<String, String> {
    let key = query_form(body);
    let mut fields = Vec::new();
    for param in &get.query {
        let ty = planner.ty_of(&param.schema, &format!("{key}-{}", param.name))?;
        fields.push(Field {
            wire: param.name.clone(),
            // `shared_with.member` -> `shared_with_member`.
            ident: rust_field_name(&param.name.replace('.', "_")),
            ty,
            required: param.required,
            deprecated: param.deprecated,
            flatten: false,
            boxed: false,
            nullable: false,
            repeated: REPEATED_QUERY_FIELDS.contains(&param.name.as_str()),
            facts: Facts::of(&param.schema),
        });
    }
    fields.sort_by(|a, b| a.wire.cmp(&b.wire));
    planner.add(&key, Kind::Struct(fields), false);
    Ok(key)
}

/// Whether `request` pages into `response`: a `cursor: Option<String>` in the
/// request, a `next_cursor: Option<String>` in the answer and a `Vec` of items
/// (`Some(field)` when `#[page(items)]` must say which).
pub(super) fn page_items(types: &BTreeMap<String, TypeDef>, request: &str, response: &str) -> Option<Option<String>> {
    let Kind::Struct(req) = &types[request].kind else { return None };
    let Kind::Struct(res) = &types[response].kind else { return None };
    req.iter().find(|f| f.wire == "cursor" && !f.required && f.ty == Ty::String)?;
    res.iter().find(|f| f.wire == "next_cursor" && !f.required && f.ty == Ty::String)?;
    // `Page` needs the items as a plain `Vec`: an optional list cannot page.
    let vecs: Vec<&Field> = res.iter().filter(|f| matches!(f.ty, Ty::Vec(_)) && f.required && !f.boxed).collect();
    match vecs.as_slice() {
        [] => None,
        [_] => Some(None),
        many => Some(Some(many[0].ident.clone())),
    }
}
