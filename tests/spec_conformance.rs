//! Opt-in: the built-in endpoints and models checked against DevRev's
//! OpenAPI spec. The spec is not part of this repository, so the check runs
//! only when `DEVREV_OPENAPI_SPEC` names a copy of it:
//!
//! ```sh
//! DEVREV_OPENAPI_SPEC=/path/to/openapi-beta.yaml cargo test --test spec_conformance
//! ```
//!
//! Without it the spec tests print a `SKIPPED` line and pass; the tests of the
//! checker itself (at the end, against a small spec written here) always run.
//!
//! What is checked, for the rev-orgs and accounts endpoints (both forms of
//! the reads):
//! 1. each endpoint's method and path are an operation of the spec, and each
//!    method the spec has for those paths has a Rust form;
//! 2. a request with `new(..)` and every setter applied sends exactly the
//!    spec's fields, all the way down, with the spec's JSON types (for `GET`,
//!    exactly the spec's query parameters; `created_date.after` and
//!    `custom_fields.<name>` map to theirs); a request built with `new(..)`
//!    alone sends exactly the spec's required fields;
//! 3. each answer and model has exactly the spec's properties (field names
//!    read from serde, so renames count), a spec-shaped instance with every
//!    property decodes and encodes back unchanged, and one with only the
//!    required properties decodes; the unions decode each of the spec's
//!    variants into the right payload type;
//! 4. every enum the checked schemas use decodes each of its values into a
//!    known variant.
//!
//! The checks themselves are those of `spec_conformance/checks.rs`, shared
//! with `tests/generated_conformance.rs`; this test runs them complete at
//! every level of nesting (the generated one stops at
//! `checks::SAMPLE_LEVELS`) and adds what only it checks (the operations of
//! its paths, union payloads' fields, the enums its schemas reach).

#[path = "spec_conformance/checks.rs"]
mod checks;
#[path = "spec_conformance/introspect.rs"]
mod introspect;
#[path = "spec_conformance/openapi.rs"]
mod openapi;

use std::collections::{BTreeMap, BTreeSet};

use checks::{finish, short_name, spec};
use chrono::{TimeZone, Utc};
use devrev::accounts::{
    AccountsCreateRequest, AccountsDeleteRequest, AccountsGetQueryRequest, AccountsGetRequest,
    AccountsListQueryRequest, AccountsListRequest, AccountsUpdateRequest,
};
use devrev::models::{
    Account, AccountSummary, AccountsUpdateRequestArtifacts, AccountsUpdateRequestWebsites, ArtifactFileSummary,
    ArtifactSummary, CustomFields, CustomSchemaSpec, CustomSchemaSpecDrop, DateTimeFilter, ListMode, OrgEnvironment,
    OrgSummary, RevOrg, RevOrgsUpdateRequestArtifacts, SetTagWithValue, TagStyleSummary, TagSummary, TagWithValue,
    Timestamp, UserState, UserSummary,
};
use devrev::rev_orgs::{
    RevOrgsCreateRequest, RevOrgsDeleteRequest, RevOrgsGetQueryRequest, RevOrgsGetRequest, RevOrgsListQueryRequest,
    RevOrgsListRequest, RevOrgsUpdateRequest,
};
use devrev::{Endpoint, Method};
use introspect::{wire_fields, wire_fields_of_val};
use openapi::{check_value, Param, Spec};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// How deep this check builds and checks: every property at every level
/// (the generated check stops at `checks::SAMPLE_LEVELS` to stay small).
const ALL_LEVELS: usize = usize::MAX;

/// The JSON pointer of a schema under `components/schemas`.
fn schema_pointer(name: &str) -> String {
    format!("/components/schemas/{name}")
}

// ---------------------------------------------------------------------------
// Endpoints: one case per request type
// ---------------------------------------------------------------------------

type Check = Box<dyn Fn(&Spec, &mut Vec<String>)>;

/// One request type: how to check what it sends and what it decodes.
struct Case {
    label: String,
    method: Method,
    path: &'static str,
    operation: fn(&Spec) -> Option<&Value>,
    request: Check,
    answer: Check,
}

