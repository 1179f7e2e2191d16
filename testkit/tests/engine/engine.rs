//! The engine tells the truth: listings end, answers are about the object
//! asked for, exports and counts agree with lists, references and filters
//! are checked, updates keep the variant, and one clock dates everything.
//! Over raw HTTP, so the client's reading of the spec plays no part.

use crate::common;

use chrono::{DateTime, TimeDelta, Utc};
use common::Http;
use serde_json::{json, Value};

const ME: &str = "don:identity:dvrv-us-1:devo/1:devu/1";

async fn server() -> (devrev_testkit::TestServer, Http) {
    let server = devrev_testkit::TestServer::start().await;
    let http = Http::new(&server);
    (server, http)
}

async fn part(http: &Http, name: &str) -> Value {
    let created = http.post("/parts.create", json!({"type": "product", "name": name, "owned_by": [ME]})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["part"].clone()
}

async fn work(http: &Http, body: Value) -> Value {
    let created = http.post("/works.create", body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["work"].clone()
}

fn ids(answer: &common::Answer, key: &str) -> Vec<String> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body[key].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
}

/// Every list operation of the spec, from the tables the server serves.
fn list_paths() -> Vec<String> {
    let tables: Value = serde_json::from_str(include_str!("../../src/spec/devrev-api.json")).unwrap();
    let mut paths: Vec<String> = tables["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["method"] == "POST" && op["path"].as_str().unwrap().ends_with(".list"))
        .map(|op| op["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    paths
}

#[tokio::test]
async fn no_listing_of_an_empty_server_has_a_next_page() {
    let (_server, http) = server().await;
    let paths = list_paths();
    assert!(paths.len() > 40, "{}", paths.len());
    let mut answered = 0;
    for path in &paths {
        for answer in [http.post(path, json!({})).await, http.get(path).await] {
            if answer.status == 404 && answer.body.get("type").is_none() {
                continue; // a list DevRev serves by POST only
            }
            if answer.status != 200 {
                // A list that requires a filter: refused with a typed error, not a made-up page.
                assert!(answer.status == 400 && answer.body["type"].is_string(), "{path}: {}", answer.body);
                continue;
            }
            answered += 1;
            assert!(answer.body.get("next_cursor").is_none(), "{path}: {}", answer.body);
            // Nothing was created: nothing is listed (but the token's own dev user).
            for (key, value) in answer.body.as_object().unwrap().iter().filter(|_| path != "/dev-users.list") {
                if let Value::Array(items) = value {
                    assert!(items.is_empty(), "{path}: {key} lists {items:?} on an empty server");
                }
            }
        }
    }
    assert!(answered > 40, "{answered}");
}

#[tokio::test]
async fn a_listing_with_objects_ends_within_its_pages() {
    let (_server, http) = server().await;
    let product = part(&http, "Core").await;
    for i in 0..7 {
        work(
            &http,
            json!({"type": "issue", "title": format!("w{i}"), "applies_to_part": product["id"], "owned_by": [ME]}),
        )
        .await;
    }
    for mode in ["after", "before"] {
        let mut cursor: Option<String> = None;
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let mut body = json!({"limit": 3, "mode": mode});
            if let Some(c) = &cursor {
                body["cursor"] = json!(c);
            }
            let page = http.post("/works.list", body).await;
            pages += 1;
            assert!(pages <= 7usize.div_ceil(3) + 1, "{mode}: more pages than objects");
            seen.extend(ids(&page, "works"));
            let next = if mode == "after" { "next_cursor" } else { "prev_cursor" };
            match page.body[next].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 7, "{mode}");
    }
}

#[tokio::test]
async fn a_cursor_pages_only_the_list_it_came_from() {
    let (_server, http) = server().await;
    let product = part(&http, "P").await;
    part(&http, "Q").await;
    for i in 0..3 {
        work(
            &http,
            json!({"type": "issue", "title": format!("w{i}"), "applies_to_part": product["id"], "owned_by": [ME]}),
        )
        .await;
    }
    let first = http.post("/works.list", json!({"limit": 1})).await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page").to_owned();
    // Another family's list, the engine's and a hook's, refuses it.
    for path in ["/parts.list", "/rev-orgs.list", "/accounts.list"] {
        let answer = http.post(path, json!({"limit": 1, "cursor": cursor})).await;
        assert_eq!(answer.status, 400, "{path}: {}", answer.body);
        assert_eq!(answer.body["type"], "bad_request", "{path}");
        assert_eq!(answer.body["message"], "the cursor belongs to another listing", "{path}");
    }
    // The same list pages on with it, in either form.
    let second = http.post("/works.list", json!({"limit": 1, "cursor": cursor})).await;
    let by_get = http.get(&format!("/works.list?limit=1&cursor={cursor}")).await;
    assert_eq!(ids(&second, "works"), ids(&by_get, "works"));
    assert_ne!(ids(&second, "works"), ids(&first, "works"));
}

#[tokio::test]
async fn an_id_never_issued_is_404_in_every_family() {
    let (_server, http) = server().await;
    for (path, id) in [
        ("/artifacts.get", "don:core:dvrv-us-1:devo/1:artifact/4433"),
        ("/states.custom.get", "don:core:dvrv-us-1:devo/1:custom_state/9"),
        ("/stages.custom.get", "don:core:dvrv-us-1:devo/1:custom_stage/9"),
        ("/link-types.custom.get", "don:core:dvrv-us-1:devo/1:link_type/9"),
        ("/service-accounts.get", "don:identity:dvrv-us-1:devo/1:svcacc/9"),
        ("/vistas.groups.get", "don:core:dvrv-us-1:devo/1:vista_group/9"),
        ("/works.get", "ISS-999"),
    ] {
        let answer = http.post(path, json!({"id": id})).await;
        assert_eq!((answer.status, answer.body["type"].as_str()), (404, Some("not_found")), "{path}: {}", answer.body);
    }
}

#[tokio::test]
async fn nested_families_keep_what_was_created() {
    let (_server, http) = server().await;
    let created = http.post("/states.custom.create", json!({"name": "Waiting", "ordinal": 1})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let key = created.body.as_object().unwrap().keys().next().unwrap().clone();
    let state = created.body[&key].clone();
    assert_eq!(state["name"], "Waiting");
    let got = http.post("/states.custom.get", json!({"id": state["id"]})).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body[&key]["id"], state["id"]);
    assert_eq!(got.body[&key]["name"], "Waiting");
    let listed = http.post("/states.custom.list", json!({})).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let items: Vec<&Value> = listed.body.as_object().unwrap().values().filter_map(Value::as_array).flatten().collect();
    assert_eq!(items.len(), 1, "{}", listed.body);
    assert_eq!(items[0]["id"], state["id"]);
}

#[tokio::test]
async fn exports_and_counts_are_the_list_under_the_same_filters() {
    let (_server, http) = server().await;
    let product = part(&http, "Support").await;
    let ticket =
        work(&http, json!({"type": "ticket", "title": "broken", "applies_to_part": product["id"], "owned_by": [ME]}))
            .await;
    work(&http, json!({"type": "issue", "title": "bug", "applies_to_part": product["id"], "owned_by": [ME]})).await;
    let export = http.post("/works.export", json!({"type": ["ticket"]})).await;
    assert_eq!(ids(&export, "works"), [ticket["id"].as_str().unwrap()]);
    assert_eq!(export.body["works"][0]["title"], "broken");
    let list = http.post("/works.list", json!({"type": ["ticket"]})).await;
    assert_eq!(ids(&export, "works"), ids(&list, "works"));
    assert_eq!(ids(&http.post("/works.export", json!({})).await, "works").len(), 2);

    for title in ["a", "b"] {
        let made = http
            .post(
                "/articles.create",
                json!({"title": title, "applies_to_parts": [product["id"]], "owned_by": [ME], "resource": {}}),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let count = http.post("/articles.count", json!({})).await;
    assert_eq!((count.status, count.body["count"].as_u64()), (200, Some(2)), "{}", count.body);
}

#[tokio::test]
async fn references_to_nothing_are_refused() {
    let (_server, http) = server().await;
    let product = part(&http, "Billing").await;
    let base = json!({"type": "issue", "title": "t", "applies_to_part": product["id"], "owned_by": [ME]});
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("applies_to_part", json!("PROD-999")), 404, "not_found"),
        (with("applies_to_part", json!("not-a-don")), 400, "invalid_id"),
        (with("applies_to_part", json!(ME)), 400, "unexpected_id_type"),
        (with("owned_by", json!(["nobody"])), 400, "invalid_id"),
        (with("owned_by", json!(["DEVU-77"])), 404, "not_found"),
        (with("owned_by", json!([])), 400, "value_not_permitted"),
        // The spec gives `title` a minLength: the schema check answers first.
        (with("title", json!("")), 400, "invalid_field"),
        (with("stage", json!({"name": "no_such_stage"})), 400, "invalid_field"),
        (with("tags", json!([{"id": "bug"}])), 400, "invalid_id"),
    ];
    for (body, status, ty) in cases {
        let answer = http.post("/works.create", body.clone()).await;
        assert_eq!((answer.status, answer.body["type"].as_str()), (status, Some(ty)), "{body}: {}", answer.body);
    }
    // A deleted part is gone as a reference too.
    let old = part(&http, "Old").await;
    assert_eq!(http.post("/parts.delete", json!({"id": old["id"]})).await.status, 200);
    let answer = http.post("/works.create", with("applies_to_part", old["id"].clone())).await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    // A link to an issue that does not exist.
    let issue = work(&http, base.clone()).await;
    let link = http
        .post("/links.create", json!({"link_type": "is_dependent_on", "source": issue["id"], "target": "ISS-9999"}))
        .await;
    assert_eq!((link.status, link.body["type"].as_str()), (404, Some("not_found")), "{}", link.body);

    // Tags: a name in use, an empty name.
    assert_eq!(http.post("/tags.create", json!({"name": "bug"})).await.status, 201);
    let twice = http.post("/tags.create", json!({"name": "bug"})).await;
    assert_eq!((twice.status, twice.body["type"].as_str()), (400, Some("bad_request")), "{}", twice.body);
    let empty = http.post("/tags.create", json!({"name": ""})).await;
    assert_eq!(empty.status, 400, "{}", empty.body);

    // A ticket without a stage starts in its type's start stage.
    let ticket =
        work(&http, json!({"type": "ticket", "title": "t", "applies_to_part": product["id"], "owned_by": [ME]})).await;
    assert_eq!(ticket["stage"]["name"], "queued", "{ticket}");
}

#[tokio::test]
async fn filters_work_on_what_is_stored_or_are_refused() {
    let (_server, http) = server().await;
    let product = part(&http, "Core").await;
    let tag = http.post("/tags.create", json!({"name": "urgent"})).await.body["tag"].clone();
    let tagged = work(
        &http,
        json!({"type": "ticket", "title": "t1", "applies_to_part": product["id"], "owned_by": [ME],
               "severity": "high", "tags": [{"id": tag["id"]}]}),
    )
    .await;
    let low = work(
        &http,
        json!({"type": "ticket", "title": "t2", "applies_to_part": product["id"], "owned_by": [ME], "severity": "low"}),
    )
    .await;
    let issue = work(
        &http,
        json!({"type": "issue", "title": "i1", "applies_to_part": product["id"], "owned_by": [ME], "priority": "p1"}),
    )
    .await;
    let list = |body: Value| {
        let http = &http;
        async move { ids(&http.post("/works.list", body).await, "works") }
    };
    assert_eq!(list(json!({"tags": [tag["id"]]})).await, [tagged["id"].as_str().unwrap()]);
    assert_eq!(list(json!({"ticket": {"severity": ["high"]}})).await, [tagged["id"].as_str().unwrap()]);
    assert_eq!(list(json!({"issue": {"priority": ["p1"]}})).await, [issue["id"].as_str().unwrap()]);
    let by_get = http.get("/works.list?ticket.severity=low").await;
    assert_eq!(ids(&by_get, "works"), [low["id"].as_str().unwrap()]);
    assert_eq!(list(json!({"state": ["open"]})).await.len(), 3);
    assert!(list(json!({"state": ["closed"]})).await.is_empty());
    assert_eq!(list(json!({"applies_to_part": [product["display_id"]]})).await.len(), 3);

    // A filter value that is not an ID, quoted from a shell: refused, not matching nothing.
    let quoted = http.get("/works.list?applies_to_part=%22PROD-1%22").await;
    assert_eq!((quoted.status, quoted.body["type"].as_str()), (400, Some("invalid_id")), "{}", quoted.body);

    // Parts under a product.
    let capability = http
        .post(
            "/parts.create",
            json!({"type": "capability", "name": "Cap", "owned_by": [ME], "parent_part": [product["id"]]}),
        )
        .await;
    assert_eq!(capability.status, 201, "{}", capability.body);
    let under = http.post("/parts.list", json!({"parent_part": {"parts": [product["id"]]}})).await;
    assert_eq!(ids(&under, "parts"), [capability.body["part"]["id"].as_str().unwrap()]);

    // Comments by the object they are on.
    let comment = http
        .post("/timeline-entries.create", json!({"type": "timeline_comment", "object": tagged["id"], "body": "hi"}))
        .await;
    assert_eq!(comment.status, 201, "{}", comment.body);
    let on_low = http.post("/timeline-entries.list", json!({"object": low["id"]})).await;
    assert!(ids(&on_low, "timeline_entries").is_empty(), "{}", on_low.body);
    let on_tagged = http.post("/timeline-entries.list", json!({"object": tagged["display_id"]})).await;
    assert_eq!(ids(&on_tagged, "timeline_entries").len(), 1);

    // Links by the object at either end.
    let link = http
        .post("/links.create", json!({"link_type": "is_dependent_on", "source": issue["id"], "target": low["id"]}))
        .await;
    assert_eq!(link.status, 201, "{}", link.body);
    assert_eq!(ids(&http.post("/links.list", json!({"object": low["id"]})).await, "links").len(), 1);
    assert!(ids(&http.post("/links.list", json!({"object": tagged["id"]})).await, "links").is_empty());
    let as_source = http.post("/links.list", json!({"object": low["id"], "direction": "is_source"})).await;
    assert!(ids(&as_source, "links").is_empty());
}

#[tokio::test]
async fn update_without_type_keeps_the_variant() {
    let (_server, http) = server().await;
    let product = part(&http, "Core").await;
    let ticket =
        work(&http, json!({"type": "ticket", "title": "old", "applies_to_part": product["id"], "owned_by": [ME]}))
            .await;
    let updated = http.post("/works.update", json!({"id": ticket["id"], "title": "new"})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["work"]["type"], "ticket");
    let got = http.post("/works.get", json!({"id": ticket["display_id"]})).await;
    assert_eq!(got.body["work"]["title"], "new");
    let renamed = http.post("/parts.update", json!({"id": product["id"], "name": "Core 2"})).await;
    assert_eq!((renamed.status, &renamed.body["part"]["type"]), (200, &json!("product")), "{}", renamed.body);
}

#[tokio::test]
async fn dev_users_are_stored_and_changed() {
    let (_server, http) = server().await;
    let listed = http.post("/dev-users.list", json!({})).await;
    assert_eq!(ids(&listed, "dev_users"), [ME]);
    let updated = http.post("/dev-users.update", json!({"id": ME, "display_name": "renamed"})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(http.post("/dev-users.self", json!({})).await.body["dev_user"]["display_name"], "renamed");
    let self_update = http.post("/dev-users.self.update", json!({"display_name": "again"})).await;
    assert_eq!(self_update.status, 200, "{}", self_update.body);
    assert_eq!(self_update.body["dev_user"]["id"], ME);
    assert_eq!(http.post("/dev-users.get", json!({"id": "DEVU-1"})).await.body["dev_user"]["display_name"], "again");
}

#[tokio::test]
async fn transitions_change_the_stored_object() {
    let (_server, http) = server().await;
    let sla = http.post("/slas.create", json!({"name": "Gold"})).await;
    assert_eq!(sla.status, 201, "{}", sla.body);
    let id = sla.body["sla"]["id"].clone();
    let moved = http.post("/slas.transition", json!({"id": id, "status": "archived"})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!((moved.body["sla"]["id"].clone(), moved.body["sla"]["status"].clone()), (id.clone(), json!("archived")));
    assert_eq!(http.post("/slas.get", json!({"id": id})).await.body["sla"]["status"], "archived");
}

#[tokio::test]
async fn group_members_are_the_ones_added() {
    let (_server, http) = server().await;
    let group = http.post("/groups.create", json!({"name": "Ops", "description": "on call"})).await;
    assert_eq!(group.status, 201, "{}", group.body);
    let group_id = group.body["group"]["id"].clone();
    let added = http.post("/groups.members.add", json!({"group": group_id, "member": ME})).await;
    assert!(added.status < 300, "{}", added.body);
    let members = http.post("/groups.members.list", json!({"group": group_id})).await;
    assert_eq!(members.status, 200, "{}", members.body);
    assert_eq!(members.body["members"].as_array().unwrap().len(), 1, "{}", members.body);
    assert_eq!(members.body["members"][0]["member"]["id"], ME);
    assert!(members.body.get("next_cursor").is_none());
    let removed = http.post("/groups.members.remove", json!({"group": group_id, "member": ME})).await;
    assert!(removed.status < 300, "{}", removed.body);
    let members = http.post("/groups.members.list", json!({"group": group_id})).await;
    assert!(members.body["members"].as_array().unwrap().is_empty(), "{}", members.body);
}

#[tokio::test]
async fn search_finds_what_was_created() {
    let (_server, http) = server().await;
    let product = part(&http, "Search").await;
    let made = work(
        &http,
        json!({"type": "issue", "title": "flux capacitor", "applies_to_part": product["id"], "owned_by": [ME]}),
    )
    .await;
    let found = http.post("/search.core", json!({"query": "capacitor", "namespaces": ["issue"]})).await;
    assert_eq!(found.status, 200, "{}", found.body);
    let results = found.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{}", found.body);
    assert_eq!(results[0]["work"]["id"], made["id"]);
    let none = http.post("/search.core", json!({"query": "capacitor", "namespaces": ["account"]})).await;
    assert!(none.body["results"].as_array().unwrap().is_empty(), "{}", none.body);
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn one_clock_dates_every_family() {
    let start = at("2025-06-01T12:00:00Z");
    let server =
        devrev_testkit::TestServer::builder().clock(devrev_testkit::Clock::fixed(start)).start().await.unwrap();
    let http = Http::new(&server);
    assert_eq!(server.now(), start);
    let product = part(&http, "Clock").await;
    assert_eq!(product["created_date"], "2025-06-01T12:00:00.000Z");
    let account = http.post("/accounts.create", json!({"display_name": "Acme"})).await.body;
    assert!(account["account"]["created_date"].as_str().unwrap().starts_with("2025-06-01T12:00:00"), "{account}");

    // "Modified since the last sync": only what changed after the clock moved.
    let mut made = Vec::new();
    for i in 0..6 {
        made.push(
            work(
                &http,
                json!({"type": "issue", "title": format!("w{i}"), "applies_to_part": product["id"], "owned_by": [ME]}),
            )
            .await,
        );
    }
    let recent = http
        .post("/works.list", json!({"modified_date": {"type": "preset", "preset_type": "last_n_days", "days": 1}}))
        .await;
    assert_eq!(ids(&recent, "works").len(), 6);
    let last_sync = server.now();
    server.advance(TimeDelta::hours(2));
    let changed = http.post("/works.update", json!({"id": made[2]["id"], "title": "moved"})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let since = last_sync + TimeDelta::hours(1);
    let body = json!({"modified_date": {"type": "range", "after": since.to_rfc3339()}});
    assert_eq!(ids(&http.post("/works.list", body).await, "works"), [made[2]["id"].as_str().unwrap()]);
    server.set_time(at("2030-01-01T00:00:00Z"));
    assert_eq!(
        http.post("/tags.create", json!({"name": "later"})).await.body["tag"]["created_date"],
        "2030-01-01T00:00:00.000Z"
    );
}

#[tokio::test]
async fn insert_stores_as_a_create_would_without_http() {
    let (server, http) = server().await;
    let tag = server.insert("/tags.create", json!({"name": "fixture"})).unwrap();
    let id = tag["tag"]["id"].as_str().unwrap();
    assert_eq!(http.post("/tags.get", json!({"id": id})).await.body["tag"]["name"], "fixture");
    assert_eq!(server.request_count("/tags.create"), 0);
    // The same checks as a request: a name in use, a reference to nothing.
    let twice = server.insert("/tags.create", json!({"name": "fixture"})).unwrap_err();
    assert_eq!((twice.status, twice.body["type"].as_str()), (400, Some("bad_request")));
    let body = json!({"type": "issue", "title": "t", "applies_to_part": "PROD-404", "owned_by": [ME]});
    assert_eq!(server.insert("/works.create", body).unwrap_err().status, 404);
    assert_eq!(server.insert("/no-such.op", json!({})).unwrap_err().status, 404);
}

#[tokio::test]
async fn artifacts_prepared_are_kept() {
    let (_server, http) = server().await;
    let prepared = http.post("/artifacts.prepare", json!({"file_name": "notes.txt", "file_type": "text/plain"})).await;
    assert_eq!(prepared.status, 200, "{}", prepared.body);
    let id = prepared.body["id"].as_str().unwrap().to_owned();
    // Located right after prepare; the URL answers the bytes once uploaded.
    let located = http.post("/artifacts.locate", json!({"id": id})).await;
    assert_eq!(located.status, 200, "{}", located.body);
    let got = http.post("/artifacts.get", json!({"id": id})).await;
    assert_eq!((got.status, got.body["artifact"]["id"].as_str()), (200, Some(id.as_str())), "{}", got.body);
    assert_eq!(got.body["artifact"]["file"]["name"], "notes.txt");
    // Listed by the object that holds it, and only by that one.
    let product = part(&http, "Files").await;
    let holder = work(
        &http,
        json!({"type": "issue", "title": "t", "applies_to_part": product["id"], "owned_by": [ME], "artifacts": [id]}),
    )
    .await;
    let other =
        work(&http, json!({"type": "issue", "title": "u", "applies_to_part": product["id"], "owned_by": [ME]})).await;
    assert_eq!(
        ids(&http.post("/artifacts.list", json!({"parent_id": holder["id"]})).await, "artifacts"),
        [id.as_str()]
    );
    assert!(ids(&http.post("/artifacts.list", json!({"parent_id": other["id"]})).await, "artifacts").is_empty());
    // An artifact never prepared is a reference to nothing.
    let body = json!({"type": "issue", "title": "v", "applies_to_part": product["id"], "owned_by": [ME],
                      "artifacts": ["don:core:dvrv-us-1:devo/1:artifact/never"]});
    assert_eq!(http.post("/works.create", body).await.status, 404);
}

#[tokio::test]
async fn linking_an_identity_changes_the_stored_dev_user() {
    let (_server, http) = server().await;
    let linked = http
        .post(
            "/dev-users.identities.link",
            json!({"dev_user": ME, "id": "ext-1", "issuer": "okta", "display_name": "Linked Name"}),
        )
        .await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert_eq!(linked.body["dev_user"]["id"], ME, "{}", linked.body);
    let nobody =
        http.post("/dev-users.identities.link", json!({"dev_user": "DEVU-404", "id": "e", "issuer": "okta"})).await;
    assert_eq!(nobody.status, 404, "{}", nobody.body);
}

#[tokio::test]
async fn accounts_export_is_the_accounts_list() {
    let (_server, http) = server().await;
    for name in ["Acme", "Globex", "Initech"] {
        assert_eq!(http.post("/accounts.create", json!({"display_name": name})).await.status, 201);
    }
    let export = http.post("/accounts.export", json!({"display_name": ["Globex", "Initech"]})).await;
    let list = http.post("/accounts.list", json!({"display_name": ["Globex", "Initech"]})).await;
    assert_eq!(ids(&export, "accounts").len(), 2, "{}", export.body);
    assert_eq!(ids(&export, "accounts"), ids(&list, "accounts"));
    assert_eq!(ids(&http.post("/accounts.export", json!({"first": 1})).await, "accounts").len(), 1);
}
