//! What each family needs: the closure of models behind its Cargo feature,
//! each type's directions (`Serialize`, `Deserialize`), where it lives, and
//! which requests page.

use std::collections::{BTreeMap, BTreeSet};

use super::families::page_items;
use super::names::shared_module_names;
use super::types::box_recursion;
use super::{Endpoint, Home, Kind, Op, Plan, Ty};

/// Extra entries of a family's Cargo feature: the optional dependencies its
/// hand-written companion (`src/extras/<module>.rs`) needs.
pub const FEATURE_DEPS: &[(&str, &[&str])] = &[
    // `artifacts`: streamed multipart uploads and downloads (`devrev-runtime`'s `storage` module).
    ("artifacts", &["devrev-runtime/storage"]),
    ("webhooks", &["dep:hmac", "dep:sha2", "dep:hex", "dep:http", "dep:secrecy", "dep:thiserror"]),
];

/// The body of a webhook delivery: decoded by receivers, so its closure
/// derives `Deserialize` as well (see `write/webhook_events.rs` for the event enum).
pub const WEBHOOK_EVENT: &str = "webhook-event-request";

/// Families whose requests, answers and models derive both `Serialize` and
/// `Deserialize`, whatever their direction: the crate's default families
/// (`rev-orgs`, `accounts`), whose types were hand-written that way. Users
/// store and forward their answers, replay their requests, and
/// `tests/spec_conformance.rs` checks that each decodes and encodes back
/// unchanged. The cost is their closure only (about 40 types), not the 1,400
/// of `full`.
pub const ROUND_TRIP_FAMILIES: &[&str] = &["accounts", "rev-orgs"];

/// Directions, families, boxes, homes and pagination.
pub(super) fn finish(plan: &mut Plan) -> Result<(), String> {
    // Directions and families.
    let mut requests = Vec::new();
    let mut responses = Vec::new();
    let mut roots_by_family: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for family in plan.families.values() {
        for endpoint in &family.endpoints {
            if let Endpoint::Single { request, response, .. } | Endpoint::Twin { request, response, .. } = endpoint {
                requests.push(request.clone());
                responses.push(response.clone());
                roots_by_family.entry(family.name.clone()).or_default().extend([request.clone(), response.clone()]);
            }
        }
    }
    for key in plan.closure(requests.clone()) {
        plan.types.get_mut(&key).expect("planned").ser = true;
    }
    for key in plan.closure(responses.clone()) {
        plan.types.get_mut(&key).expect("planned").de = true;
    }
    // What DevRev POSTs to a webhook is read by receivers (`devrev::webhooks`), not only sent.
    if plan.types.contains_key(WEBHOOK_EVENT) {
        for key in plan.closure([WEBHOOK_EVENT.to_owned()]) {
            plan.types.get_mut(&key).expect("planned").de = true;
        }
    }
    // `tagged_union!` always implements `Deserialize`, so everything a union sent in a request holds must decode too.
    let sent_unions: Vec<String> =
        plan.types.values().filter(|t| t.ser && matches!(t.kind, Kind::Union { .. })).map(|t| t.key.clone()).collect();
    for key in plan.closure(sent_unions) {
        plan.types.get_mut(&key).expect("planned").de = true;
    }
    for (family, roots) in &roots_by_family {
        for key in plan.closure(roots.clone()) {
            plan.types.get_mut(&key).expect("planned").families.insert(family.clone());
        }
    }
    // The round-trip families: everything they reach derives both ways, except
    // their request structs, which are only ever sent.
    for family in ROUND_TRIP_FAMILIES {
        let Some(roots) = roots_by_family.get(*family) else { continue };
        for key in plan.closure(roots.clone()) {
            if !requests.contains(&key) {
                let t = plan.types.get_mut(&key).expect("planned");
                (t.ser, t.de) = (true, true);
            }
        }
    }
    // Types no operation reaches are not emitted.
    plan.types.retain(|_, t| !t.families.is_empty());

    // The discriminator is the union's: a variant struct does not carry it as a field.
    let unions: Vec<(String, Vec<String>)> = plan
        .types
        .values()
        .filter_map(|t| match &t.kind {
            Kind::Union { tag, variants } => Some((
                tag.clone(),
                variants
                    .iter()
                    .filter_map(|v| match &v.ty {
                        Ty::Named(k) => Some(k.clone()),
                        _ => None,
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect();
    for (tag, keys) in unions {
        for key in keys {
            if let Some(Kind::Struct(fields)) = plan.types.get_mut(&key).map(|t| &mut t.kind) {
                fields.retain(|f| f.wire != tag || f.flatten);
            }
        }
    }

    box_recursion(plan);

    // Homes: requests and answers of one family live in its module, unless
    // another schema refers to them; a model one family uses lives in that
    // family's folder, a model several use in the module of that set of
    // families under `shared/`.
    let mut referenced = BTreeSet::new();
    for key in plan.types.keys() {
        for (target, _) in plan.edges(key) {
            referenced.insert(target);
        }
    }
    let mut family_of_root: BTreeMap<String, String> = BTreeMap::new();
    for (family, roots) in &roots_by_family {
        for root in roots {
            family_of_root.insert(root.clone(), family.clone());
        }
    }
    let shared = shared_module_names(plan.types.values().map(|t| &t.families).filter(|f| f.len() > 1));
    for t in plan.types.values_mut() {
        let only = t.families.iter().next().filter(|_| t.families.len() == 1).cloned();
        t.home = match (family_of_root.get(&t.key), only) {
            (Some(family), Some(_)) if !referenced.contains(&t.key) => Home::Family(family.clone()),
            (_, Some(family)) => Home::FamilyModels(family),
            (_, None) => Home::Shared(shared[&t.families].clone()),
        };
    }

    // Names must be unique across everything `crate::models` exports.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for t in plan.types.values() {
        if let Some(other) = names.insert(t.name.clone(), t.key.clone()) {
            return Err(format!("`{}` and `{other}` both want the name `{}`", t.key, t.name));
        }
    }

    // Pagination.
    let mut paged: BTreeMap<String, Option<String>> = BTreeMap::new();
    for family in plan.families.values_mut() {
        for endpoint in &mut family.endpoints {
            let (ops, request, response): (Vec<&mut Op>, &String, &String) = match endpoint {
                Endpoint::Single { op, request, response } => (vec![op], request, response),
                Endpoint::Twin { get, post, request, response } => (vec![get, post], request, response),
                Endpoint::Skipped { .. } => continue,
            };
            if ops.iter().any(|op| op.streaming) {
                continue;
            }
            if let Some(items) = page_items(&plan.types, request, response) {
                for op in ops {
                    op.paginate = true;
                }
                paged.insert(response.clone(), items);
            }
        }
    }
    for (key, items) in paged {
        plan.types.get_mut(&key).expect("planned").page = Some(items);
    }
    plan.returns = super::facts::returns(plan);
    Ok(())
}