/// A case for `E`: `full` has `new(..)` and every setter applied, `minimal`
/// only `new(..)`; `more` are other instances worth sending (a `null`, an
/// empty replacement list), checked for unknown fields and types only. The
/// request check is `checks::request`, complete at every level.
fn case<E>(full: E, minimal: E, more: Vec<E>) -> Case
where
    E: Endpoint + 'static,
    E::Response: Serialize,
{
    Case {
        label: format!("{} {}", E::METHOD, E::PATH),
        method: E::METHOD,
        path: E::PATH,
        operation: checks::operation::<E>,
        request: Box::new(move |spec, out| checks::request(spec, &full, &minimal, &more, ALL_LEVELS, out)),
        answer: Box::new(|spec, out| check_answer::<E>(spec, out)),
    }
}

/// `E`'s answer: the operation's success answer must be JSON, and
/// `E::Response` passes [`check_model`] against it.
fn check_answer<E>(spec: &Spec, out: &mut Vec<String>)
where
    E: Endpoint,
    E::Response: Serialize,
{
    let label = format!("{} {} answer", E::METHOD, E::PATH);
    let Some(op) = checks::operation::<E>(spec) else {
        return out.push(format!("{label}: not an operation of the spec"));
    };
    match spec.success_schema(op) {
        Ok(schema) => check_model::<E::Response>(spec, schema, &label, out),
        Err(e) => out.push(format!("{label}: {e}")),
    }
}

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/// `T`'s fields against the schema's properties, both ways; a spec-shaped
/// instance with every property (at every level) decodes and encodes back
/// unchanged, and one with only the required properties decodes.
fn check_model<T: DeserializeOwned + Serialize>(spec: &Spec, schema: &Value, label: &str, out: &mut Vec<String>) {
    checks::fields::<T>(spec, schema, label, out);
    checks::decodes_within::<T>(spec, schema, ALL_LEVELS, label, out);
    checks::round_trip_within::<T>(spec, schema, ALL_LEVELS, None, label, out);
}

/// A model check by schema name.
fn model<T: DeserializeOwned + Serialize + 'static>(name: &'static str) -> (&'static str, Check) {
    (
        name,
        Box::new(move |spec, out| match spec.schema(name) {
            Ok(schema) => check_model::<T>(spec, schema, name, out),
            Err(e) => out.push(e),
        }),
    )
}

