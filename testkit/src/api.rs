//! The endpoints: accounts.* and rev-orgs.*, with DevRev's behaviour.

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::events::{Change, Events, ObjectChange};
use crate::input::{DateFilter, Input};
use crate::pagination::Paging;
use crate::store::{AccountRec, DevUser, RevOrgRec, Stamp, Store};

/// The environments a rev org can be in.
const ENVIRONMENTS: [&str; 3] = ["production", "staging", "test"];

/// One endpoint of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    AccountsCreate,
    AccountsGet,
    AccountsList,
    AccountsUpdate,
    AccountsDelete,
    RevOrgsCreate,
    RevOrgsGet,
    RevOrgsList,
    RevOrgsUpdate,
    RevOrgsDelete,
}

impl Op {
    /// Every endpoint.
    pub(crate) const ALL: [Op; 10] = [
        Op::AccountsCreate,
        Op::AccountsGet,
        Op::AccountsList,
        Op::AccountsUpdate,
        Op::AccountsDelete,
        Op::RevOrgsCreate,
        Op::RevOrgsGet,
        Op::RevOrgsList,
        Op::RevOrgsUpdate,
        Op::RevOrgsDelete,
    ];

    /// The endpoint's path.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Op::AccountsCreate => "/accounts.create",
            Op::AccountsGet => "/accounts.get",
            Op::AccountsList => "/accounts.list",
            Op::AccountsUpdate => "/accounts.update",
            Op::AccountsDelete => "/accounts.delete",
            Op::RevOrgsCreate => "/rev-orgs.create",
            Op::RevOrgsGet => "/rev-orgs.get",
            Op::RevOrgsList => "/rev-orgs.list",
            Op::RevOrgsUpdate => "/rev-orgs.update",
            Op::RevOrgsDelete => "/rev-orgs.delete",
        }
    }

    /// Whether DevRev also serves the endpoint as a `GET` with a query string.
    pub(crate) fn has_get(self) -> bool {
        matches!(self, Op::AccountsGet | Op::AccountsList | Op::RevOrgsGet | Op::RevOrgsList)
    }

    /// The query parameters that are arrays (comma-joined on the wire).
    pub(crate) fn array_params(self) -> &'static [&'static str] {
        match self {
            Op::AccountsList => &[
                "created_by",
                "display_name",
                "domains",
                "external_refs",
                "owned_by",
                "sort_by",
                "stage",
                "subtype",
                "tags",
                "tier",
                "websites",
            ],
            // `custom_field_filter`: each filter its own parameter (`name:v1,v2`), the
            // comma-split values regrouped by `custom_fields::Filter`.
            Op::RevOrgsList => {
                &["account", "created_by", "custom_field_filter", "display_name", "external_ref", "sort_by", "tags"]
            }
            _ => &[],
        }
    }
}

/// A success answer: status and body.
pub(crate) type Answer = (StatusCode, Value);

fn to_value(value: impl Serialize) -> Value {
    // The wire structs hold only strings, maps and lists: this cannot fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn ok(key: &str, value: impl Serialize) -> Answer {
    let mut map = Map::new();
    map.insert(key.to_owned(), to_value(value));
    (StatusCode::OK, Value::Object(map))
}

fn page(key: &str, items: Vec<Value>, next: Option<String>, prev: Option<String>) -> Answer {
    let mut map = Map::new();
    map.insert(key.to_owned(), Value::Array(items));
    if let Some(next) = next {
        map.insert("next_cursor".into(), Value::String(next));
    }
    if let Some(prev) = prev {
        map.insert("prev_cursor".into(), Value::String(prev));
    }
    (StatusCode::OK, Value::Object(map))
}

