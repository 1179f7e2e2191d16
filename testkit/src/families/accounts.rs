//! Accounts' and rev orgs' rules, as hooks on the engine's store.
//!
//! - IDs of their own: a random key, in DON form
//!   (`don:identity:dvrv-us-1:devo/1:revo/AbCdEfGh`) and display form
//!   (`REV-AbCdEfGh`, `ACC-...`), either accepted; an ID of another dev org
//!   names nothing (404).
//! - An external reference is unique: a second account with one of an
//!   account's `external_refs`, or a second rev org with a rev org's
//!   `external_ref`, is 409 `conflict` (found through the engine's index on
//!   the field, not by a scan).
//! - Creating an account creates its default rev org (of the same name,
//!   answered as `default_rev_org`, the one `rev-orgs.get` answers for
//!   `account=...`); deleting an account deletes its rev orgs; a rev org
//!   moved to another account, or deleted, is no longer its default.
//! - A rev org shows its account's current name; it keeps the
//!   `environment` and `tier` it was given without answering them.
//! - Lists filter on what DevRev documents for them and page with
//!   `sort_by` on `created_date`, `modified_date` or `display_name`; a
//!   filter on an indexed field (`account`, `external_ref(s)`, `owned_by`,
//!   `created_by`) walks the index; `accounts.export` is the list in one
//!   answer.
//! - Custom fields follow the engine's rules ([`crate::custom_fields`]):
//!   creates and updates are checked against the fragments of `account` or
//!   `rev_org` and merge what was sent (a `null` clears a field); lists and
//!   `accounts.export` filter on them in both forms (`custom_fields`,
//!   `custom_field_filter`) before paging.
//!
//! Every change is published for webhooks (`account`, `rev_org`).

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};

use super::{Call, Hook};
use crate::custom_fields::{Filter, Write};
use crate::dev_user::DevUser;
use crate::error::ApiError;
use crate::events::{Change, ObjectChange};
use crate::ids::{self, Kind, Parsed};
use crate::input::{DateFilter, Input, TagInput};
use crate::pagination::Paging;
use crate::store::{Answer, Row, State};
use crate::wire;

/// The environments a rev org can be in.
const ENVIRONMENTS: [&str; 3] = ["production", "staging", "test"];

/// The `accounts` family's rules.
#[derive(Debug)]
pub(crate) struct Accounts;

/// The `rev-orgs` family's rules.
#[derive(Debug)]
pub(crate) struct RevOrgs;

const ACCOUNTS_FAMILY: &str = "accounts";
const REV_ORGS_FAMILY: &str = "rev-orgs";

impl Hook for Accounts {
    fn checks_own_references(&self) -> bool {
        // A tag is named by any ID (the tag's name); accounts and owners are checked here.
        true
    }