/// A union payload's type name and wire fields.
type Fields = (&'static str, Result<&'static [&'static str], String>);

/// What a decoded union holds: its payload's type and fields, or `None` for
/// a variant the test does not know (`Unknown`).
type Payload<U> = fn(&U) -> Option<Fields>;

/// The type of `value`, by name and wire fields.
fn fields_of<T: DeserializeOwned>(value: &T) -> Fields {
    (short_name::<T>(), wire_fields_of_val(value))
}

fn user_payload(summary: &UserSummary) -> Option<Fields> {
    match summary {
        UserSummary::DevUser(p) => Some(fields_of(p)),
        UserSummary::RevUser(p) => Some(fields_of(p)),
        UserSummary::ServiceAccount(p) => Some(fields_of(p)),
        UserSummary::SysUser(p) => Some(fields_of(p)),
        _ => None,
    }
}

/// The tag of a decoded `UserSummary` variant this test knows.
fn user_tag(summary: &UserSummary) -> Option<String> {
    user_payload(summary).map(|_| summary.type_name().to_owned())
}

fn org_payload(summary: &OrgSummary) -> Option<Fields> {
    match summary {
        OrgSummary::Account(p) => Some(fields_of(p)),
        OrgSummary::DevOrg(p) => Some(fields_of(p)),
        OrgSummary::RevOrg(p) => Some(fields_of(p)),
        _ => None,
    }
}

/// The tag of a decoded `OrgSummary` variant this test knows.
fn org_tag(summary: &OrgSummary) -> Option<String> {
    org_payload(summary).map(|_| summary.type_name().to_owned())
}

/// Each variant of a discriminated union in the spec: spec-shaped instances
/// decode into the known variant of their tag (`checks::union_within`, at
/// every level), whose payload has exactly the variant's properties, and
/// the one with every property encodes back unchanged. Returns how many
/// variants were checked.
fn check_union<U: DeserializeOwned + Serialize>(
    spec: &Spec,
    name: &str,
    tag_of: fn(&U) -> Option<String>,
    payload: Payload<U>,
    out: &mut Vec<String>,
) -> usize {
    let variants = checks::union_within::<U>(spec, &schema_pointer(name), name, ALL_LEVELS, tag_of, out);
    // Not a union, or not in the spec: noted by `union_within`.
    let Ok((schema, Some((tag, mapping)))) = spec.schema(name).and_then(|s| Ok((s, spec.flatten(s)?.discriminator)))
    else {
        return variants;
    };
    for (key, target) in &mapping {
        let label = format!("{name} `{tag}: {key}` ({})", target.rsplit('/').next().unwrap_or(target));
        let variant = json!({ "$ref": target });
        match spec.flatten(&variant) {
            Ok(mut vflat) => {
                vflat.properties.remove(tag);
                // The payload of an instance with only the required properties.
                let probe = spec.sample_to(schema, 0, Some(key)).ok().and_then(|p| serde_json::from_value::<U>(p).ok());
                match probe.as_ref().and_then(payload) {
                    Some((type_name, Ok(fields))) => {
                        checks::compare_fields(spec, &label, type_name, &vflat.properties, fields, out);
                    }
                    Some((type_name, Err(e))) => {
                        out.push(format!("{label}: cannot read the fields of `{type_name}`: {e}"))
                    }
                    None => {} // noted by `union_within`
                }
            }
            Err(e) => out.push(format!("{label}: {e}")),
        }
        checks::round_trip_within::<U>(spec, schema, ALL_LEVELS, Some(key), &label, out);
    }
    variants
}

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

/// Checks an enum of the spec (by schema name) whose values are given.
type EnumCheck = Box<dyn Fn(&Spec, &str, &[Value], &mut Vec<String>)>;

/// A string enum: each value decodes into a known variant and encodes back
/// as itself (`checks::string_enum`).
fn string_enum<T: DeserializeOwned + Serialize + 'static>(is_unknown: fn(&T) -> bool) -> EnumCheck {
    Box::new(move |spec, name, _, out| checks::string_enum::<T>(spec, &schema_pointer(name), name, is_unknown, out))
}

/// A union's tag: an object with each value as its `type` decodes into a
/// known variant.
fn union_tag<T: DeserializeOwned + 'static>(is_unknown: fn(&T) -> bool) -> EnumCheck {
    Box::new(move |_, name, values, out| {
        for value in values {
            // `dev_slug`: the one other property a variant requires (`dev-org-summary`).
            match serde_json::from_value::<T>(json!({ "type": value, "id": "ID-1", "dev_slug": "dev-1" })) {
                Ok(decoded) if is_unknown(&decoded) => {
                    out.push(format!("{name} {value}: decodes into `{}::Unknown`", short_name::<T>()))
                }
                Ok(_) => {}
                Err(e) => out.push(format!("{name} {value}: does not decode: {e}")),
            }
        }
    })
}

/// The enums of the spec, by schema name, and the Rust type each maps to.
fn enum_checks() -> BTreeMap<&'static str, EnumCheck> {
    BTreeMap::from([
        ("org-environment", string_enum::<OrgEnvironment>(|e| matches!(e, OrgEnvironment::Unknown(_)))),
        ("user-state", string_enum::<UserState>(|e| matches!(e, UserState::Unknown(_)))),
        ("list-mode", string_enum::<ListMode>(|e| matches!(e, ListMode::Unknown(_)))),
        ("user-type", union_tag::<UserSummary>(|u| matches!(u, UserSummary::Unknown(_)))),
        ("org-type", union_tag::<OrgSummary>(|o| matches!(o, OrgSummary::Unknown(_)))),
    ])
}