/// Runs `op` for `user` on `store`, and publishes the objects it changed on `events`.
pub(crate) fn run(
    store: &mut Store,
    user: &DevUser,
    op: Op,
    input: &Input,
    events: &Events,
) -> Result<Answer, ApiError> {
    // What an update or delete changes, as it was; for an account's delete, its rev orgs too.
    let id = || input.string("id").ok().flatten();
    let account = matches!(op, Op::AccountsUpdate | Op::AccountsDelete)
        .then(id)
        .flatten()
        .and_then(|id| store.find_account("id", &id).ok());
    let org = matches!(op, Op::RevOrgsUpdate | Op::RevOrgsDelete)
        .then(id)
        .flatten()
        .and_then(|id| store.find_rev_org("id", &id).ok());
    let before = match (&account, &org) {
        (Some(key), _) => Some(to_value(store.render_account(&store.accounts[key]))),
        (_, Some(key)) => Some(to_value(store.render_rev_org(&store.rev_orgs[key]))),
        _ => None,
    };
    let orgs_before: Vec<Value> = match (&account, op) {
        (Some(key), Op::AccountsDelete) => {
            store.rev_orgs.values().filter(|o| &o.account == key).map(|o| to_value(store.render_rev_org(o))).collect()
        }
        _ => Vec::new(),
    };
    let answer = run_op(store, user, op, input)?;
    let publish = |change, object_type: &str, object: &Value, old: Option<&Value>| {
        events.publish(ObjectChange {
            change,
            object_type: object_type.to_owned(),
            object: object.clone(),
            old: old.cloned(),
        });
    };
    let body = &answer.1;
    match (op, before.as_ref()) {
        (Op::AccountsCreate, _) => {
            publish(Change::Created, "account", &body["account"], None);
            publish(Change::Created, "rev_org", &body["default_rev_org"], None);
        }
        (Op::RevOrgsCreate, _) => publish(Change::Created, "rev_org", &body["rev_org"], None),
        (Op::AccountsUpdate, old) => publish(Change::Updated, "account", &body["account"], old),
        (Op::RevOrgsUpdate, old) => publish(Change::Updated, "rev_org", &body["rev_org"], old),
        (Op::AccountsDelete, Some(old)) => {
            publish(Change::Deleted, "account", old, None);
            for org in &orgs_before {
                publish(Change::Deleted, "rev_org", org, None);
            }
        }
        (Op::RevOrgsDelete, Some(old)) => publish(Change::Deleted, "rev_org", old, None),
        _ => {}
    }
    Ok(answer)
}

fn run_op(store: &mut Store, user: &DevUser, op: Op, input: &Input) -> Result<Answer, ApiError> {
    match op {
        Op::AccountsCreate => accounts_create(store, user, input),
        Op::AccountsGet => {
            let key = store.find_account("id", &input.required_string("id")?)?;
            Ok(ok("account", store.render_account(&store.accounts[&key])))
        }
        Op::AccountsList => accounts_list(store, input),
        Op::AccountsUpdate => accounts_update(store, user, input),
        Op::AccountsDelete => {
            let key = store.find_account("id", &input.required_string("id")?)?;
            store.accounts.remove(&key);
            // An account's rev orgs go with it.
            store.rev_orgs.retain(|_, org| org.account != key);
            Ok((StatusCode::OK, json!({})))
        }
        Op::RevOrgsCreate => rev_orgs_create(store, user, input),
        Op::RevOrgsGet => rev_orgs_get(store, input),
        Op::RevOrgsList => rev_orgs_list(store, input),
        Op::RevOrgsUpdate => rev_orgs_update(store, user, input),
        Op::RevOrgsDelete => {
            let key = store.find_rev_org("id", &input.required_string("id")?)?;
            if let Some(org) = store.rev_orgs.remove(&key) {
                if let Some(account) = store.accounts.get_mut(&org.account) {
                    if account.default_rev_org.as_deref() == Some(key.as_str()) {
                        account.default_rev_org = None;
                    }
                }
            }
            Ok((StatusCode::OK, json!({})))
        }
    }
}

