//! The server's endpoints on the wire: exact JSON for success and error
//! answers, both HTTP forms of the reads, IDs in both forms, pagination.

use crate::common;

use common::{check_ids, check_time, main_user, Http};
use devrev_testkit::TestServer;
use serde_json::{json, Value};

async fn create_account(http: &Http, name: &str) -> (Value, Value) {
    let a = http.post("/accounts.create", json!({"display_name": name})).await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    (a.body["account"].clone(), a.body["default_rev_org"].clone())
}

#[tokio::test]
async fn accounts_create_answers_201_with_the_account_and_its_default_rev_org() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let a = http
        .post(
            "/accounts.create",
            json!({
                "display_name": "Acme",
                "description": "a customer",
                "domains": ["acme.example"],
                "external_refs": ["crm-1"],
                "tier": "gold",
                "websites": ["https://acme.example"],
                "tags": [{"id": "TAG-1", "value": "v"}, {"id": "TAG-2"}],
                "custom_fields": {"seats": 12},
                "artifacts": ["ARTIFACT-1"],
                "owned_by": ["DEVU-1"]
            }),
        )
        .await;
    assert_eq!(a.status, 201);
    assert_eq!(a.header("content-type"), Some("application/json"));
    let account = &a.body["account"];
    let key = check_ids(account, "account", "ACC-");
    let created = check_time(&account["created_date"]);
    assert_eq!(account["modified_date"], account["created_date"]);
    let expected = json!({
        "id": account["id"],
        "display_id": format!("ACC-{key}"),
        "display_name": "Acme",
        "created_by": main_user(),
        "created_date": account["created_date"],
        "modified_by": main_user(),
        "modified_date": account["created_date"],
        "artifacts": [{"id": "ARTIFACT-1"}],
        "custom_fields": {"seats": 12},
        "description": "a customer",
        "domains": ["acme.example"],
        "external_refs": ["crm-1"],
        "owned_by": [main_user()],
        "tags": [{"tag": {"id": "TAG-1", "name": "TAG-1"}, "value": "v"}, {"tag": {"id": "TAG-2", "name": "TAG-2"}}],
        "tier": "gold",
        "websites": ["https://acme.example"]
    });
    assert_eq!(*account, expected);

    let org = &a.body["default_rev_org"];
    let org_key = check_ids(org, "revo", "REV-");
    assert_eq!(check_time(&org["created_date"]), created);
    let expected = json!({
        "id": format!("don:identity:dvrv-us-1:devo/1:revo/{org_key}"),
        "display_id": format!("REV-{org_key}"),
        "display_name": "Acme",
        "created_by": main_user(),
        "created_date": org["created_date"],
        "modified_by": main_user(),
        "modified_date": org["created_date"],
        "account": {"id": account["id"], "display_id": format!("ACC-{key}"), "display_name": "Acme"}
    });
    assert_eq!(*org, expected);
    assert_eq!(a.body.as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn rev_org_lifecycle_with_both_id_forms_and_both_read_forms() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let (account, _) = create_account(&http, "Acme").await;

    let created = http
        .post(
            "/rev-orgs.create",
            json!({
                "account": account["display_id"],
                "display_name": "Acme Staging",
                "description": "staging",
                "environment": "staging",
                "external_ref": "acme-staging",
                "custom_schema_fragments": ["don:core:dvrv-us-1:devo/1:custom_type_fragment/1"],
                "domain": "staging.acme.example"
            }),
        )
        .await;
    assert_eq!(created.status, 201);
    let org = created.body["rev_org"].clone();
    let key = check_ids(&org, "revo", "REV-");
    let expected = json!({
        "id": org["id"],
        "display_id": format!("REV-{key}"),
        "display_name": "Acme Staging",
        "created_by": main_user(),
        "created_date": org["created_date"],
        "modified_by": main_user(),
        "modified_date": org["created_date"],
        "account": {"id": account["id"], "display_id": account["display_id"], "display_name": "Acme"},
        "custom_schema_fragments": ["don:core:dvrv-us-1:devo/1:custom_type_fragment/1"],
        "description": "staging",
        "domain": "staging.acme.example",
        "external_ref": "acme-staging"
    });
    assert_eq!(org, expected);
    assert_eq!(created.body, json!({"rev_org": expected}));

    // Reads: GET with the display ID, POST with the DON ID.
    let got = http.get(&format!("/rev-orgs.get?id=REV-{key}")).await;
    assert_eq!((got.status, &got.body), (200, &json!({"rev_org": org})));
    let got = http.post("/rev-orgs.get", json!({"id": org["id"]})).await;
    assert_eq!((got.status, &got.body), (200, &json!({"rev_org": org})));

    // Update: changed fields, a later modified_date, the rest unchanged.
    let updated = http
        .post(
            "/rev-orgs.update",
            json!({"id": org["id"], "description": "now production", "artifacts": {"set": ["ARTIFACT-9"]},
                   "tags": [{"id": "TAG-3"}]}),
        )
        .await;
    assert_eq!(updated.status, 200);
    let after = &updated.body["rev_org"];
    assert!(check_time(&after["modified_date"]) > check_time(&org["created_date"]));
    let mut expected = org.clone();
    expected["description"] = json!("now production");
    expected["artifacts"] = json!([{"id": "ARTIFACT-9"}]);
    expected["tags"] = json!([{"tag": {"id": "TAG-3", "name": "TAG-3"}}]);
    expected["modified_date"] = after["modified_date"].clone();
    assert_eq!(*after, expected);

    // Delete answers an empty object; the org is gone.
    let deleted = http.post("/rev-orgs.delete", json!({"id": format!("REV-{key}")})).await;
    assert_eq!((deleted.status, deleted.body), (200, json!({})));
    let gone = http.get(&format!("/rev-orgs.get?id=REV-{key}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["type"], "not_found");
    let again = http.post("/rev-orgs.delete", json!({"id": format!("REV-{key}")})).await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn rev_orgs_get_by_account_is_the_default_rev_org() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let (account, default_org) = create_account(&http, "Acme").await;
    let got = http.get(&format!("/rev-orgs.get?account={}", account["display_id"].as_str().unwrap())).await;
    assert_eq!((got.status, got.body), (200, json!({"rev_org": default_org})));
    // Without id or account: a bad request, not a missing required field (the spec requires neither).
    let err = http.get("/rev-orgs.get").await;
    assert_eq!((err.status, &err.body["type"], &err.body["field_name"]), (400, &json!("bad_request"), &json!(null)));
    assert!(err.body["message"].as_str().unwrap().contains("`id`"), "{}", err.body);
    // Moved to another account (the deprecated `account` of an update), it
    // stops being the first account's default.
    let (other, other_default) = create_account(&http, "Other").await;
    let moved = http.post("/rev-orgs.update", json!({"id": default_org["id"], "account": other["id"]})).await;
    assert_eq!(moved.body["rev_org"]["account"]["id"], other["id"]);
    let got = http.post("/rev-orgs.get", json!({"account": account["id"]})).await;
    assert_eq!((got.status, &got.body["type"]), (404, &json!("not_found")));
    let got = http.post("/rev-orgs.get", json!({"account": other["id"]})).await;
    assert_eq!(got.body["rev_org"]["id"], other_default["id"]);
    let default_org = other_default;
    let account = other;

    // Once the default is deleted, the account has none.
    http.post("/rev-orgs.delete", json!({"id": default_org["id"]})).await;
    let got = http.post("/rev-orgs.get", json!({"account": account["id"]})).await;
    assert_eq!((got.status, &got.body["type"]), (404, &json!("not_found")));
}

#[tokio::test]
async fn accounts_get_update_list_delete() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let a =
        http.post("/accounts.create", json!({"display_name": "Acme", "tier": "gold", "external_refs": ["x"]})).await;
    let account = a.body["account"].clone();
    let id = account["display_id"].as_str().unwrap().to_owned();

    let got = http.get(&format!("/accounts.get?id={id}")).await;
    assert_eq!((got.status, &got.body), (200, &json!({"account": account})));
    let got = http.post("/accounts.get", json!({"id": account["id"]})).await;
    assert_eq!((got.status, &got.body), (200, &json!({"account": account})));

    // `tier: null` clears the tier; websites replace with `set`.
    let updated = http
        .post(
            "/accounts.update",
            json!({"id": id, "tier": null, "display_name": "Acme Inc", "websites": {"set": ["w"]}}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let after = &updated.body["account"];
    assert_eq!(after.get("tier"), None);
    assert_eq!(after["display_name"], "Acme Inc");
    assert_eq!(after["websites"], json!(["w"]));
    assert_eq!(after["external_refs"], json!(["x"]));

    let listed = http.get("/accounts.list?display_name=Acme%20Inc").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body, json!({"accounts": [after]}));

    // Deleting the account deletes its rev orgs.
    let org = http.post("/rev-orgs.create", json!({"account": id, "display_name": "Child"})).await;
    assert_eq!(org.status, 201);
    let deleted = http.post("/accounts.delete", json!({"id": id})).await;
    assert_eq!((deleted.status, deleted.body), (200, json!({})));
    assert_eq!(http.get(&format!("/accounts.get?id={id}")).await.status, 404);
    let orgs = http.get(&format!("/rev-orgs.list?account={id}")).await;
    assert_eq!(orgs.body, json!({"rev_orgs": []}));
    assert_eq!(http.post("/rev-orgs.get", json!({"id": org.body["rev_org"]["id"]})).await.status, 404);
}

#[tokio::test]
async fn error_bodies_are_devrevs() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let (account, _) = create_account(&http, "Acme").await;
    let acc = account["display_id"].as_str().unwrap().to_owned();

    // Each error: status, and the body without its prose.
    let strip = |mut body: Value| {
        let map = body.as_object_mut().unwrap();
        assert!(map.remove("message").is_some_and(|m| m.is_string()), "a message");
        assert!(map.remove("detail").is_some_and(|m| m.is_string()), "a detail");
        body
    };

    let e = http.post_raw("/rev-orgs.create", r#"{"account": "#).await;
    assert_eq!((e.status, strip(e.body)), (400, json!({"type": "parse_error"})));
    let e = http.post_raw("/rev-orgs.create", "[1, 2]").await;
    assert_eq!((e.status, strip(e.body)), (400, json!({"type": "parse_error"})));
    let e = http.post("/rev-orgs.create", json!({"account": acc})).await;
    assert_eq!(
        (e.status, strip(e.body)),
        (400, json!({"type": "missing_required_field", "field_name": "display_name"}))
    );
    let e = http.post("/rev-orgs.create", json!({"account": acc, "display_name": 7})).await;
    assert_eq!(
        (e.status, strip(e.body)),
        (
            400,
            json!({"type": "unexpected_json_type", "field_name": "display_name", "actual": "number", "expected": "string"})
        )
    );
    let e = http.post("/rev-orgs.create", json!({"account": acc, "display_name": "x", "environment": "prod"})).await;
    assert_eq!(
        (e.status, strip(e.body)),
        (
            400,
            json!({"type": "invalid_enum_value", "field_name": "environment", "value": "prod",
                     "allowed_values": ["production", "staging", "test"]})
        )
    );
    let e = http.post("/rev-orgs.create", json!({"account": "ACC 12", "display_name": "x"})).await;
    assert_eq!((e.status, strip(e.body)), (400, json!({"type": "invalid_id", "field_name": "account"})));
    let e = http.post("/rev-orgs.create", json!({"account": "REV-AbCd1234", "display_name": "x"})).await;
    assert_eq!((e.status, strip(e.body)), (400, json!({"type": "unexpected_id_type", "field_name": "account"})));
    let e = http.post("/rev-orgs.create", json!({"account": "ACC-Missing1", "display_name": "x"})).await;
    assert_eq!((e.status, strip(e.body)), (404, json!({"type": "not_found"})));
    let e = http.get("/rev-orgs.list?created_date.after=yesterday").await;
    assert_eq!((e.status, strip(e.body)), (400, json!({"type": "invalid_field", "field_name": "created_date.after"})));
    let e = http.get("/rev-orgs.list?limit=0").await;
    assert_eq!(
        (e.status, strip(e.body)),
        (400, json!({"type": "value_not_permitted", "field_name": "limit", "reason": "limit must be at least 1"}))
    );
    let e = http.get("/rev-orgs.list?cursor=not-a-cursor").await;
    assert_eq!((e.status, strip(e.body)), (400, json!({"type": "bad_request"})));

    // A second rev org with the same external_ref, a second account with the same external ref.
    let first = http.post("/rev-orgs.create", json!({"account": acc, "display_name": "a", "external_ref": "r1"})).await;
    assert_eq!(first.status, 201);
    let e = http.post("/rev-orgs.create", json!({"account": acc, "display_name": "b", "external_ref": "r1"})).await;
    assert_eq!((e.status, strip(e.body)), (409, json!({"type": "conflict"})));
    http.post("/accounts.create", json!({"display_name": "A", "external_refs": ["e1"]})).await;
    let e = http.post("/accounts.create", json!({"display_name": "B", "external_refs": ["e2", "e1"]})).await;
    assert_eq!((e.status, strip(e.body)), (409, json!({"type": "conflict"})));

    // 401 without a token or with a wrong one.
    for anonymous in [http.with_token(None), http.with_token(Some("wrong"))] {
        let e = anonymous.post("/rev-orgs.list", json!({})).await;
        assert_eq!((e.status, strip(e.body)), (401, json!({"type": "unauthenticated"})));
    }

    // Unknown paths and methods: a typed 404 `not_found`, token or not.
    let e = http.post("/rev-orgs.frobnicate", json!({})).await;
    assert_eq!((e.status, e.body["message"].clone()), (404, json!("route not found")));
    assert_eq!(strip(e.body), json!({"type": "not_found"}));
    let e = http.with_token(None).get("/nothing/here").await;
    assert_eq!((e.status, e.body["message"].clone()), (404, json!("route not found")));
    assert_eq!(strip(e.body), json!({"type": "not_found"}));
    let e = http.get("/rev-orgs.create").await;
    assert_eq!((e.status, e.body["message"].clone()), (404, json!("route not found")));
    assert_eq!(strip(e.body), json!({"type": "not_found"}));
    let e = http.method(reqwest::Method::PUT, "/rev-orgs.get").await;
    assert_eq!((e.status, e.body["message"].clone()), (404, json!("route not found")));
    assert_eq!(strip(e.body), json!({"type": "not_found"}));
}

/// Creates `n` rev orgs named `org-01`.. (external refs `{refs}-1`..) in a
/// new account; returns the account's display ID.
async fn seed_orgs(http: &Http, n: usize, refs: &str) -> String {
    let (account, default_org) = create_account(http, "Seed").await;
    http.post("/rev-orgs.delete", json!({"id": default_org["id"]})).await;
    let acc = account["display_id"].as_str().unwrap().to_owned();
    for i in 1..=n {
        let r = http
            .post(
                "/rev-orgs.create",
                json!({"account": acc, "display_name": format!("org-{i:02}"), "external_ref": format!("{refs}-{i}")}),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    acc
}

fn names(page: &Value) -> Vec<String> {
    page["rev_orgs"].as_array().unwrap().iter().map(|o| o["display_name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn pagination_follows_cursors_both_ways() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let acc = seed_orgs(&http, 7, "ref").await;
    // Another account's orgs are filtered out.
    seed_orgs(&http, 2, "other").await;

    let p1 = http.get(&format!("/rev-orgs.list?account={acc}&limit=3")).await.body;
    assert_eq!(names(&p1), ["org-01", "org-02", "org-03"]);
    assert_eq!(p1.get("prev_cursor"), None);
    let next = p1["next_cursor"].as_str().unwrap();
    let p2 = http.get(&format!("/rev-orgs.list?account={acc}&limit=3&cursor={next}")).await.body;
    assert_eq!(names(&p2), ["org-04", "org-05", "org-06"]);
    // The same page through POST.
    let p2_post = http.post("/rev-orgs.list", json!({"account": [acc], "limit": 3, "cursor": next})).await.body;
    assert_eq!(p2_post, p2);
    let p3 = http
        .get(&format!("/rev-orgs.list?account={acc}&limit=3&cursor={}", p2["next_cursor"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(names(&p3), ["org-07"]);
    assert_eq!(p3.get("next_cursor"), None, "no next_cursor on the last page");
    // Back from page 3 with prev_cursor and mode=before.
    let back = http
        .get(&format!(
            "/rev-orgs.list?account={acc}&limit=3&mode=before&cursor={}",
            p3["prev_cursor"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(names(&back), ["org-04", "org-05", "org-06"]);
    // Without a cursor, before starts from the end.
    let tail = http.get(&format!("/rev-orgs.list?account={acc}&limit=2&mode=before")).await.body;
    assert_eq!(names(&tail), ["org-06", "org-07"]);
    assert_eq!(tail.get("next_cursor"), None);

    // Default limit: all seven on one page.
    let all = http.get(&format!("/rev-orgs.list?account={acc}")).await.body;
    assert_eq!(names(&all).len(), 7);
    assert_eq!(all.get("next_cursor"), None);

    // sort_by descending by name, then the next page keeps that order.
    let desc = http.get(&format!("/rev-orgs.list?account={acc}&limit=4&sort_by=display_name:desc")).await.body;
    assert_eq!(names(&desc), ["org-07", "org-06", "org-05", "org-04"]);
    let rest = http
        .get(&format!(
            "/rev-orgs.list?account={acc}&limit=4&sort_by=display_name:desc&cursor={}",
            desc["next_cursor"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(names(&rest), ["org-03", "org-02", "org-01"]);
}

#[tokio::test]
async fn list_filters_in_query_and_body() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let acc = seed_orgs(&http, 5, "ref").await;
    // A name holding a comma and an ampersand, sent percent-encoded inside a comma-joined list.
    let r = http.post("/rev-orgs.create", json!({"account": acc, "display_name": "A&B, Inc."})).await;
    assert_eq!(r.status, 201);

    let by_name = http.get("/rev-orgs.list?display_name=A%26B%2C%20Inc.,org-02").await.body;
    assert_eq!(names(&by_name), ["org-02", "A&B, Inc."]);
    let by_ref = http.get("/rev-orgs.list?external_ref=ref-1,ref-3").await.body;
    assert_eq!(names(&by_ref), ["org-01", "org-03"]);
    let by_ref_post = http.post("/rev-orgs.list", json!({"external_ref": ["ref-1", "ref-3"]})).await.body;
    assert_eq!(by_ref_post, by_ref);
    let by_creator = http.get("/rev-orgs.list?created_by=DEVU-1&limit=1").await.body;
    assert_eq!(names(&by_creator), ["org-01"]);
    let nobody = http.get("/rev-orgs.list?created_by=DEVU-99").await.body;
    assert_eq!(nobody, json!({"rev_orgs": []}));

    // Dates: both ends inclusive, dotted in the query, nested in a body.
    let all = http.get(&format!("/rev-orgs.list?account={acc}")).await.body;
    let dates: Vec<String> =
        all["rev_orgs"].as_array().unwrap().iter().map(|o| o["created_date"].as_str().unwrap().to_owned()).collect();
    let q = format!("/rev-orgs.list?account={acc}&created_date.after={}&created_date.before={}", dates[1], dates[3]);
    assert_eq!(names(&http.get(&q).await.body), ["org-02", "org-03", "org-04"]);
    let body = json!({"account": [acc], "created_date": {"after": dates[4]}});
    assert_eq!(names(&http.post("/rev-orgs.list", body).await.body), ["org-05", "A&B, Inc."]);

    // Account filters: display name.
    let accounts = http.get("/accounts.list?display_name=Seed").await.body;
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 1);
}