/// The enums reachable from `roots` through `$ref`s: the names of schemas
/// with an `enum`, and a message for each inline enum and dangling `$ref`.
fn reachable_enums(spec: &Spec, roots: &[&Value]) -> (BTreeSet<String>, BTreeSet<String>) {
    fn walk(
        spec: &Spec,
        node: &Value,
        seen: &mut BTreeSet<String>,
        named: &mut BTreeSet<String>,
        inline: &mut BTreeSet<String>,
    ) {
        if let Some(list) = node.as_array() {
            for item in list {
                walk(spec, item, seen, named, inline);
            }
            return;
        }
        let Some(object) = node.as_object() else { return };
        if let Some(target) = object.get("$ref").and_then(Value::as_str) {
            return follow(spec, target, seen, named, inline);
        }
        if let Some(values) = object.get("enum") {
            inline.insert(format!("an inline enum {values} in the checked schemas has no Rust enum checked here"));
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in object.get(key).and_then(Value::as_array).into_iter().flatten() {
                walk(spec, part, seen, named, inline);
            }
        }
        for property in object.get("properties").and_then(Value::as_object).into_iter().flat_map(|p| p.values()) {
            walk(spec, property, seen, named, inline);
        }
        for key in ["items", "additionalProperties", "schema"] {
            if let Some(inner) = object.get(key) {
                walk(spec, inner, seen, named, inline);
            }
        }
        let mapping = object.get("discriminator").and_then(|d| d.get("mapping")).and_then(Value::as_object);
        for target in mapping.into_iter().flat_map(|m| m.values()).filter_map(Value::as_str) {
            follow(spec, target, seen, named, inline);
        }
    }
    fn follow(
        spec: &Spec,
        target: &str,
        seen: &mut BTreeSet<String>,
        named: &mut BTreeSet<String>,
        inline: &mut BTreeSet<String>,
    ) {
        if !seen.insert(target.to_owned()) {
            return;
        }
        let Ok(schema) = spec.resolve(&json!({ "$ref": target })).cloned() else {
            inline.insert(format!("`$ref: {target}` in the checked schemas points nowhere in the spec"));
            return;
        };
        if schema.get("enum").is_some() {
            named.insert(target.rsplit('/').next().unwrap_or(target).to_owned());
            return;
        }
        walk(spec, &schema, seen, named, inline);
    }
    let (mut seen, mut named, mut inline) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for root in roots {
        walk(spec, root, &mut seen, &mut named, &mut inline);
    }
    (named, inline)
}

// ---------------------------------------------------------------------------
// The requests, built by hand: `new(..)` and every setter
// ---------------------------------------------------------------------------

fn day(d: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2024, 3, d, 12, 0, 0).single().expect("a valid date")
}

fn range() -> DateTimeFilter {
    DateTimeFilter::between(day(1), day(31))
}

fn custom_fields() -> CustomFields {
    let mut fields = CustomFields::new();
    fields.insert("tier_code".to_owned(), json!("gold"));
    fields
}

fn tag() -> SetTagWithValue {
    SetTagWithValue::with_value("TAG-1", "high")
}

fn schema_spec() -> CustomSchemaSpec {
    CustomSchemaSpec::new()
        .apps(["app-billing"])
        .drop(CustomSchemaSpecDrop::new().apps(["app-legacy"]).subtype(true))
        .subtype("partner")
        .tenant_fragment(true)
        .validate_required_fields(true)
}

const FRAGMENT: &str = "don:core:dvrv-us-1:devo/1:custom_type_fragment/7";

/// Both forms of `rev-orgs.get` have the same setters.
macro_rules! rev_orgs_get_full {
    ($t:ty) => {
        <$t>::new().account("ACC-1").id("REV-1")
    };
}

macro_rules! rev_orgs_list_full {
    ($t:ty) => {
        <$t>::new()
            .account(["ACC-1"])
            .created_by(["DEVU-1"])
            .created_date(range())
            .cursor("cursor-2")
            .custom_field_filter(["tier_code:gold,silver", "region:emea"])
            .custom_fields(custom_fields())
            .display_name(["Acme"])
            .external_ref(["acme-1"])
            .limit(25)
            .mode(ListMode::Before)
            .modified_date(range())
            .sort_by(["created_date:desc"])
            .tags(["TAG-1"])
    };
}

macro_rules! accounts_list_full {
    ($t:ty) => {
        <$t>::new()
            .created_by(["DEVU-1"])
            .created_date(range())
            .cursor("cursor-2")
            .custom_fields(custom_fields())
            .display_name(["Acme"])
            .domains(["acme.example"])
            .external_refs(["crm-1"])
            .limit(25)
            .mode(ListMode::After)
            .modified_date(range())
            .owned_by(["DEVU-2"])
            .sort_by(["display_name:asc"])
            .stage(["STAGE-1"])
            .subtype(["partner"])
            .tags(["TAG-1"])
            .tier(["enterprise"])
            .websites(["www.acme.example"])
    };
}