/// A display name given in an update: present means non-blank.
fn new_display_name(input: &Input) -> Result<Option<String>, ApiError> {
    match input.string("display_name")? {
        Some(name) if name.trim().is_empty() => Err(ApiError::not_permitted("display_name", "a name cannot be blank")),
        other => Ok(other),
    }
}

fn owners(store: &Store, input: &Input) -> Result<Option<Vec<DevUser>>, ApiError> {
    let Some(ids) = input.strings("owned_by")? else { return Ok(None) };
    ids.iter().map(|id| store.find_user("owned_by", id)).collect::<Result<Vec<_>, _>>().map(Some)
}

/// An `external_refs` entry another account already uses.
fn account_ref_conflict(store: &Store, refs: &[String], except: Option<&str>) -> Result<(), ApiError> {
    for account in store.accounts.values().filter(|a| Some(a.key.as_str()) != except) {
        if let Some(taken) = refs.iter().find(|r| account.external_refs.contains(r)) {
            return Err(ApiError::conflict(
                format!("another account already has the external reference `{taken}`"),
                crate::ids::display(crate::ids::Kind::Account, &account.key),
            ));
        }
    }
    Ok(())
}

/// An `external_ref` another rev org already uses.
fn rev_org_ref_conflict(store: &Store, external_ref: &str, except: Option<&str>) -> Result<(), ApiError> {
    match store
        .rev_orgs
        .values()
        .find(|o| Some(o.key.as_str()) != except && o.external_ref.as_deref() == Some(external_ref))
    {
        Some(other) => Err(ApiError::conflict(
            format!("another rev org already has the external reference `{external_ref}`"),
            crate::ids::display(crate::ids::Kind::RevOrg, &other.key),
        )),
        None => Ok(()),
    }
}

fn accounts_create(store: &mut Store, user: &DevUser, input: &Input) -> Result<Answer, ApiError> {
    let display_name = input.required_string("display_name")?;
    let description = input.string("description")?;
    let domains = input.strings("domains")?.unwrap_or_default();
    let external_refs = input.strings("external_refs")?.unwrap_or_default();
    let tier = input.string("tier")?;
    let tags = input.tags("tags")?.unwrap_or_default();
    let custom_fields = input.object("custom_fields")?.map(|sent| crate::custom_fields::merge(None, &sent));
    let artifacts = input.strings("artifacts")?.unwrap_or_default();
    let websites = input.strings("websites")?.unwrap_or_default();
    let schema_fragments = input.strings("schema_fragment_ids")?.unwrap_or_default();
    let owned_by = owners(store, input)?.unwrap_or_else(|| vec![user.clone()]);
    account_ref_conflict(store, &external_refs, None)?;

    let stamp = Stamp { by: user.clone(), at: store.now() };
    let key = store.new_key();
    let org_key = store.new_key();
    let account = AccountRec {
        key: key.clone(),
        seq: store.next_seq(),
        display_name: display_name.clone(),
        description,
        domains,
        external_refs,
        tier,
        tags,
        custom_fields,
        artifacts,
        owned_by,
        websites,
        schema_fragments,
        created: stamp.clone(),
        modified: stamp.clone(),
        default_rev_org: Some(org_key.clone()),
    };
    for external_ref in &account.external_refs {
        *store.creates_by_ref.entry(external_ref.clone()).or_default() += 1;
    }
    // Every account comes with a default rev org of the same name.
    let org = RevOrgRec {
        key: org_key.clone(),
        seq: store.next_seq(),
        account: key.clone(),
        display_name,
        description: None,
        environment: None,
        external_ref: None,
        tier: None,
        tags: Vec::new(),
        custom_fields: None,
        custom_schema_fragments: Vec::new(),
        artifacts: Vec::new(),
        domain: None,
        created: stamp.clone(),
        modified: stamp,
    };
    store.accounts.insert(key.clone(), account);
    store.rev_orgs.insert(org_key.clone(), org);
    let body = json!({
        "account": to_value(store.render_account(&store.accounts[&key])),
        "default_rev_org": to_value(store.render_rev_org(&store.rev_orgs[&org_key])),
    });
    Ok((StatusCode::CREATED, body))
}

