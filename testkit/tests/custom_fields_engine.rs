//! Custom fields in the engine, for every family: the engine's own (works)
//! and those a family hook serves (accounts, rev orgs) meet the same check,
//! the same merge (`null` clears a field) and the same list filter, over
//! HTTP and through fixtures (`TestServer::insert`), which take the one way
//! in. Over raw HTTP, so the client's reading of the spec plays no part.

mod common;

use common::Http;
use devrev_testkit::TestServer;
use serde_json::{json, Value};

const ME: &str = "don:identity:dvrv-us-1:devo/1:devu/1";

async fn server() -> (TestServer, Http) {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    (server, http)
}

/// Declares a tenant fragment of `leaf` with `region` (an enum, required
/// when `required`) and `seats` (an int), through a fixture.
fn declare(server: &TestServer, leaf: &str, required: bool) {
    let fragment = json!({
        "type": "tenant_fragment", "leaf_type": leaf, "description": "test",
        "fields": [
            {"name": "region", "field_type": "enum", "allowed_values": ["emea", "amer"], "is_required": required},
            {"name": "seats", "field_type": "int"},
        ]
    });
    let set = server.insert("/schemas.custom.set", fragment).expect("schemas.custom.set is served as a fixture");
    assert!(set["id"].as_str().is_some_and(|id| id.contains("tenant_fragment")), "{set}");
}

/// `(status, subtype, field_name)` of a refused fixture.
fn refusal(result: Result<Value, devrev_testkit::InsertError>) -> (u16, String, String) {
    let e = result.expect_err("refused");
    let get = |k: &str| e.body[k].as_str().unwrap_or_default().to_owned();
    assert_eq!(get("type"), "customization_validation_error", "{}", e.body);
    (e.status, get("subtype"), get("field_name"))
}

#[tokio::test]
async fn fixtures_with_a_bad_custom_field_are_refused_in_every_family() {
    let (server, http) = server().await;
    declare(&server, "account", false);
    declare(&server, "rev_org", false);
    declare(&server, "ticket", false);

    // Accounts (a hook serves their create): an undeclared field, a value of the wrong type.
    let bad = server.insert("/accounts.create", json!({"display_name": "A", "custom_fields": {"tnt__nope": 1}}));
    assert_eq!(refusal(bad), (400, "field_not_in_schema".into(), "tnt__nope".into()));
    let bad = server.insert("/accounts.create", json!({"display_name": "A", "custom_fields": {"tnt__region": "apac"}}));
    assert_eq!(refusal(bad), (400, "enum_out_of_range".into(), "tnt__region".into()));
    let listed = http.post("/accounts.list", json!({})).await;
    assert_eq!(listed.body["accounts"], json!([]), "a refused fixture stores nothing");

    // Rev orgs.
    let account = server
        .insert("/accounts.create", json!({"display_name": "Acme", "custom_fields": {"tnt__region": "emea"}}))
        .expect("a good fixture is stored");
    assert_eq!(account["account"]["custom_fields"], json!({"tnt__region": "emea"}));
    let account_id = account["account"]["id"].clone();
    let bad = server.insert(
        "/rev-orgs.create",
        json!({"display_name": "O", "account": account_id, "custom_fields": {"tnt__seats": "many"}}),
    );
    assert_eq!(refusal(bad), (400, "wrong_type".into(), "tnt__seats".into()));

    // Works (the engine's own create).
    let part =
        server.insert("/parts.create", json!({"type": "product", "name": "P", "owned_by": [ME]})).expect("a part");
    let ticket = |fields: Value| {
        json!({"type": "ticket", "title": "T", "applies_to_part": part["part"]["id"], "owned_by": [ME],
               "custom_fields": fields})
    };
    let bad = server.insert("/works.create", ticket(json!({"tnt__region": 7})));
    assert_eq!(refusal(bad), (400, "wrong_type".into(), "tnt__region".into()));
    let good = server.insert("/works.create", ticket(json!({"tnt__region": "amer"}))).expect("a good ticket");
    assert_eq!(good["work"]["custom_fields"], json!({"tnt__region": "amer"}));

    // An update fixture meets the check too.
    let bad = server.insert("/accounts.update", json!({"id": account_id, "custom_fields": {"tnt__nope": true}}));
    assert_eq!(refusal(bad), (400, "field_not_in_schema".into(), "tnt__nope".into()));
}