    fn before(&self, state: &State, call: &Call<'_>) -> Result<(), ApiError> {
        let input = fields(call)?;
        match call.verb {
            "create" => {
                let refs = input.strings("external_refs")?.unwrap_or_default();
                unique_account_refs(state, &refs, None)
            }
            "update" => {
                let Some(id) = input.string("id")? else { return Ok(()) };
                let Ok((n, _)) = find_account(state, "id", &id) else { return Ok(()) };
                match input.strings("external_refs")? {
                    Some(refs) => unique_account_refs(state, &refs, Some(n)),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    fn serve(&self, state: &mut State, call: &Call<'_>) -> Option<Result<Answer, ApiError>> {
        let input = match fields(call) {
            Ok(input) => input,
            Err(e) => return Some(Err(e)),
        };
        let answer = match call.verb {
            "create" => accounts_create(state, call, &input),
            "get" => input
                .required_string("id")
                .and_then(|id| find_account(state, "id", &id).map(|(_, account)| ok("account", account.clone()))),
            "list" => accounts_list(state, call, &input).map(|(items, next, prev)| page("accounts", items, next, prev)),
            "export" => accounts_export(state, call),
            "update" => accounts_update(state, call, &input),
            "delete" => accounts_delete(state, call, &input),
            // `merge`: the engine's.
            _ => return None,
        };
        Some(answer)
    }

    fn after(&self, state: &mut State, call: &Call<'_>, answer: &mut Answer) -> Result<(), ApiError> {
        if call.verb != "create" {
            return Ok(());
        }
        // Every account comes with a default rev org of the same name.
        let Some(account) = answer.1.as_ref().and_then(|a| a.get("account")).cloned() else { return Ok(()) };
        let Some((account_n, _)) = account["id"].as_str().and_then(|id| state.find(ACCOUNTS_FAMILY, id)) else {
            return Ok(());
        };
        let user = stamped_by(call)?;
        let org = wire::RevOrg {
            id: String::new(),
            display_id: String::new(),
            display_name: account["display_name"].as_str().unwrap_or_default().to_owned(),
            created_by: user.summary(),
            created_date: account["created_date"].as_str().unwrap_or_default().to_owned(),
            modified_by: user.summary(),
            modified_date: account["created_date"].as_str().unwrap_or_default().to_owned(),
            account: org_ref(&account),
            artifacts: Vec::new(),
            custom_fields: None,
            custom_schema_fragments: Vec::new(),
            description: None,
            domain: None,
            external_ref: None,
            tags: Vec::new(),
        };
        let (n, org) = store_new(state, REV_ORGS_FAMILY, Kind::RevOrg, to_value(org), None);
        state.set_hidden(account_n, "default_rev_org", json!(n));
        publish(call, Change::Created, "rev_org", &org, None);
        if let Some(Value::Object(body)) = &mut answer.1 {
            body.insert("default_rev_org".into(), org);
        }
        Ok(())
    }
}

impl Hook for RevOrgs {
    fn checks_own_references(&self) -> bool {
        // A tag is named by any ID (the tag's name); accounts and owners are checked here.
        true
    }

    fn before(&self, state: &State, call: &Call<'_>) -> Result<(), ApiError> {
        let input = fields(call)?;
        match call.verb {
            "create" => match input.string("external_ref")? {
                Some(external_ref) => unique_rev_org_ref(state, &external_ref, None),
                None => Ok(()),
            },
            "update" => {
                let Some(id) = input.string("id")? else { return Ok(()) };
                let Ok((n, _)) = find_rev_org(state, "id", &id) else { return Ok(()) };
                match input.string("external_ref")? {
                    Some(external_ref) => unique_rev_org_ref(state, &external_ref, Some(n)),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    fn serve(&self, state: &mut State, call: &Call<'_>) -> Option<Result<Answer, ApiError>> {
        let input = match fields(call) {
            Ok(input) => input,
            Err(e) => return Some(Err(e)),
        };
        let answer = match call.verb {
            "create" => rev_orgs_create(state, call, &input),
            "get" => rev_orgs_get(state, &input),
            "list" => rev_orgs_list(state, call, &input),
            "update" => rev_orgs_update(state, call, &input),
            "delete" => rev_orgs_delete(state, call, &input),
            _ => return None,
        };
        Some(answer)
    }
}

/// The request's fields as sent (a `null` clears a field in an update).
fn fields(call: &Call<'_>) -> Result<Input, ApiError> {
    Input::from_body(call.sent.to_string().as_bytes())
}

fn to_value(value: impl Serialize) -> Value {
    // The wire structs hold only strings, maps and lists: this cannot fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn ok(key: &str, value: Value) -> Answer {
    (StatusCode::OK, Some(json!({ key: value })))
}

fn page(key: &str, items: Vec<Value>, next: Option<String>, prev: Option<String>) -> Answer {
    (StatusCode::OK, Some(crate::pagination::list_answer(key, items, next, prev)))
}

fn publish(call: &Call<'_>, change: Change, object_type: &str, object: &Value, old: Option<&Value>) {
    call.events.publish(ObjectChange {
        change,
        object_type: object_type.to_owned(),
        object: object.clone(),
        old: old.cloned(),
    });
}

/// The dev user a change is stamped with: the token's (every operation
/// of these families takes one).
fn stamped_by(call: &Call<'_>) -> Result<DevUser, ApiError> {
    call.caller.user.cloned().ok_or_else(|| ApiError::unauthenticated("send a token"))
}

/// Stores `object` in `family` as a new object with fresh IDs of `kind`,
/// with the custom fields `custom` writes ([`custom_write`]).
fn store_new(state: &mut State, family: &str, kind: Kind, mut object: Value, custom: Option<Write>) -> (u64, Value) {
    let key = loop {
        let key = ids::new_key();
        if !state.has_id(&ids::display(kind, &key)) {
            break key;
        }
    };
    object["id"] = json!(ids::don(kind, &key));
    object["display_id"] = json!(ids::display(kind, &key));
    if let Some(custom) = custom {
        state.custom.apply(Some(&mut object), custom);
    }
    let n = state.next_number();
    state.put(family, n, object.clone());
    (n, object)
}

/// The object of `family` an ID of `kind` names, by number.
fn find<'s>(
    state: &'s State,
    family: &str,
    kind: Kind,
    what: &str,
    field: &str,
    raw: &str,
) -> Result<(u64, &'s Value), ApiError> {
    match ids::parse(kind, field, raw)? {
        Parsed::Key(key) => state.find(family, &ids::display(kind, &key)).ok_or_else(|| ApiError::not_found(what, raw)),
        Parsed::Elsewhere => Err(ApiError::not_found(what, raw)),
    }
}

fn find_account<'s>(state: &'s State, field: &str, raw: &str) -> Result<(u64, &'s Value), ApiError> {
    find(state, ACCOUNTS_FAMILY, Kind::Account, "account", field, raw)
}

fn find_rev_org<'s>(state: &'s State, field: &str, raw: &str) -> Result<(u64, &'s Value), ApiError> {
    find(state, REV_ORGS_FAMILY, Kind::RevOrg, "rev org", field, raw)
}

/// The dev user named by `raw` in `field`.
fn find_user(call: &Call<'_>, field: &str, raw: &str) -> Result<DevUser, ApiError> {
    let found = match ids::parse(Kind::DevUser, field, raw)? {
        Parsed::Key(key) => call.caller.users.values().find(|u| u.num.to_string() == key),
        Parsed::Elsewhere => None,
    };
    found.cloned().ok_or_else(|| ApiError::not_found("dev user", raw))
}

/// How a rev org embeds its account.
fn org_ref(account: &Value) -> wire::OrgRef {
    let text = |name: &str| account.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    wire::OrgRef { id: text("id"), display_id: text("display_id"), display_name: text("display_name") }
}

fn tags(tags: &[TagInput]) -> Vec<wire::TagWithValue> {
    tags.iter()
        .map(|t| wire::TagWithValue {
            tag: wire::TagRef { id: t.id.clone(), name: t.id.clone() },
            value: t.value.clone(),
        })
        .collect()
}

fn artifacts(ids: &[String]) -> Vec<wire::ArtifactRef> {
    ids.iter().map(|id| wire::ArtifactRef { id: id.clone() }).collect()
}

/// Sets `name` on a stored object as the wire structs send it: an empty
/// list or `null` is left out.
fn set(object: &mut Value, name: &str, value: Value) {
    let Value::Object(fields) = object else { return };
    let empty = value.is_null() || value.as_array().is_some_and(Vec::is_empty);
    if empty {
        fields.remove(name);
    } else {
        fields.insert(name.to_owned(), value);
    }
}

/// A display name given in an update: present means non-blank.
fn new_display_name(input: &Input) -> Result<Option<String>, ApiError> {
    match input.string("display_name")? {
        Some(name) if name.trim().is_empty() => Err(ApiError::not_permitted("display_name", "a name cannot be blank")),
        other => Ok(other),
    }
}

fn owners(call: &Call<'_>, input: &Input) -> Result<Option<Vec<DevUser>>, ApiError> {
    let Some(ids) = input.strings("owned_by")? else { return Ok(None) };
    ids.iter().map(|id| find_user(call, "owned_by", id)).collect::<Result<Vec<_>, _>>().map(Some)
}

/// 409 when another account (not number `except`) has one of `refs`.
fn unique_account_refs(state: &State, refs: &[String], except: Option<u64>) -> Result<(), ApiError> {
    for taken in refs {
        let holders = state.indexed(ACCOUNTS_FAMILY, "external_refs", taken).unwrap_or_default();
        // The index holds IDs in either form too: only a reference equal to `taken` counts.
        let other = holders.into_iter().filter(|n| Some(*n) != except).find_map(|n| {
            let account = state.objects_of(ACCOUNTS_FAMILY)?.get(&n)?;
            let refs = account.get("external_refs")?.as_array()?;
            refs.iter().any(|r| r.as_str() == Some(taken)).then(|| account.clone())
        });
        if let Some(other) = other {
            return Err(ApiError::conflict(
                format!("another account already has the external reference `{taken}`"),
                other["display_id"].as_str().unwrap_or_default(),
            ));
        }
    }
    Ok(())
}

/// 409 when another rev org (not number `except`) has `external_ref`.
fn unique_rev_org_ref(state: &State, external_ref: &str, except: Option<u64>) -> Result<(), ApiError> {
    let holders = state.indexed(REV_ORGS_FAMILY, "external_ref", external_ref).unwrap_or_default();
    let other = holders.into_iter().filter(|n| Some(*n) != except).find_map(|n| {
        let org = state.objects_of(REV_ORGS_FAMILY)?.get(&n)?;
        (org.get("external_ref")?.as_str() == Some(external_ref)).then(|| org.clone())
    });
    match other {
        Some(other) => Err(ApiError::conflict(
            format!("another rev org already has the external reference `{external_ref}`"),
            other["display_id"].as_str().unwrap_or_default(),
        )),
        None => Ok(()),
    }
}

fn accounts_create(state: &mut State, call: &Call<'_>, input: &Input) -> Result<Answer, ApiError> {
    let display_name = input.required_string("display_name")?;
    let description = input.string("description")?;
    let domains = input.strings("domains")?.unwrap_or_default();
    let external_refs = input.strings("external_refs")?.unwrap_or_default();
    let tier = input.string("tier")?;
    let tag_list = input.tags("tags")?.unwrap_or_default();
    let artifact_ids = input.strings("artifacts")?.unwrap_or_default();
    let websites = input.strings("websites")?.unwrap_or_default();
    let schema_fragments = input.strings("schema_fragment_ids")?.unwrap_or_default();
    let custom = custom_write(state, call, "account", None)?;
    let user = stamped_by(call)?;
    let owned_by = owners(call, input)?.unwrap_or_else(|| vec![user.clone()]);
    let now = state.tick();
    for external_ref in &external_refs {
        *state.creates_by_ref.entry(external_ref.clone()).or_default() += 1;
    }
    let account = wire::Account {
        id: String::new(),
        display_id: String::new(),
        display_name,
        created_by: user.summary(),
        created_date: now.clone(),
        modified_by: user.summary(),
        modified_date: now,
        artifacts: artifacts(&artifact_ids),
        // Set by `custom` (`null`s in those sent left out).
        custom_fields: None,
        custom_schema_fragments: schema_fragments,
        description,
        domains,
        external_refs,
        owned_by: owned_by.iter().map(DevUser::summary).collect(),
        tags: tags(&tag_list),
        tier,
        websites,
    };
    let (_, account) = store_new(state, ACCOUNTS_FAMILY, Kind::Account, to_value(account), Some(custom));
    publish(call, Change::Created, "account", &account, None);
    // The default rev org follows (`after`).
    Ok((StatusCode::CREATED, Some(json!({ "account": account }))))
}

/// Whether `value` is one of `wanted` (no filter matches everything).
fn one_of(wanted: &Option<Vec<String>>, value: Option<&str>) -> bool {
    wanted.as_ref().is_none_or(|w| value.is_some_and(|v| w.iter().any(|x| x == v)))
}

/// Whether any of the strings of the list `values` is one of `wanted`.
fn any_of(wanted: &Option<Vec<String>>, values: Option<&Value>) -> bool {
    let values = values.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    wanted.as_ref().is_none_or(|w| values.iter().filter_map(Value::as_str).any(|v| w.iter().any(|x| x == v)))
}

/// The engine's custom-field hook of a create (`old`: `None`) or an update
/// of an object of `leaf` (`account`, `rev_org`): the request's
/// `custom_fields` (as sent: `null` clears a field) checked against the
/// fragments, and the object's custom fields after the write.
fn custom_write(state: &State, call: &Call<'_>, leaf: &str, old: Option<&Value>) -> Result<Write, ApiError> {
    let id = old.and_then(|o| o.get("id")).and_then(Value::as_str);
    let fields = old.and_then(|o| o.get("custom_fields")).and_then(Value::as_object);
    state.custom.write(leaf, id, fields, call.sent)
}

/// A list's filter on custom fields (`custom_fields`, `custom_field_filter`),
/// by the engine's rule: a field no fragment of `leaf` declares is a 400.
fn custom_filter(state: &State, input: &Input, leaf: &str) -> Result<Filter, ApiError> {
    let strings = input.strings("custom_field_filter")?.unwrap_or_default();
    let filter = Filter::new(input.object("custom_fields")?.as_ref(), &strings)?;
    filter.check(&state.custom, &[leaf.to_owned()])?;
    Ok(filter)
}

fn in_range(filter: &Option<DateFilter>, object: &Value, name: &str) -> bool {
    let Some(filter) = filter else { return true };
    let date = object.get(name).and_then(Value::as_str).and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    date.is_some_and(|t| filter.contains(t.with_timezone(&chrono::Utc)))
}

/// The DON IDs of the users a `created_by` or `owned_by` filter names.
fn users_filter(call: &Call<'_>, input: &Input, field: &str) -> Result<Option<Vec<String>>, ApiError> {
    let Some(ids) = input.strings(field)? else { return Ok(None) };
    let mut dons = Vec::new();
    for id in ids {
        // An ID of a user that does not exist matches nothing, as in DevRev.
        match find_user(call, field, &id) {
            Ok(user) => dons.push(user.don()),
            Err(e) if e.status == StatusCode::NOT_FOUND => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(dons))
}

/// Whether a user summary (or a list of them) names one of `users`.
fn by_users(users: &Option<Vec<String>>, field: Option<&Value>) -> bool {
    let Some(users) = users else { return true };
    let named = |v: &Value| v.get("id").and_then(Value::as_str).is_some_and(|id| users.iter().any(|u| u == id));
    match field {
        Some(Value::Array(items)) => items.iter().any(named),
        Some(one) => named(one),
        None => false,
    }
}

/// The objects of `family` to filter: those an index gives for the first
/// indexed filter sent (`(field, values)`), else all of them.
fn rows<'s>(state: &'s State, family: &str, indexed: &[(&str, &Option<Vec<String>>)]) -> Vec<Row<'s>> {
    let Some(objects) = state.objects_of(family) else { return Vec::new() };
    let walk = indexed.iter().find_map(|(field, values)| {
        let values = values.as_ref()?;
        let mut found = std::collections::BTreeSet::new();
        for value in values {
            found.extend(state.indexed(family, field, value)?);
        }
        Some(found)
    });
    match walk {
        Some(numbers) => numbers
            .into_iter()
            .filter_map(|n| objects.get_key_value(&n))
            .map(|(n, object)| Row { seq: *n, object })
            .collect(),
        None => objects.iter().map(|(n, object)| Row { seq: *n, object }).collect(),
    }
}

type Listing = (Vec<Value>, Option<String>, Option<String>);

fn accounts_list(state: &State, call: &Call<'_>, input: &Input) -> Result<Listing, ApiError> {
    let paging = Paging::from_input(input, ACCOUNTS_FAMILY)?;
    let created_by = users_filter(call, input, "created_by")?;
    let owned_by = users_filter(call, input, "owned_by")?;
    let created = input.date_filter("created_date")?;
    let modified = input.date_filter("modified_date")?;
    let names = input.strings("display_name")?;
    let domains = input.strings("domains")?;
    let refs = input.strings("external_refs")?;
    let tiers = input.strings("tier")?;
    let websites = input.strings("websites")?;
    let custom = custom_filter(state, input, "account")?;
    let candidates =
        rows(state, ACCOUNTS_FAMILY, &[("external_refs", &refs), ("owned_by", &owned_by), ("created_by", &created_by)]);
    let matching = candidates
        .iter()
        .filter(|r| custom.matches(r.object.get("custom_fields").and_then(Value::as_object)))
        .filter(|r| by_users(&created_by, r.object.get("created_by")) && by_users(&owned_by, r.object.get("owned_by")))
        .filter(|r| in_range(&created, r.object, "created_date") && in_range(&modified, r.object, "modified_date"))
        .filter(|r| one_of(&names, r.object.get("display_name").and_then(Value::as_str)))
        .filter(|r| {
            any_of(&domains, r.object.get("domains"))
                && any_of(&refs, r.object.get("external_refs"))
                && any_of(&websites, r.object.get("websites"))
        })
        .filter(|r| tiers.is_none() || one_of(&tiers, r.object.get("tier").and_then(Value::as_str)))
        .collect();
    let (items, next, prev) = paging.page(matching);
    Ok((items.into_iter().map(|r| r.object.clone()).collect(), next, prev))
}

/// `accounts.export`: what `accounts.list` pages through under the same
/// filters, in one answer, at most `first` accounts.
fn accounts_export(state: &State, call: &Call<'_>) -> Result<Answer, ApiError> {
    let mut fields = call.sent.as_object().cloned().unwrap_or_default();
    let first = fields.remove("first").and_then(|f| f.as_u64()).map_or(usize::MAX, |f| f as usize);
    let mut accounts = Vec::new();
    loop {
        let page_input = Input::from_body(Value::Object(fields.clone()).to_string().as_bytes())?;
        let (items, next, _) = accounts_list(state, call, &page_input)?;
        accounts.extend(items);
        match next {
            Some(cursor) if accounts.len() < first => {
                fields.insert("cursor".into(), json!(cursor));
            }
            _ => break,
        }
    }
    accounts.truncate(first);
    Ok((StatusCode::OK, Some(json!({ "accounts": accounts }))))
}

fn accounts_update(state: &mut State, call: &Call<'_>, input: &Input) -> Result<Answer, ApiError> {
    let (n, old) = find_account(state, "id", &input.required_string("id")?).map(|(n, o)| (n, o.clone()))?;
    let display_name = new_display_name(input)?;
    let description = input.string("description")?;
    let domains = input.strings("domains")?;
    let external_refs = input.strings("external_refs")?;
    // `"tier": null` clears the tier (the one nullable field of the update).
    let tier = input.nullable_string("tier")?;
    let tag_list = input.tags("tags")?;
    let artifact_ids = input.set_of_strings("artifacts")?;
    let websites = input.set_of_strings("websites")?;
    let schema_fragments = input.strings("schema_fragment_ids")?;
    let owned_by = owners(call, input)?;
    let custom = custom_write(state, call, "account", Some(&old))?;
    let at = state.tick();
    let mut account = old.clone();
    if let Some(name) = &display_name {
        set(&mut account, "display_name", json!(name));
    }
    if let Some(v) = domains {
        set(&mut account, "domains", json!(v));
    }
    if let Some(v) = external_refs {
        set(&mut account, "external_refs", json!(v));
    }
    if let Some(v) = tag_list {
        set(&mut account, "tags", to_value(tags(&v)));
    }
    if let Some(v) = artifact_ids {
        set(&mut account, "artifacts", to_value(artifacts(&v)));
    }
    if let Some(v) = websites {
        set(&mut account, "websites", json!(v));
    }
    if let Some(v) = schema_fragments {
        set(&mut account, "custom_schema_fragments", json!(v));
    }
    if let Some(v) = owned_by {
        // Always present: DevRev requires it on accounts.
        account["owned_by"] = to_value(v.iter().map(DevUser::summary).collect::<Vec<_>>());
    }
    if let Some(v) = tier {
        set(&mut account, "tier", json!(v));
    }
    if let Some(v) = description {
        set(&mut account, "description", json!(v));
    }
    // The keys sent replace the stored ones, `null` removes one.
    state.custom.apply(Some(&mut account), custom);
    account["modified_by"] = to_value(stamped_by(call)?.summary());
    account["modified_date"] = json!(at);
    state.put(ACCOUNTS_FAMILY, n, account.clone());
    if display_name.is_some() {
        // Its rev orgs show its name.
        let id = account["id"].as_str().unwrap_or_default();
        for org_n in state.indexed(REV_ORGS_FAMILY, "account", id).unwrap_or_default() {
            if let Some(mut org) = state.objects_of(REV_ORGS_FAMILY).and_then(|o| o.get(&org_n)).cloned() {
                org["account"] = to_value(org_ref(&account));
                state.put(REV_ORGS_FAMILY, org_n, org);
            }
        }
    }
    publish(call, Change::Updated, "account", &account, Some(&old));
    Ok(ok("account", account))
}

fn accounts_delete(state: &mut State, call: &Call<'_>, input: &Input) -> Result<Answer, ApiError> {
    let (n, account) = find_account(state, "id", &input.required_string("id")?).map(|(n, o)| (n, o.clone()))?;
    let id = account["id"].as_str().unwrap_or_default().to_owned();
    let orgs = state.indexed(REV_ORGS_FAMILY, "account", &id).unwrap_or_default();
    state.remove(ACCOUNTS_FAMILY, n);
    publish(call, Change::Deleted, "account", &account, None);
    // An account's rev orgs go with it.
    for org_n in orgs {
        if let Some(org) = state.remove(REV_ORGS_FAMILY, org_n) {
            publish(call, Change::Deleted, "rev_org", &org, None);
        }
    }
    Ok((StatusCode::OK, Some(json!({}))))
}

fn rev_orgs_create(state: &mut State, call: &Call<'_>, input: &Input) -> Result<Answer, ApiError> {
    // Required fields first, in the order DevRev lists them.
    let account_id = input.required_string("account")?;
    let display_name = input.required_string("display_name")?;
    let environment = input.one_of("environment", &ENVIRONMENTS)?;
    let description = input.string("description")?;
    let external_ref = input.string("external_ref")?;
    let tier = input.string("tier")?;
    let domain = input.string("domain")?;
    let tag_list = input.tags("tags")?.unwrap_or_default();
    let custom_schema_fragments = input.strings("custom_schema_fragments")?.unwrap_or_default();
    let artifact_ids = input.strings("artifacts")?.unwrap_or_default();
    let account = find_account(state, "account", &account_id)?.1.clone();
    let custom = custom_write(state, call, "rev_org", None)?;
    let user = stamped_by(call)?;
    let now = state.tick();
    if let Some(external_ref) = &external_ref {
        *state.creates_by_ref.entry(external_ref.clone()).or_default() += 1;
    }
    let org = wire::RevOrg {
        id: String::new(),
        display_id: String::new(),
        display_name,
        created_by: user.summary(),
        created_date: now.clone(),
        modified_by: user.summary(),
        modified_date: now,
        account: org_ref(&account),
        artifacts: artifacts(&artifact_ids),
        // Set by `custom` (`null`s in those sent left out).
        custom_fields: None,
        custom_schema_fragments,
        description,
        domain,
        external_ref,
        tags: tags(&tag_list),
    };
    let (n, org) = store_new(state, REV_ORGS_FAMILY, Kind::RevOrg, to_value(org), Some(custom));
    // Kept, though DevRev's rev-org object does not send them back.
    if let Some(environment) = environment {
        state.set_hidden(n, "environment", json!(environment));
    }
    if let Some(tier) = tier {
        state.set_hidden(n, "tier", json!(tier));
    }
    publish(call, Change::Created, "rev_org", &org, None);
    Ok((StatusCode::CREATED, Some(json!({ "rev_org": org }))))
}

fn rev_orgs_get(state: &State, input: &Input) -> Result<Answer, ApiError> {
    let org = if let Some(id) = input.string("id")?.filter(|s| !s.trim().is_empty()) {
        find_rev_org(state, "id", &id)?.1
    } else if let Some(account_id) = input.string("account")?.filter(|s| !s.trim().is_empty()) {
        // The account's default rev org.
        let (account, _) = find_account(state, "account", &account_id)?;
        let default = state.hidden(account).and_then(|h| h.get("default_rev_org")).and_then(Value::as_u64);
        match default.and_then(|n| state.objects_of(REV_ORGS_FAMILY)?.get(&n)) {
            Some(org) => org,
            None => return Err(ApiError::not_found("default rev org of account", &account_id)),
        }
    } else {
        // The spec requires neither field, so this is not a missing required field.
        return Err(ApiError::bad_request(
            "a rev org is fetched by `id`, or by `account` for its default rev org",
            "send `id` or `account`",
        ));
    };
    Ok(ok("rev_org", org.clone()))
}

fn rev_orgs_list(state: &State, call: &Call<'_>, input: &Input) -> Result<Answer, ApiError> {
    let paging = Paging::from_input(input, REV_ORGS_FAMILY)?;
    let accounts = match input.strings("account")? {
        None => None,
        Some(ids) => {
            let mut found = Vec::new();
            for id in ids {
                match find_account(state, "account", &id) {
                    Ok((_, account)) => found.push(account["id"].as_str().unwrap_or_default().to_owned()),
                    // An account that does not exist has no rev orgs.
                    Err(e) if e.status == StatusCode::NOT_FOUND => {}
                    Err(e) => return Err(e),
                }
            }
            Some(found)
        }
    };
    let created_by = users_filter(call, input, "created_by")?;
    let created = input.date_filter("created_date")?;
    let modified = input.date_filter("modified_date")?;
    let names = input.strings("display_name")?;
    let refs = input.strings("external_ref")?;
    let custom = custom_filter(state, input, "rev_org")?;
    let candidates =
        rows(state, REV_ORGS_FAMILY, &[("account", &accounts), ("external_ref", &refs), ("created_by", &created_by)]);
    let matching = candidates
        .iter()
        .filter(|r| custom.matches(r.object.get("custom_fields").and_then(Value::as_object)))
        .filter(|r| {
            accounts.is_none()
                || one_of(&accounts, r.object.get("account").and_then(|a| a.get("id")).and_then(Value::as_str))
        })
        .filter(|r| by_users(&created_by, r.object.get("created_by")))
        .filter(|r| in_range(&created, r.object, "created_date") && in_range(&modified, r.object, "modified_date"))
        .filter(|r| one_of(&names, r.object.get("display_name").and_then(Value::as_str)))
        .filter(|r| refs.is_none() || one_of(&refs, r.object.get("external_ref").and_then(Value::as_str)))
        .collect();
    let (items, next, prev) = paging.page(matching);
    Ok(page("rev_orgs", items.into_iter().map(|r| r.object.clone()).collect(), next, prev))
}

fn rev_orgs_update(state: &mut State, call: &Call<'_>, input: &Input) -> Result<Answer, ApiError> {
    let (n, old) = find_rev_org(state, "id", &input.required_string("id")?).map(|(n, o)| (n, o.clone()))?;
    let display_name = new_display_name(input)?;
    let environment = input.one_of("environment", &ENVIRONMENTS)?;
    let description = input.string("description")?;
    let external_ref = input.string("external_ref")?;
    let tier = input.string("tier")?;
    let domain = input.string("domain")?;
    let tag_list = input.tags("tags")?;
    let custom_schema_fragments = input.strings("custom_schema_fragments")?;
    let artifact_ids = input.set_of_strings("artifacts")?;
    // Deprecated by DevRev, still honoured: moves the rev org to another account.
    let account = match input.string("account")? {
        Some(id) => Some(find_account(state, "account", &id)?.1.clone()),
        None => None,
    };
    let custom = custom_write(state, call, "rev_org", Some(&old))?;
    let at = state.tick();
    let mut org = old.clone();
    if let Some(new_account) = &account {
        // A rev org moved out of its account is no longer that account's default.
        let old_account = old["account"]["id"].as_str().filter(|id| Some(*id) != new_account["id"].as_str());
        if let Some((old_n, _)) = old_account.and_then(|id| state.find(ACCOUNTS_FAMILY, id)) {
            let default = state.hidden(old_n).and_then(|h| h.get("default_rev_org")).and_then(Value::as_u64);
            if default == Some(n) {
                state.set_hidden(old_n, "default_rev_org", Value::Null);
            }
        }
        org["account"] = to_value(org_ref(new_account));
    }
    if let Some(v) = display_name {
        set(&mut org, "display_name", json!(v));
    }
    if let Some(v) = tag_list {
        set(&mut org, "tags", to_value(tags(&v)));
    }
    if let Some(v) = custom_schema_fragments {
        set(&mut org, "custom_schema_fragments", json!(v));
    }
    if let Some(v) = artifact_ids {
        set(&mut org, "artifacts", to_value(artifacts(&v)));
    }
    for (name, value) in [("description", description), ("external_ref", external_ref), ("domain", domain)] {
        if let Some(v) = value {
            set(&mut org, name, json!(v));
        }
    }
    for (name, value) in [("environment", environment), ("tier", tier)] {
        if let Some(v) = value {
            state.set_hidden(n, name, json!(v));
        }
    }
    // The keys sent replace the stored ones, `null` removes one.
    state.custom.apply(Some(&mut org), custom);
    org["modified_by"] = to_value(stamped_by(call)?.summary());
    org["modified_date"] = json!(at);
    state.put(REV_ORGS_FAMILY, n, org.clone());
    publish(call, Change::Updated, "rev_org", &org, Some(&old));
    Ok(ok("rev_org", org))
}

fn rev_orgs_delete(state: &mut State, call: &Call<'_>, input: &Input) -> Result<Answer, ApiError> {
    let (n, _) = find_rev_org(state, "id", &input.required_string("id")?)?;
    let Some(org) = state.remove(REV_ORGS_FAMILY, n) else { return Ok((StatusCode::OK, Some(json!({})))) };
    // No longer its account's default.
    if let Some((account_n, _)) = org["account"]["id"].as_str().and_then(|id| state.find(ACCOUNTS_FAMILY, id)) {
        let default = state.hidden(account_n).and_then(|h| h.get("default_rev_org")).and_then(Value::as_u64);
        if default == Some(n) {
            state.set_hidden(account_n, "default_rev_org", Value::Null);
        }
    }
    publish(call, Change::Deleted, "rev_org", &org, None);
    Ok((StatusCode::OK, Some(json!({}))))
}