/// Every built-in request type, fully filled and minimal.
#[allow(deprecated)] // the deprecated fields are in the spec too
fn cases() -> Vec<Case> {
    vec![
        case(
            RevOrgsCreateRequest::new("ACC-1", "Acme")
                .artifacts(["ARTIFACT-1"])
                .custom_fields(custom_fields())
                .custom_schema_fragments([FRAGMENT])
                .description("The Acme workspace")
                .domain("acme.example")
                .environment(OrgEnvironment::Staging)
                .external_ref("acme-1")
                .tags([tag()])
                .tier("gold"),
            RevOrgsCreateRequest::new("ACC-1", "Acme"),
            vec![],
        ),
        case(
            rev_orgs_get_full!(RevOrgsGetQueryRequest),
            RevOrgsGetQueryRequest::new(),
            vec![RevOrgsGetQueryRequest::by_id("REV-1"), RevOrgsGetQueryRequest::by_account("ACC-1")],
        ),
        case(rev_orgs_get_full!(RevOrgsGetRequest), RevOrgsGetRequest::new(), vec![]),
        case(rev_orgs_list_full!(RevOrgsListQueryRequest), RevOrgsListQueryRequest::new(), vec![]),
        case(rev_orgs_list_full!(RevOrgsListRequest), RevOrgsListRequest::new(), vec![]),
        case(
            RevOrgsUpdateRequest::new("REV-1")
                .account("ACC-2")
                .artifacts(["ARTIFACT-1"])
                .custom_schema_fragments([FRAGMENT])
                .description("Moved")
                .display_name("Acme EU")
                .domain("acme.example")
                .environment(OrgEnvironment::Test)
                .external_ref("acme-eu")
                .tags([tag()])
                .tier("silver"),
            RevOrgsUpdateRequest::new("REV-1"),
            vec![RevOrgsUpdateRequest::new("REV-1").artifacts(Vec::<String>::new())],
        ),
        case(RevOrgsDeleteRequest::new("REV-1"), RevOrgsDeleteRequest::new("REV-1"), vec![]),
        case(
            AccountsCreateRequest::new("Acme")
                .artifacts(["ARTIFACT-1"])
                .custom_fields(custom_fields())
                .custom_schema_spec(schema_spec())
                .description("A customer")
                .domains(["acme.example"])
                .external_refs(["crm-1"])
                .owned_by(["DEVU-1"])
                .schema_fragment_ids([FRAGMENT])
                .tags([tag()])
                .tier("enterprise")
                .websites(["www.acme.example"]),
            AccountsCreateRequest::new("Acme"),
            vec![],
        ),
        case(AccountsGetQueryRequest::new("ACC-1"), AccountsGetQueryRequest::new("ACC-1"), vec![]),
        case(AccountsGetRequest::new("ACC-1"), AccountsGetRequest::new("ACC-1"), vec![]),
        case(accounts_list_full!(AccountsListQueryRequest), AccountsListQueryRequest::new(), vec![]),
        case(accounts_list_full!(AccountsListRequest), AccountsListRequest::new(), vec![]),
        case(
            AccountsUpdateRequest::new("ACC-1")
                .artifacts(["ARTIFACT-1"])
                .custom_fields(custom_fields())
                .custom_schema_spec(schema_spec())
                .description("A bigger customer")
                .display_name("Acme Corp")
                .domains(["acme.example"])
                .external_refs(["crm-1"])
                .owned_by(["DEVU-1"])
                .schema_fragment_ids([FRAGMENT])
                .tags([tag()])
                .tier("enterprise")
                .websites(["www.acme.example"]),
            AccountsUpdateRequest::new("ACC-1"),
            vec![
                AccountsUpdateRequest::new("ACC-1").clear_tier(),
                AccountsUpdateRequest::new("ACC-1").artifacts(Vec::<String>::new()).websites(Vec::<String>::new()),
            ],
        ),
        case(AccountsDeleteRequest::new("ACC-1"), AccountsDeleteRequest::new("ACC-1"), vec![]),
    ]
}