#[tokio::test]
async fn a_required_field_is_required_of_fixtures_too() {
    let (server, _http) = server().await;
    declare(&server, "account", true);
    let bad = server.insert("/accounts.create", json!({"display_name": "A"}));
    assert_eq!(refusal(bad), (400, "field_required".into(), "tnt__region".into()));
    let ok = server.insert("/accounts.create", json!({"display_name": "A", "custom_fields": {"tnt__region": "amer"}}));
    assert!(ok.is_ok(), "{ok:?}");
}

#[tokio::test]
async fn accounts_and_rev_orgs_merge_clear_and_filter_like_the_engine() {
    let (server, http) = server().await;
    declare(&server, "account", false);
    declare(&server, "rev_org", false);
    let created = http
        .post(
            "/accounts.create",
            json!({"display_name": "Acme", "custom_fields": {"tnt__region": "emea", "tnt__seats": 5, "tnt__x": null}}),
        )
        .await;
    // `tnt__x: null` clears a field the fragment does not declare: refused like any undeclared field.
    assert_eq!((created.status, created.body["field_name"].as_str()), (400, Some("tnt__x")), "{}", created.body);
    let created = http
        .post(
            "/accounts.create",
            json!({"display_name": "Acme", "custom_fields": {"tnt__region": "emea", "tnt__seats": 5}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["account"]["id"].clone();

    // Keys sent replace, `null` removes, the others stay.
    let updated = http.post("/accounts.update", json!({"id": id, "custom_fields": {"tnt__seats": null}})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["account"]["custom_fields"], json!({"tnt__region": "emea"}));
    let got = http.post("/accounts.get", json!({"id": id})).await;
    assert_eq!(got.body["account"]["custom_fields"], json!({"tnt__region": "emea"}));

    // Lists filter in both forms, before paging; an undeclared field is a typed 400.
    http.post("/accounts.create", json!({"display_name": "Other", "custom_fields": {"tnt__region": "amer"}})).await;
    let listed = http.post("/accounts.list", json!({"custom_fields": {"tnt__region": ["emea"]}, "limit": 1})).await;
    let names: Vec<_> = listed.body["accounts"].as_array().unwrap().iter().map(|a| a["display_name"].clone()).collect();
    assert_eq!(names, vec![json!("Acme")], "{}", listed.body);
    let exported = http.post("/accounts.export", json!({"custom_fields": {"tnt__region": ["amer"]}})).await;
    assert_eq!(exported.body["accounts"].as_array().map(Vec::len), Some(1), "{}", exported.body);
    let typo = http.post("/accounts.list", json!({"custom_fields": {"tnt__regoin": ["emea"]}})).await;
    assert_eq!((typo.status, typo.body["field_name"].as_str()), (400, Some("tnt__regoin")), "{}", typo.body);

    // Rev orgs: an update stores custom fields; the list filters by `custom_field_filter` in a GET.
    let org = http.post("/rev-orgs.create", json!({"display_name": "Org", "account": id})).await;
    assert_eq!(org.status, 201, "{}", org.body);
    let org_id = org.body["rev_org"]["id"].clone();
    let updated = http.post("/rev-orgs.update", json!({"id": org_id, "custom_fields": {"tnt__region": "amer"}})).await;
    assert_eq!(updated.body["rev_org"]["custom_fields"], json!({"tnt__region": "amer"}), "{}", updated.body);
    let listed = http.get("/rev-orgs.list?custom_field_filter=tnt__region:amer,emea").await;
    let ids: Vec<_> = listed.body["rev_orgs"].as_array().unwrap().iter().map(|o| o["id"].clone()).collect();
    assert_eq!(ids, vec![org_id], "{}", listed.body);
    let typo = http.get("/rev-orgs.list?custom_field_filter=tnt__nope:amer").await;
    assert_eq!((typo.status, typo.body["field_name"].as_str()), (400, Some("tnt__nope")), "{}", typo.body);
}