/// Whether `value` is one of `wanted` (no filter matches everything).
fn one_of(wanted: &Option<Vec<String>>, value: &str) -> bool {
    wanted.as_ref().is_none_or(|w| w.iter().any(|x| x == value))
}

/// Whether any of `values` is one of `wanted`.
fn any_of(wanted: &Option<Vec<String>>, values: &[String]) -> bool {
    wanted.as_ref().is_none_or(|w| values.iter().any(|v| w.contains(v)))
}

/// A list's filter on custom fields (`custom_fields`, `custom_field_filter`),
/// by the engine's rule.
fn custom_filter(input: &Input) -> Result<crate::custom_fields::Filter, ApiError> {
    let strings = input.strings("custom_field_filter")?.unwrap_or_default();
    crate::custom_fields::Filter::new(input.object("custom_fields")?.as_ref(), &strings)
}

fn in_range(filter: &Option<DateFilter>, stamp: &Stamp) -> bool {
    filter.as_ref().is_none_or(|f| f.contains(stamp.at))
}

/// The users named by a `created_by` filter, as keys that compare with users.
fn users_filter(store: &Store, input: &Input, field: &str) -> Result<Option<Vec<u32>>, ApiError> {
    let Some(ids) = input.strings(field)? else { return Ok(None) };
    let mut nums = Vec::new();
    for id in ids {
        // An ID of a user that does not exist matches nothing, as in DevRev.
        match store.find_user(field, &id) {
            Ok(user) => nums.push(user.num),
            Err(e) if e.status == StatusCode::NOT_FOUND => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(nums))
}

pub(crate) fn accounts_list(store: &Store, input: &Input) -> Result<Answer, ApiError> {
    let paging = Paging::from_input(input)?;
    let created_by = users_filter(store, input, "created_by")?;
    let owned_by = users_filter(store, input, "owned_by")?;
    let created = input.date_filter("created_date")?;
    let modified = input.date_filter("modified_date")?;
    let names = input.strings("display_name")?;
    let domains = input.strings("domains")?;
    let refs = input.strings("external_refs")?;
    let tiers = input.strings("tier")?;
    let websites = input.strings("websites")?;
    let custom = custom_filter(input)?;
    let matching = store
        .accounts
        .values()
        .filter(|a| custom.matches(a.custom_fields.as_ref()))
        .filter(|a| created_by.as_ref().is_none_or(|u| u.contains(&a.created.by.num)))
        .filter(|a| owned_by.as_ref().is_none_or(|u| a.owned_by.iter().any(|o| u.contains(&o.num))))
        .filter(|a| in_range(&created, &a.created) && in_range(&modified, &a.modified))
        .filter(|a| one_of(&names, &a.display_name))
        .filter(|a| any_of(&domains, &a.domains) && any_of(&refs, &a.external_refs) && any_of(&websites, &a.websites))
        .filter(|a| tiers.is_none() || a.tier.as_deref().is_some_and(|t| one_of(&tiers, t)))
        .collect();
    let (items, next, prev) = paging.page(matching);
    let items = items.into_iter().map(|a| to_value(store.render_account(a))).collect();
    Ok(page("accounts", items, next, prev))
}

fn accounts_update(store: &mut Store, user: &DevUser, input: &Input) -> Result<Answer, ApiError> {
    let key = store.find_account("id", &input.required_string("id")?)?;
    let display_name = new_display_name(input)?;
    let description = input.string("description")?;
    let domains = input.strings("domains")?;
    let external_refs = input.strings("external_refs")?;
    // `"tier": null` clears the tier (the one nullable field of the update).
    let tier = input.nullable_string("tier")?;
    let tags = input.tags("tags")?;
    let custom_fields = input.object("custom_fields")?;
    let artifacts = input.set_of_strings("artifacts")?;
    let websites = input.set_of_strings("websites")?;
    let schema_fragments = input.strings("schema_fragment_ids")?;
    let owned_by = owners(store, input)?;
    if let Some(refs) = &external_refs {
        account_ref_conflict(store, refs, Some(&key))?;
    }
    let at = store.now();
    let Some(account) = store.accounts.get_mut(&key) else { return Err(ApiError::not_found("account", &key)) };
    macro_rules! set {
        ($($field:ident),*) => { $(if let Some(v) = $field { account.$field = v; })* };
    }
    set!(display_name, domains, external_refs, tags, artifacts, websites, schema_fragments, owned_by, tier);
    if description.is_some() {
        account.description = description;
    }
    if let Some(sent) = &custom_fields {
        account.custom_fields = Some(crate::custom_fields::merge(account.custom_fields.as_ref(), sent));
    }
    account.modified = Stamp { by: user.clone(), at };
    Ok(ok("account", store.render_account(&store.accounts[&key])))
}

fn rev_orgs_create(store: &mut Store, user: &DevUser, input: &Input) -> Result<Answer, ApiError> {
    // Required fields first, in the order DevRev lists them.
    let account_id = input.required_string("account")?;
    let display_name = input.required_string("display_name")?;
    let environment = input.one_of("environment", &ENVIRONMENTS)?;
    let description = input.string("description")?;
    let external_ref = input.string("external_ref")?;
    let tier = input.string("tier")?;
    let domain = input.string("domain")?;
    let tags = input.tags("tags")?.unwrap_or_default();
    let custom_fields = input.object("custom_fields")?.map(|sent| crate::custom_fields::merge(None, &sent));
    let custom_schema_fragments = input.strings("custom_schema_fragments")?.unwrap_or_default();
    let artifacts = input.strings("artifacts")?.unwrap_or_default();
    let account = store.find_account("account", &account_id)?;
    if let Some(external_ref) = &external_ref {
        rev_org_ref_conflict(store, external_ref, None)?;
    }
    let stamp = Stamp { by: user.clone(), at: store.now() };
    let key = store.new_key();
    let org = RevOrgRec {
        key: key.clone(),
        seq: store.next_seq(),
        account,
        display_name,
        description,
        environment,
        external_ref,
        tier,
        tags,
        custom_fields,
        custom_schema_fragments,
        artifacts,
        domain,
        created: stamp.clone(),
        modified: stamp,
    };
    if let Some(external_ref) = &org.external_ref {
        *store.creates_by_ref.entry(external_ref.clone()).or_default() += 1;
    }
    store.rev_orgs.insert(key.clone(), org);
    let (_, body) = ok("rev_org", store.render_rev_org(&store.rev_orgs[&key]));
    Ok((StatusCode::CREATED, body))
}

fn rev_orgs_get(store: &Store, input: &Input) -> Result<Answer, ApiError> {
    let key = if let Some(id) = input.string("id")?.filter(|s| !s.trim().is_empty()) {
        store.find_rev_org("id", &id)?
    } else if let Some(account_id) = input.string("account")?.filter(|s| !s.trim().is_empty()) {
        // The account's default rev org.
        let account = store.find_account("account", &account_id)?;
        match &store.accounts[&account].default_rev_org {
            Some(key) => key.clone(),
            None => return Err(ApiError::not_found("default rev org of account", &account_id)),
        }
    } else {
        // The spec requires neither field, so this is not a missing required field.
        return Err(ApiError::bad_request(
            "a rev org is fetched by `id`, or by `account` for its default rev org",
            "send `id` or `account`",
        ));
    };
    Ok(ok("rev_org", store.render_rev_org(&store.rev_orgs[&key])))
}

fn rev_orgs_list(store: &Store, input: &Input) -> Result<Answer, ApiError> {
    let paging = Paging::from_input(input)?;
    let accounts = match input.strings("account")? {
        None => None,
        Some(ids) => {
            let mut keys = Vec::new();
            for id in ids {
                match store.find_account("account", &id) {
                    Ok(key) => keys.push(key),
                    // An account that does not exist has no rev orgs.
                    Err(e) if e.status == StatusCode::NOT_FOUND => {}
                    Err(e) => return Err(e),
                }
            }
            Some(keys)
        }
    };
    let created_by = users_filter(store, input, "created_by")?;
    let created = input.date_filter("created_date")?;
    let modified = input.date_filter("modified_date")?;
    let names = input.strings("display_name")?;
    let refs = input.strings("external_ref")?;
    let custom = custom_filter(input)?;
    let matching = store
        .rev_orgs
        .values()
        .filter(|o| custom.matches(o.custom_fields.as_ref()))
        .filter(|o| one_of(&accounts, &o.account))
        .filter(|o| created_by.as_ref().is_none_or(|u| u.contains(&o.created.by.num)))
        .filter(|o| in_range(&created, &o.created) && in_range(&modified, &o.modified))
        .filter(|o| one_of(&names, &o.display_name))
        .filter(|o| refs.is_none() || o.external_ref.as_deref().is_some_and(|r| one_of(&refs, r)))
        .collect();
    let (items, next, prev) = paging.page(matching);
    let items = items.into_iter().map(|o| to_value(store.render_rev_org(o))).collect();
    Ok(page("rev_orgs", items, next, prev))
}

fn rev_orgs_update(store: &mut Store, user: &DevUser, input: &Input) -> Result<Answer, ApiError> {
    let key = store.find_rev_org("id", &input.required_string("id")?)?;
    let display_name = new_display_name(input)?;
    let environment = input.one_of("environment", &ENVIRONMENTS)?;
    let description = input.string("description")?;
    let external_ref = input.string("external_ref")?;
    let tier = input.string("tier")?;
    let domain = input.string("domain")?;
    let tags = input.tags("tags")?;
    let custom_schema_fragments = input.strings("custom_schema_fragments")?;
    let custom_fields = input.object("custom_fields")?;
    let artifacts = input.set_of_strings("artifacts")?;
    // Deprecated by DevRev, still honoured: moves the rev org to another account.
    let account = match input.string("account")? {
        Some(id) => Some(store.find_account("account", &id)?),
        None => None,
    };
    if let Some(external_ref) = &external_ref {
        rev_org_ref_conflict(store, external_ref, Some(&key))?;
    }
    let at = store.now();
    if let Some(new_account) = &account {
        // A rev org moved out of its account is no longer that account's default.
        let old_account = store.rev_orgs.get(&key).map(|o| o.account.clone()).filter(|old| old != new_account);
        if let Some(old) = old_account.and_then(|old| store.accounts.get_mut(&old)) {
            if old.default_rev_org.as_deref() == Some(key.as_str()) {
                old.default_rev_org = None;
            }
        }
    }
    let Some(org) = store.rev_orgs.get_mut(&key) else { return Err(ApiError::not_found("rev org", &key)) };
    macro_rules! set {
        ($($field:ident),*) => { $(if let Some(v) = $field { org.$field = v; })* };
    }
    macro_rules! set_opt {
        ($($field:ident),*) => { $(if $field.is_some() { org.$field = $field; })* };
    }
    set!(display_name, tags, custom_schema_fragments, artifacts, account);
    set_opt!(environment, description, external_ref, tier, domain);
    if let Some(sent) = &custom_fields {
        org.custom_fields = Some(crate::custom_fields::merge(org.custom_fields.as_ref(), sent));
    }
    org.modified = Stamp { by: user.clone(), at };
    Ok(ok("rev_org", store.render_rev_org(&store.rev_orgs[&key])))
}