/// The named models, each against the spec schema of the same meaning.
fn models() -> Vec<(&'static str, Check)> {
    vec![
        model::<RevOrg>("rev-org"),
        model::<Account>("account"),
        model::<AccountSummary>("account-summary"),
        model::<ArtifactSummary>("artifact-summary"),
        model::<ArtifactFileSummary>("artifact-file-summary"),
        model::<TagWithValue>("tag-with-value"),
        model::<TagSummary>("tag-summary"),
        model::<TagStyleSummary>("tag-style-summary"),
        // Inputs: they decode too.
        model::<SetTagWithValue>("set-tag-with-value"),
        model::<DateTimeFilter>("date-time-filter"),
        model::<CustomSchemaSpec>("custom-schema-spec"),
        model::<CustomSchemaSpecDrop>("custom-schema-spec-drop"),
        model::<RevOrgsUpdateRequestArtifacts>("rev-orgs-update-request-artifacts"),
        model::<AccountsUpdateRequestArtifacts>("accounts-update-request-artifacts"),
        model::<AccountsUpdateRequestWebsites>("accounts-update-request-websites"),
    ]
}

// ---------------------------------------------------------------------------
// The checks against DevRev's spec (opt-in)
// ---------------------------------------------------------------------------

#[test]
fn every_endpoint_is_an_operation_of_the_spec() {
    let Some(spec) = spec() else { return };
    let cases = cases();
    let mut problems = Vec::new();
    let mut ours: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for case in &cases {
        ours.entry(case.path).or_default().insert(case.method.as_str().to_ascii_lowercase());
        if (case.operation)(spec).is_none() {
            problems.push(format!("{}: not an operation of the spec", case.label));
        }
    }
    // Each method the spec serves on our paths has a Rust form.
    for (path, methods) in &ours {
        for method in ["get", "put", "post", "delete", "patch"] {
            if spec.operation(path, method).is_some() && !methods.contains(method) {
                problems.push(format!("{} {path}: an operation of the spec with no Rust form", method.to_uppercase()));
            }
        }
    }
    finish("endpoints", cases.len(), &problems, &[]);
}

#[test]
fn requests_send_exactly_the_spec_fields() {
    let Some(spec) = spec() else { return };
    let cases = cases();
    let mut problems = Vec::new();
    for case in &cases {
        (case.request)(spec, &mut problems);
    }
    finish("requests", cases.len(), &problems, &[]);
}

#[test]
fn answers_decode_the_spec_fields() {
    let Some(spec) = spec() else { return };
    let cases = cases();
    let mut problems = Vec::new();
    for case in &cases {
        (case.answer)(spec, &mut problems);
    }
    finish("answers", cases.len(), &problems, &[]);
}

#[test]
fn models_have_the_spec_fields() {
    let Some(spec) = spec() else { return };
    let mut problems = Vec::new();
    let models = models();
    for (_, check) in &models {
        check(spec, &mut problems);
    }
    let variants = check_union::<UserSummary>(spec, "user-summary", user_tag, user_payload, &mut problems)
        + check_union::<OrgSummary>(spec, "org-summary", org_tag, org_payload, &mut problems);
    finish("models and union variants", models.len() + variants, &problems, &[]);
}

#[test]
fn enums_decode_every_spec_value() {
    let Some(spec) = spec() else { return };
    let mut problems = Vec::new();
    let checks = enum_checks();
    let mut values = 0;
    for (name, check) in &checks {
        let flat = match spec.schema(name).and_then(|s| spec.flatten(s)) {
            Ok(flat) => flat,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let Some(allowed) = flat.enum_values else {
            problems.push(format!("{name}: not an enum in the spec"));
            continue;
        };
        values += allowed.len();
        check(spec, name, allowed, &mut problems);
    }
    // Every enum the checked operations and models reach has a check above.
    let mut roots = Vec::new();
    for case in cases() {
        let Some(op) = (case.operation)(spec) else { continue };
        roots.extend(spec.request_body_schema(op).ok());
        roots.extend(spec.success_schema(op).ok());
        roots.extend(op.get("parameters"));
    }
    let named: Vec<Value> =
        models().iter().map(|(name, _)| json!({ "$ref": format!("#/components/schemas/{name}") })).collect();
    roots.extend(named.iter());
    let (reached, inline) = reachable_enums(spec, &roots);
    for name in reached.iter().filter(|name| !checks.contains_key(name.as_str())) {
        problems.push(format!("{name}: an enum of the checked schemas with no Rust enum checked here"));
    }
    problems.extend(inline);
    finish("enum values", values, &problems, &[]);
}

// ---------------------------------------------------------------------------
// The checker itself, against a small spec written here (always run)
// ---------------------------------------------------------------------------

const MINI_SPEC: &str = r##"
openapi: 3.0.3
paths:
  /gadgets.create:
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: "#/components/schemas/gadget-draft" }
      responses:
        "201":
          content:
            application/json:
              schema: { $ref: "#/components/schemas/gadget" }
  /gadgets.list:
    get:
      parameters:
        - { in: query, name: kind, required: true, schema: { type: array, items: { type: string } } }
        - { in: query, name: made.after, schema: { type: string, format: date-time } }
        - { in: query, name: extras, schema: { type: object } }
        - { in: query, name: count, schema: { type: integer } }
        - { in: query, name: shade, schema: { $ref: "#/components/schemas/shade" } }
        - { in: header, name: x-trace, schema: { type: string } }
