//! State in the families the server answers from the spec: works, tags and
//! parts are created, read, listed page by page, updated and deleted; the
//! answers are deterministic for a seed.

mod common;

use common::Http;
use serde_json::{json, Value};

async fn server() -> (devrev_testkit::TestServer, Http) {
    let server = devrev_testkit::TestServer::start().await;
    let http = Http::new(&server);
    (server, http)
}

#[tokio::test]
async fn tags_create_get_update_delete() {
    let (_server, http) = server().await;
    let created = http.post("/tags.create", json!({"name": "vip", "description": "best customers"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let tag = &created.body["tag"];
    assert_eq!(tag["name"], "vip");
    let id = tag["id"].as_str().unwrap();
    assert!(id.starts_with("don:core:dvrv-us-1:devo/1:tag/"), "{id}");
    let display_id = tag["display_id"].as_str().unwrap();
    assert!(display_id.starts_with("TAG-"), "{display_id}");

    // By DON ID, by display ID, as a GET.
    assert_eq!(http.post("/tags.get", json!({"id": id})).await.body["tag"], *tag);
    assert_eq!(http.post("/tags.get", json!({"id": display_id})).await.body["tag"], *tag);
    let got = http.get(&format!("/tags.get?id={display_id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["tag"]["name"], "vip");

    let updated = http.post("/tags.update", json!({"id": id, "name": "vvip"})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["tag"]["name"], "vvip");
    assert_eq!(updated.body["tag"]["id"], id);
    // Fields not sent are kept.
    assert_eq!(updated.body["tag"]["description"], "best customers");
    assert_eq!(http.post("/tags.get", json!({"id": id})).await.body["tag"]["name"], "vvip");

    let deleted = http.post("/tags.delete", json!({"id": id})).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let gone = http.post("/tags.get", json!({"id": id})).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["type"], "not_found");
    assert_eq!(http.post("/tags.update", json!({"id": id, "name": "x"})).await.status, 404);
    assert_eq!(http.post("/tags.delete", json!({"id": id})).await.status, 404);
}

async fn create_part(http: &Http, name: &str) -> Value {
    let me = "don:identity:dvrv-us-1:devo/1:devu/1";
    let created = http.post("/parts.create", json!({"type": "product", "name": name, "owned_by": [me]})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["part"].clone()
}

#[tokio::test]
async fn parts_keep_the_variant_and_fields_sent() {
    let (_server, http) = server().await;
    let part = create_part(&http, "Billing").await;
    assert_eq!(part["type"], "product");
    assert_eq!(part["name"], "Billing");
    assert!(part["id"].as_str().unwrap().contains(":product/"), "{part}");
    assert!(part["display_id"].as_str().unwrap().starts_with("PROD-"));
    // The owner sent as an ID comes back as a user summary of that ID.
    assert_eq!(part["owned_by"][0]["id"], "don:identity:dvrv-us-1:devo/1:devu/1");

    let updated = http.post("/parts.update", json!({"id": part["id"], "type": "product", "name": "Billing v2"})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["part"]["name"], "Billing v2");
    assert_eq!(updated.body["part"]["type"], "product");
    let deleted = http.post("/parts.delete", json!({"id": part["display_id"]})).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(http.post("/parts.get", json!({"id": part["id"]})).await.status, 404);
}

#[tokio::test]
async fn works_list_pages_through_everything_created() {
    let (_server, http) = server().await;
    let part = create_part(&http, "Core").await;
    let me = "don:identity:dvrv-us-1:devo/1:devu/1";
    let mut ids = Vec::new();
    for i in 0..7 {
        let kind = if i % 2 == 0 { "issue" } else { "ticket" };
        let created = http
            .post(
                "/works.create",
                json!({"type": kind, "title": format!("work {i}"), "applies_to_part": part["id"], "owned_by": [me]}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let work = &created.body["work"];
        assert_eq!(work["type"], kind);
        assert_eq!(work["title"], format!("work {i}"));
        // The part sent by ID is that part's summary.
        assert_eq!(work["applies_to_part"]["id"], part["id"]);
        ids.push(work["id"].as_str().unwrap().to_owned());
    }
    assert!(ids[0].contains(":issue/") && ids[1].contains(":ticket/"), "{ids:?}");

    // Three pages of three, two as POST, one as GET.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let answer = match (&cursor, pages % 2) {
            (Some(c), 1) => http.get(&format!("/works.list?limit=3&cursor={c}")).await,
            (c, _) => http.post("/works.list", json!({"limit": 3, "cursor": c})).await,
        };
        assert_eq!(answer.status, 200, "{}", answer.body);
        pages += 1;
        let works = answer.body["works"].as_array().unwrap();
        assert!(works.len() <= 3);
        seen.extend(works.iter().map(|w| w["id"].as_str().unwrap().to_owned()));
        match answer.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "the listing does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);

    // A filter on a list field: only the tickets.
    let tickets = http.post("/works.list", json!({"type": ["ticket"]})).await;
    let tickets = tickets.body["works"].as_array().unwrap();
    assert_eq!(tickets.len(), 3);
    assert!(tickets.iter().all(|w| w["type"] == "ticket"));

    // A deleted work leaves the listing; update merges.
    assert_eq!(http.post("/works.delete", json!({"id": ids[0]})).await.status, 200);
    let updated = http.post("/works.update", json!({"id": ids[1], "type": "ticket", "title": "renamed"})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["work"]["title"], "renamed");
    assert_eq!(updated.body["work"]["applies_to_part"]["id"], part["id"]);
    let all = http.post("/works.list", json!({})).await;
    let all = all.body["works"].as_array().unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all[0]["title"], "renamed");

    let bad = http.post("/works.list", json!({"cursor": "not-a-cursor"})).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["type"], "bad_request");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_answers() {
    let mut answers = Vec::new();
    for seed in [7, 7, 8] {
        let server = devrev_testkit::TestServer::builder().seed(seed).start().await.unwrap();
        let http = Http::new(&server);
        let a = http.post("/tags.create", json!({"name": "a"})).await.body;
        let b = http.post("/dev-users.self", json!({})).await.body;
        answers.push((a, b));
    }
    assert_eq!(answers[0], answers[1]);
    assert_ne!(answers[0], answers[2]);
}

#[tokio::test]
async fn requests_are_checked_before_anything_else() {
    let (server, http) = server().await;
    let missing = http.post("/works.create", json!({"type": "issue", "owned_by": ["x"], "applies_to_part": "x"})).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["type"], "missing_required_field");
    assert_eq!(missing.body["field_name"], "title");
    let nested = http.post("/works.update", json!({"id": "x", "type": "issue", "stage": {"name": 5}})).await;
    assert_eq!(nested.body["type"], "unexpected_json_type", "{}", nested.body);
    assert_eq!(nested.body["field_name"], "stage.name");
    assert_eq!(nested.body["expected"], "string");
    assert_eq!(nested.body["actual"], "number");
    let not_json = http.post_raw("/tags.create", "{name").await;
    assert_eq!((not_json.status, not_json.body["type"].as_str()), (400, Some("parse_error")));
    let huge = http.post_raw("/tags.create", &format!("{{\"name\": \"{}\"}}", "x".repeat(9 * 1024 * 1024))).await;
    assert_eq!((huge.status, huge.body["type"].as_str()), (400, Some("bad_request")));
    let no_token = http.with_token(None).post("/tags.create", json!({"name": "a"})).await;
    assert_eq!(no_token.status, 401);
    let unknown = http.post("/no-such.thing", json!({})).await;
    assert_eq!((unknown.status, unknown.body.clone()), (404, json!({"message": "route not found"})));
    // A method the spec does not list for the path: what DevRev's gateway answers.
    let wrong = http.get("/tags.create").await;
    assert_eq!((wrong.status, wrong.body), (404, json!({"message": "route not found"})));
    assert!(server.request_count("/tags.create") >= 4);
}

#[tokio::test]
async fn faults_and_rate_limits_apply_to_generic_operations() {
    let server =
        devrev_testkit::TestServer::builder().rate_limit(2, std::time::Duration::from_secs(60)).start().await.unwrap();
    let http = Http::new(&server);
    server.inject("/works.list", devrev_testkit::Fault::json(503, json!({"type": "service_unavailable"})));
    assert_eq!(http.post("/works.list", json!({})).await.status, 503);
    let ok = http.post("/works.list", json!({})).await;
    assert_eq!(ok.status, 200);
    assert!(ok.header("x-ratelimit-remaining").is_some());
    let limited = http.post("/tags.list", json!({})).await;
    let limited = if limited.status == 429 { limited } else { http.post("/tags.list", json!({})).await };
    assert_eq!(limited.status, 429);
    assert_eq!(limited.body["type"], "too_many_requests");
}
