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
/// when `required`, filterable), `seats` (an int, not said filterable) and
/// `tier` (a text, `is_filterable: false`), through a fixture.
fn declare(server: &TestServer, leaf: &str, required: bool) {
    let fragment = json!({
        "type": "tenant_fragment", "leaf_type": leaf, "description": "test",
        "fields": [
            {"name": "region", "field_type": "enum", "allowed_values": ["emea", "amer"], "is_required": required,
             "is_filterable": true},
            {"name": "seats", "field_type": "int"},
            {"name": "tier", "field_type": "text", "is_filterable": false},
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

#[tokio::test]
async fn a_filter_on_a_field_that_is_not_filterable_is_refused_in_every_form() {
    let (server, http) = server().await;
    for leaf in ["account", "rev_org", "ticket", "meeting"] {
        declare(&server, leaf, false);
    }
    let account = http
        .post(
            "/accounts.create",
            json!({"display_name": "Acme", "custom_fields": {"tnt__region": "emea", "tnt__seats": 5, "tnt__tier": "gold"}}),
        )
        .await;
    assert_eq!(account.status, 201, "{}", account.body);
    let account_id = account.body["account"]["id"].as_str().unwrap().to_owned();
    let org = http
        .post(
            "/rev-orgs.create",
            json!({"display_name": "Org", "account": account_id, "custom_fields": {"tnt__region": "emea", "tnt__seats": 5}}),
        )
        .await;
    assert_eq!(org.status, 201, "{}", org.body);

    // Every list, count and export that filters on custom fields, POST and GET, in both forms:
    // `seats` (no `is_filterable`) and `tier` (`is_filterable: false`) are refused, naming the field.
    for field in ["seats", "tier"] {
        let wire = format!("tnt__{field}");
        let by_map = json!({"custom_fields": {wire.clone(): ["5"]}});
        let by_strings = json!({"custom_field_filter": [format!("{wire}:5")]});
        let requests = [
            ("POST /accounts.list", http.post("/accounts.list", by_map.clone()).await),
            ("GET /accounts.list", http.get(&format!("/accounts.list?custom_fields.{wire}=5")).await),
            ("POST /accounts.export", http.post("/accounts.export", by_map.clone()).await),
            ("GET /accounts.export", http.get(&format!("/accounts.export?custom_fields.{wire}=5")).await),
            ("POST /rev-orgs.list custom_fields", http.post("/rev-orgs.list", by_map.clone()).await),
            ("POST /rev-orgs.list custom_field_filter", http.post("/rev-orgs.list", by_strings.clone()).await),
            ("GET /rev-orgs.list", http.get(&format!("/rev-orgs.list?custom_field_filter={wire}:5")).await),
            ("POST /works.list", http.post("/works.list", by_map.clone()).await),
            ("GET /works.list", http.get(&format!("/works.list?custom_fields.{wire}=5")).await),
            ("POST /works.export", http.post("/works.export", by_map.clone()).await),
            ("POST /meetings.count", http.post("/meetings.count", by_map.clone()).await),
            ("GET /meetings.count", http.get(&format!("/meetings.count?custom_fields.{wire}=5")).await),
        ];
        for (name, answer) in requests {
            assert_eq!(answer.status, 400, "{name} on {wire}: {}", answer.body);
            assert_eq!(answer.body["type"], "invalid_field", "{name} on {wire}: {}", answer.body);
            assert_eq!(answer.body["field_name"], json!(wire), "{name}: {}", answer.body);
            assert_eq!(answer.body["message"], json!(format!("custom field `{wire}` is not filterable")), "{name}");
        }
    }

    // The filterable field filters in the same forms.
    let listed = http.post("/accounts.list", json!({"custom_fields": {"tnt__region": ["emea"]}})).await;
    assert_eq!((listed.status, listed.body["accounts"][0]["id"].as_str()), (200, Some(account_id.as_str())));
    let listed = http.get("/rev-orgs.list?custom_field_filter=tnt__region:emea").await;
    assert_eq!((listed.status, listed.body["rev_orgs"].as_array().map(Vec::len)), (200, Some(1)), "{}", listed.body);
    let counted = http.post("/meetings.count", json!({"custom_fields": {"tnt__region": ["emea"]}})).await;
    assert_eq!((counted.status, counted.body["count"].as_u64()), (200, Some(0)), "{}", counted.body);
    // A filter on a filterable field and a field that is not: refused.
    let both = json!({"custom_fields": {"tnt__region": ["emea"], "tnt__seats": [5]}});
    let refused = http.post("/accounts.list", both).await;
    assert_eq!((refused.status, refused.body["field_name"].as_str()), (400, Some("tnt__seats")), "{}", refused.body);
}

#[tokio::test]
async fn schemas_custom_list_pages_with_cursors_to_the_end() {
    let (_server, http) = server().await;
    let mut declared = Vec::new();
    for leaf in ["account", "rev_org", "ticket", "issue", "part"] {
        let fragment = json!({"type": "tenant_fragment", "leaf_type": leaf, "description": "paged",
            "fields": [{"name": "note", "field_type": "text"}]});
        let set = http.post("/schemas.custom.set", fragment).await;
        assert!(set.status < 300, "{}", set.body);
        declared.push(set.body["id"].as_str().unwrap().to_owned());
    }
    let ids = |page: &Value| -> Vec<String> {
        page["result"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
    };

    // POST, `limit: 2`, following `next_cursor`: 2 + 2 + 1, the last without `next_cursor`.
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = json!({"limit": 2});
        if let Some(c) = &cursor {
            body["cursor"] = json!(c);
        }
        let page = http.post("/schemas.custom.list", body).await;
        assert_eq!(page.status, 200, "{}", page.body);
        pages.push(ids(&page.body).len());
        seen.extend(ids(&page.body));
        assert_eq!(page.body.get("prev_cursor").is_some(), cursor.is_some(), "prev_cursor on every page but the first");
        cursor = page.body.get("next_cursor").map(|c| c.as_str().unwrap().to_owned());
        if cursor.is_none() || pages.len() > 5 {
            break;
        }
    }
    assert_eq!(pages, [2, 2, 1]);
    assert_eq!(seen, declared, "exactly the 5 fragments, each once, in the order declared");

    // GET, the same walk.
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    for _ in 0..3 {
        let page = http.get(&format!("/schemas.custom.list?{query}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(next) => query = format!("limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, declared);

    // Backwards from the end (`mode=before` without a cursor), following `prev_cursor`.
    let last = http.get("/schemas.custom.list?limit=2&mode=before").await;
    assert_eq!(ids(&last.body), declared[3..]);
    assert!(last.body.get("next_cursor").is_none(), "{}", last.body);
    let prev = last.body["prev_cursor"].as_str().unwrap();
    let middle = http.get(&format!("/schemas.custom.list?limit=2&mode=before&cursor={prev}")).await;
    assert_eq!(ids(&middle.body), declared[1..3]);
    let prev = middle.body["prev_cursor"].as_str().unwrap();
    let first = http.post("/schemas.custom.list", json!({"limit": 2, "mode": "before", "cursor": prev})).await;
    assert_eq!(ids(&first.body), declared[..1]);
    assert!(first.body.get("prev_cursor").is_none(), "{}", first.body);

    // Filtered before paging.
    let filtered =
        http.post("/schemas.custom.list", json!({"leaf_type": ["ticket", "issue", "part"], "limit": 2})).await;
    assert_eq!(ids(&filtered.body), declared[2..4]);
    let next = filtered.body["next_cursor"].as_str().unwrap();
    let rest = http
        .post("/schemas.custom.list", json!({"leaf_type": ["ticket", "issue", "part"], "limit": 2, "cursor": next}))
        .await;
    assert_eq!(ids(&rest.body), declared[4..]);
    assert!(rest.body.get("next_cursor").is_none(), "{}", rest.body);

    // A cursor that is not one: 400 `bad_request`, in either form.
    let bad = http.post("/schemas.custom.list", json!({"cursor": "not-a-cursor"})).await;
    assert_eq!((bad.status, bad.body["type"].as_str()), (400, Some("bad_request")), "{}", bad.body);
    assert_eq!(bad.body["message"], "the cursor is not valid");
    let bad = http.get("/schemas.custom.list?cursor=zz").await;
    assert_eq!((bad.status, bad.body["type"].as_str()), (400, Some("bad_request")), "{}", bad.body);
    let zero = http.post("/schemas.custom.list", json!({"limit": 0})).await;
    assert_eq!((zero.status, zero.body["type"].as_str()), (400, Some("value_not_permitted")), "{}", zero.body);

    // `prune: ["fields"]` leaves the fields out.
    let pruned = http.post("/schemas.custom.list", json!({"prune": ["fields"], "limit": 1})).await;
    assert_eq!(pruned.body["result"][0]["id"], json!(declared[0]));
    assert!(pruned.body["result"][0].get("fields").is_none(), "{}", pruned.body);
}

#[tokio::test]
async fn schemas_custom_list_filters_on_the_spec_parameters_before_paging() {
    let (_server, http) = server().await;
    let set = |fragment: Value| {
        let http = &http;
        async move {
            let answer = http.post("/schemas.custom.set", fragment).await;
            assert!(answer.status < 300, "{}", answer.body);
            answer.body["id"].as_str().unwrap().to_owned()
        }
    };
    let field = json!([{"name": "note", "field_type": "text"}]);
    let tenant =
        set(json!({"type": "tenant_fragment", "leaf_type": "ticket", "description": "d", "fields": field})).await;
    let outage = set(json!({"type": "custom_type_fragment", "leaf_type": "ticket", "subtype": "outage",
        "description": "d", "fields": field}))
    .await;
    let billing = set(
        json!({"type": "app_fragment", "leaf_type": "ticket", "app": "billing", "description": "d", "fields": field}),
    )
    .await;
    let widget = set(json!({"type": "tenant_fragment", "leaf_type": "widget", "is_custom_leaf_type": true,
        "description": "d", "fields": field}))
    .await;
    let ids = |answer: &common::Answer| -> Vec<String> {
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["result"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
    };
    let list = |body: Value| http.post("/schemas.custom.list", body);
    assert_eq!(ids(&list(json!({})).await), [tenant.clone(), outage.clone(), billing.clone(), widget.clone()]);
    assert_eq!(ids(&list(json!({"types": ["tenant_fragment"]})).await), [tenant.clone(), widget.clone()]);
    assert_eq!(ids(&list(json!({"subtype": ["outage"]})).await), vec![outage.clone()]);
    assert_eq!(ids(&list(json!({"app": ["billing"]})).await), vec![billing.clone()]);
    assert_eq!(ids(&list(json!({"is_custom_leaf_type": true})).await), vec![widget.clone()]);
    assert_eq!(ids(&list(json!({"is_custom_leaf_type": false, "limit": 5})).await), [tenant.clone(), outage, billing]);
    // Sorted on a field, paged in that order: `widget` first, then the three of `ticket` in creation order.
    let page = list(json!({"sort_by": ["leaf_type:desc"], "limit": 2})).await;
    assert_eq!(ids(&page), [widget, tenant]);
    let next = page.body["next_cursor"].as_str().unwrap();
    let rest = list(json!({"sort_by": ["leaf_type:desc"], "limit": 2, "cursor": next})).await;
    assert_eq!(ids(&rest).len(), 2);
    assert!(rest.body.get("next_cursor").is_none(), "{}", rest.body);
    // The cursor of one order is refused in another.
    let other = list(json!({"limit": 2, "cursor": next})).await;
    assert_eq!((other.status, other.body["type"].as_str()), (400, Some("bad_request")), "{}", other.body);
}