components:
  schemas:
    base:
      type: object
      required: [id]
      properties:
        id: { type: string }
    gadget-draft:
      allOf:
        - { $ref: "#/components/schemas/base" }
        - type: object
          properties:
            size: { type: integer }
            shade: { $ref: "#/components/schemas/shade" }
            note: { type: string, nullable: true }
            parts: { type: array, items: { $ref: "#/components/schemas/part" } }
            legacy: { type: string, deprecated: true }
    part:
      type: object
      required: [name]
      properties:
        name: { type: string }
        weight: { type: number }
    shade: { type: string, enum: [teal, amber] }
    gadget:
      allOf:
        - { $ref: "#/components/schemas/base" }
        - type: object
          properties:
            made: { type: string, format: date-time }
            extras: { type: object }
            closed: { type: object, additionalProperties: false }
"##;

fn mini() -> Spec {
    Spec::parse(MINI_SPEC).expect("the mini spec parses")
}

#[test]
fn introspection_reads_wire_names() {
    // `type` is the wire name of `r#type`; generated fields are in wire-name order.
    assert_eq!(wire_fields::<ArtifactFileSummary>().unwrap(), ["name", "size", "type"]);
    assert_eq!(wire_fields::<TagWithValue>().unwrap(), ["tag", "value"]);
    assert_eq!(wire_fields_of_val(&RevOrgsUpdateRequestArtifacts::from(Vec::<String>::new())).unwrap(), ["set"]);
    // Not plain structs: no field list, an error saying so.
    let err = wire_fields::<UserSummary>().unwrap_err();
    assert!(err.contains("UserSummary") && err.contains("not a plain struct"), "{err}");
    assert!(wire_fields::<Value>().is_err());
    assert!(wire_fields::<OrgEnvironment>().is_err());
}

#[test]
fn flatten_merges_all_of_and_follows_refs() {
    let spec = mini();
    let flat = spec.flatten(spec.schema("gadget-draft").unwrap()).unwrap();
    assert_eq!(flat.kind(), Some("object"));
    assert_eq!(flat.properties.keys().copied().collect::<Vec<_>>(), ["id", "legacy", "note", "parts", "shade", "size"]);
    assert_eq!(flat.required.iter().copied().collect::<Vec<_>>(), ["id"]);
    assert!(spec.schema("no-such-schema").is_err());
    assert!(Spec::parse("openapi: 3.0.3\n").is_err(), "a document without paths is refused");
}

#[test]
fn body_check_reports_every_kind_of_mismatch() {
    let spec = mini();
    let schema = spec.schema("gadget-draft").unwrap();
    let good = json!({
        "id": "G-1", "size": 3, "shade": "teal", "note": null, "legacy": "x",
        "parts": [{"name": "bolt", "weight": 0.5}],
    });
    let mut out = Vec::new();
    check_value(&spec, &good, schema, "body", true, &mut out);
    assert_eq!(out, Vec::<String>::new());

    let bad = json!({
        "id": 1, "size": "big", "shade": "crimson", "colour": "red",
        "parts": [{"name": "bolt", "grams": 4}],
    });
    let mut out = Vec::new();
    check_value(&spec, &bad, schema, "body", true, &mut out);
    assert_eq!(
        out,
        [
            "body.legacy: in the spec (deprecated there), but our request with every setter applied does not send it",
            "body.note: in the spec, but our request with every setter applied does not send it",
            "body.colour: we send it, but the spec does not know it",
            "body.id: the spec wants string, we send an integer",
            "body.parts[].weight: in the spec, but our request with every setter applied does not send it",
            "body.parts[].grams: we send it, but the spec does not know it",
            r#"body.shade: we send `crimson`, which is not one of the spec's values ["teal","amber"]"#,
            "body.size: the spec wants integer, we send a string",
        ]
    );

    // An incomplete instance is only checked for what it sends; a null needs `nullable`.
    let mut out = Vec::new();
    check_value(&spec, &json!({"id": "G-1", "size": null}), schema, "body", false, &mut out);
    assert_eq!(out, ["body.size: we send null, which the spec does not allow here (not nullable)"]);
}

