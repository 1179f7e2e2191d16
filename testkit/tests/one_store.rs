//! One store for every family: accounts and rev orgs are kept by the same
//! engine as works and tags (fixtures, uniqueness through the store's
//! indexes, an account's name shown by its rev orgs), and a filtered list
//! walks an index that follows every create, update and delete.
//! Over raw HTTP, so the client's reading of the spec plays no part.

mod common;

use common::Http;
use serde_json::{json, Value};

const ME: &str = "don:identity:dvrv-us-1:devo/1:devu/1";

async fn server() -> (devrev_testkit::TestServer, Http) {
    let server = devrev_testkit::TestServer::start().await;
    let http = Http::new(&server);
    (server, http)
}

fn ids(answer: &common::Answer, key: &str) -> Vec<String> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body[key].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
}

fn id(object: &Value) -> String {
    object["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn accounts_load_as_fixtures_and_answer_over_http() {
    let (server, http) = server().await;
    let created = server.insert("/accounts.create", json!({"display_name": "Fixture Co", "external_refs": ["crm-1"]}));
    let created = created.expect("accounts.create is served without HTTP too");
    let account = &created["account"];
    let default = &created["default_rev_org"];
    assert!(account["display_id"].as_str().unwrap().starts_with("ACC-"), "{account}");
    assert_eq!(default["account"]["id"], account["id"]);
    assert_eq!(default["display_name"], "Fixture Co");
    assert_eq!(server.creates_with_external_ref("crm-1"), 1);

    // The same objects over HTTP, by either ID form.
    let got = http.post("/accounts.get", json!({"id": account["display_id"]})).await;
    assert_eq!(got.body["account"], *account);
    let by_account = http.post("/rev-orgs.get", json!({"account": account["id"]})).await;
    assert_eq!(by_account.body["rev_org"], *default);

    // Search finds it, as it finds every stored object.
    let found = http.post("/search.core", json!({"query": "fixture co", "namespaces": ["account"]})).await;
    assert_eq!(found.status, 200, "{}", found.body);
    let results = found.body["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{}", found.body);
    assert_eq!(results[0]["account"]["id"], account["id"], "{}", found.body);

    // The rules hold for fixtures: a second account with the reference is 409.
    let twice = server.insert("/accounts.create", json!({"display_name": "Other", "external_refs": ["crm-1"]}));
    let refused = twice.unwrap_err();
    assert_eq!((refused.status, refused.body["type"].as_str()), (409, Some("conflict")));
    assert_eq!(server.creates_with_external_ref("crm-1"), 1);
}

#[tokio::test]
async fn an_external_ref_freed_by_an_update_can_be_taken_again() {
    let (_server, http) = server().await;
    let a = http.post("/accounts.create", json!({"display_name": "A", "external_refs": ["crm-1"]})).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let a_id = id(&a.body["account"]);
    let taken = http.post("/accounts.create", json!({"display_name": "B", "external_refs": ["crm-1"]})).await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(taken.body["detail"], a.body["account"]["display_id"]);

    let moved = http.post("/accounts.update", json!({"id": a_id, "external_refs": ["crm-2"]})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let b = http.post("/accounts.create", json!({"display_name": "B", "external_refs": ["crm-1"]})).await;
    assert_eq!(b.status, 201, "crm-1 is free once A dropped it: {}", b.body);
    let c = http.post("/accounts.create", json!({"display_name": "C", "external_refs": ["crm-2"]})).await;
    assert_eq!(c.status, 409, "A holds crm-2 now: {}", c.body);
    // An account may keep its own reference in an update.
    let same = http.post("/accounts.update", json!({"id": a_id, "external_refs": ["crm-2", "crm-3"]})).await;
    assert_eq!(same.status, 200, "{}", same.body);

    // Rev orgs: the same, on `external_ref`; a deleted rev org frees its reference.
    let org = |name: &str, r: &str| json!({"account": a_id, "display_name": name, "external_ref": r});
    let first = http.post("/rev-orgs.create", org("one", "ext-1")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(http.post("/rev-orgs.create", org("two", "ext-1")).await.status, 409);
    let deleted = http.post("/rev-orgs.delete", json!({"id": first.body["rev_org"]["id"]})).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(http.post("/rev-orgs.create", org("two", "ext-1")).await.status, 201);
}

#[tokio::test]
async fn rev_orgs_show_their_accounts_current_name_and_follow_a_move() {
    let (_server, http) = server().await;
    let a = http.post("/accounts.create", json!({"display_name": "Old Name"})).await.body;
    let b = http.post("/accounts.create", json!({"display_name": "Elsewhere"})).await.body;
    let (a_id, b_id) = (id(&a["account"]), id(&b["account"]));
    let extra = http.post("/rev-orgs.create", json!({"account": a_id, "display_name": "Extra"})).await;
    assert_eq!(extra.status, 201, "{}", extra.body);
    let extra_id = id(&extra.body["rev_org"]);

    let renamed = http.post("/accounts.update", json!({"id": a_id, "display_name": "New Name"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let listed = http.post("/rev-orgs.list", json!({"account": [a["account"]["display_id"]]})).await;
    assert_eq!(ids(&listed, "rev_orgs"), [id(&a["default_rev_org"]), extra_id.clone()]);
    for org in listed.body["rev_orgs"].as_array().unwrap() {
        assert_eq!(org["account"]["display_name"], "New Name", "{org}");
    }

    // Moved to B: listed under B, no longer under A.
    let moved = http.post("/rev-orgs.update", json!({"id": extra_id, "account": b_id})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["rev_org"]["account"]["display_name"], "Elsewhere");
    let under_a = http.post("/rev-orgs.list", json!({"account": [a_id]})).await;
    assert_eq!(ids(&under_a, "rev_orgs"), [id(&a["default_rev_org"])]);
    let under_b = http.post("/rev-orgs.list", json!({"account": [b_id]})).await;
    assert_eq!(ids(&under_b, "rev_orgs"), [id(&b["default_rev_org"]), extra_id]);
}

#[tokio::test]
async fn filtered_lists_follow_every_create_update_and_delete() {
    let (_server, http) = server().await;
    let part = |name: &str| json!({"type": "product", "name": name, "owned_by": [ME]});
    let p1 = http.post("/parts.create", part("one")).await.body["part"].clone();
    let p2 = http.post("/parts.create", part("two")).await.body["part"].clone();
    let mut works = Vec::new();
    for (i, (ty, on)) in [("issue", &p1), ("ticket", &p1), ("issue", &p2), ("ticket", &p2)].into_iter().enumerate() {
        let body = json!({"type": ty, "title": format!("w{i}"), "applies_to_part": on["id"], "owned_by": [ME]});
        let created = http.post("/works.create", body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        works.push(id(&created.body["work"]));
    }
    let list = |filter: Value| {
        let http = &http;
        async move { ids(&http.post("/works.list", filter).await, "works") }
    };
    // By the part, in either ID form; by type; both.
    assert_eq!(list(json!({"applies_to_part": [p1["id"]]})).await, [works[0].clone(), works[1].clone()]);
    assert_eq!(list(json!({"applies_to_part": [p2["display_id"]]})).await, [works[2].clone(), works[3].clone()]);
    assert_eq!(list(json!({"type": ["ticket"]})).await, [works[1].clone(), works[3].clone()]);
    assert_eq!(list(json!({"type": ["ticket"], "applies_to_part": [p2["id"]]})).await, [works[3].clone()]);
    assert_eq!(list(json!({"owned_by": ["DEVU-1"], "type": ["issue"]})).await, [works[0].clone(), works[2].clone()]);

    // An update moves a work from one part's list to the other's.
    let moved = http.post("/works.update", json!({"id": works[0], "applies_to_part": p2["id"]})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(list(json!({"applies_to_part": [p1["id"]]})).await, [works[1].clone()]);
    assert_eq!(
        list(json!({"applies_to_part": [p2["id"]]})).await,
        [works[0].clone(), works[2].clone(), works[3].clone()]
    );
    // A delete leaves every list it was in.
    assert_eq!(http.post("/works.delete", json!({"id": works[3]})).await.status, 200);
    assert_eq!(list(json!({"type": ["ticket"]})).await, [works[1].clone()]);
    assert_eq!(list(json!({"applies_to_part": [p2["id"]]})).await, [works[0].clone(), works[2].clone()]);
    // A value nothing holds lists nothing; the export agrees with the list.
    assert!(list(json!({"type": ["task"]})).await.is_empty());
    let exported = http.post("/works.export", json!({"applies_to_part": [p2["id"]]})).await;
    assert_eq!(ids(&exported, "works"), [works[0].clone(), works[2].clone()]);
}