#[test]
fn query_names_map_to_spec_parameters() {
    let spec = mini();
    let op = spec.operation("/gadgets.list", "get").unwrap();
    let params = spec.query_parameters("/gadgets.list", op).unwrap();
    assert_eq!(
        params.iter().map(|p| (p.name, p.required)).collect::<Vec<_>>(),
        [("kind", true), ("made.after", false), ("extras", false), ("count", false), ("shade", false)]
    );
    let params: BTreeMap<&str, &Param> = params.iter().map(|p| (p.name, p)).collect();
    let names = checks::query_names("kind=a%2Cb&made.after=2024&extras.colour%5F1=red&made.before=2025&kind%2Ex=1");
    assert_eq!(names, ["kind", "made.after", "extras.colour_1", "made.before", "kind.x"]);
    let mapped: Vec<Option<&str>> = names.iter().map(|n| checks::spec_parameter(&spec, &params, n)).collect();
    // `made.before` is not a parameter, and `kind` is not an object: no dotted names under it.
    assert_eq!(mapped, [Some("kind"), Some("made.after"), Some("extras"), None, None]);

    let values = |name: &str, query: &str| {
        let (_, values) = checks::query_pairs(query).remove(0);
        checks::check_query_values(&spec, params[name].schema, &values)
    };
    assert_eq!(values("kind", "kind=a%2Cb,c"), Ok(()));
    assert_eq!(values("count", "count=25"), Ok(()));
    assert_eq!(
        values("count", "count=many"),
        Err("we send `many`, not a value of the spec's type integer (format -)".to_owned())
    );
    assert_eq!(values("count", "count=1,2"), Err("the spec wants one value, we send 2".to_owned()));
    assert_eq!(values("made.after", "made.after=2024-03-01T12%3A00%3A00Z"), Ok(()));
    assert_eq!(
        values("made.after", "made.after=yesterday"),
        Err("we send `yesterday`, not a value of the spec's type string (format date-time)".to_owned())
    );
    assert_eq!(values("shade", "shade=teal"), Ok(()));
    assert_eq!(
        values("shade", "shade=mauve"),
        Err(r#"we send `mauve`, which is not one of the spec's values ["teal","amber"]"#.to_owned())
    );
}

#[test]
fn samples_follow_the_schema() {
    let spec = mini();
    let schema = spec.schema("gadget").unwrap();
    assert_eq!(
        spec.sample(schema, true).unwrap(),
        json!({"id": "sample text", "made": "2024-05-06T07:08:09Z", "extras": {"sample_key": "sample value"}, "closed": {}})
    );
    assert_eq!(spec.sample(schema, false).unwrap(), json!({"id": "sample text"}));
    let op = spec.operation("/gadgets.create", "post").unwrap();
    assert_eq!(spec.success_schema(op).unwrap(), &json!({"$ref": "#/components/schemas/gadget"}));

    // A model lacking a spec property, with one the spec does not define.
    #[derive(serde::Deserialize, Serialize)]
    struct Gadget {
        id: String,
        made: Option<Timestamp>,
        colour: Option<String>,
    }
    let mut out = Vec::new();
    check_model::<Gadget>(&spec, schema, "gadget", &mut out);
    assert_eq!(
        out,
        [
            "gadget: the spec's property `closed` is not a field of `Gadget`",
            "gadget: the spec's property `extras` is not a field of `Gadget`",
            "gadget: `Gadget` has a field `colour` that the spec does not define",
            "gadget.closed: lost on the way through our model",
            "gadget.extras: lost on the way through our model",
            "gadget.colour: added by our model",
        ]
    );
}
