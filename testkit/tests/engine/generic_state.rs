//! State in the families the server answers from the spec: works, tags and
//! parts are created, read, listed page by page, updated and deleted; the
//! answers are deterministic for a seed.

use crate::common;

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
    // With a fixed clock: the default is the wall clock, which dates answers differently each run.
    let start = chrono::DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    for seed in [7, 7, 8] {
        let clock = devrev_testkit::Clock::fixed(start);
        let server = devrev_testkit::TestServer::builder().seed(seed).clock(clock).start().await.unwrap();
        let http = Http::new(&server);
        let a = http.post("/tags.create", json!({"name": "a"})).await.body;
        // Made up from the schema: the seed shows (dev-users.self is the token's user, whatever the seed).
        let b = http.post("/dev-orgs.get", json!({})).await.body;
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
    assert_eq!(
        (unknown.status, &unknown.body["type"], &unknown.body["message"]),
        (404, &json!("not_found"), &json!("route not found"))
    );
    // A method the spec does not list for the path: the same typed 404.
    let wrong = http.get("/tags.create").await;
    assert_eq!(
        (wrong.status, &wrong.body["type"], &wrong.body["message"]),
        (404, &json!("not_found"), &json!("route not found"))
    );
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

/// Creates works titled `titles` in one part, in order; their answers.
async fn create_works(http: &Http, titles: &[&str]) -> Vec<Value> {
    let part = create_part(http, "Sorting").await;
    let me = "don:identity:dvrv-us-1:devo/1:devu/1";
    let mut works = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        let kind = if i % 2 == 0 { "issue" } else { "ticket" };
        let body = json!({"type": kind, "title": title, "applies_to_part": part["id"], "owned_by": [me]});
        let created = http.post("/works.create", body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        works.push(created.body["work"].clone());
    }
    works
}

/// Every page of `/works.list` with `query` (a GET query string, without
/// `cursor`), alternating POST (`body`) and GET; the titles in order and the page count.
async fn all_pages(http: &Http, body: Value, query: &str) -> (Vec<String>, usize) {
    let mut titles = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let answer = match &cursor {
            Some(c) if pages % 2 == 1 => http.get(&format!("/works.list?{query}&cursor={c}")).await,
            c => {
                let mut body = body.clone();
                if let Some(c) = c {
                    body["cursor"] = json!(c);
                }
                http.post("/works.list", body).await
            }
        };
        assert_eq!(answer.status, 200, "{}", answer.body);
        pages += 1;
        titles.extend(answer.body["works"].as_array().unwrap().iter().map(|w| w["title"].as_str().unwrap().to_owned()));
        match answer.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "the listing does not end");
    }
    (titles, pages)
}

#[tokio::test]
async fn works_list_pages_through_in_sort_order() {
    let (_server, http) = server().await;
    create_works(&http, &["delta", "alpha", "echo", "charlie", "bravo", "foxtrot", "golf"]).await;

    // One field, descending, across three pages (POST and GET alternating).
    let (titles, pages) =
        all_pages(&http, json!({"limit": 3, "sort_by": ["title:desc"]}), "limit=3&sort_by=title:desc").await;
    assert_eq!(titles, ["golf", "foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]);
    assert_eq!(pages, 3);

    // Newest first: the reverse of creation order.
    let (titles, _) =
        all_pages(&http, json!({"limit": 2, "sort_by": ["created_date:desc"]}), "limit=2&sort_by=created_date:desc")
            .await;
    assert_eq!(titles, ["golf", "foxtrot", "bravo", "charlie", "echo", "alpha", "delta"]);

    // Several fields: type first (issues, then tickets), then title; `asc` is the default direction.
    let body = json!({"limit": 3, "sort_by": ["type:asc", "title"]});
    let (titles, pages) = all_pages(&http, body, "limit=3&sort_by=type:asc,title").await;
    assert_eq!(titles, ["bravo", "delta", "echo", "golf", "alpha", "charlie", "foxtrot"]);
    assert_eq!(pages, 3);

    // Backwards from a cursor in the same order.
    let first = http.post("/works.list", json!({"limit": 3, "sort_by": ["title:asc"]})).await;
    let next = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = http.post("/works.list", json!({"limit": 3, "sort_by": ["title:asc"], "cursor": next})).await;
    assert_eq!(second.body["works"][0]["title"], "delta");
    let prev = second.body["prev_cursor"].as_str().unwrap().to_owned();
    let back =
        http.post("/works.list", json!({"limit": 3, "sort_by": ["title:asc"], "cursor": prev, "mode": "before"})).await;
    let back: Vec<&str> = back.body["works"].as_array().unwrap().iter().map(|w| w["title"].as_str().unwrap()).collect();
    assert_eq!(back, ["alpha", "bravo", "charlie"]);

    // A cursor belongs to its sort order; a direction that is not one is refused.
    let mixed = http.post("/works.list", json!({"sort_by": ["title:desc"], "cursor": next})).await;
    assert_eq!((mixed.status, mixed.body["type"].as_str()), (400, Some("bad_request")));
    let bad = http.post("/works.list", json!({"sort_by": ["title:sideways"]})).await;
    assert_eq!((bad.status, bad.body["field_name"].as_str()), (400, Some("sort_by")));
}

#[tokio::test]
async fn works_list_keeps_the_dates_in_range() {
    let (_server, http) = server().await;
    let works = create_works(&http, &["w1", "w2", "w3", "w4", "w5"]).await;
    let created: Vec<&str> = works.iter().map(|w| w["created_date"].as_str().unwrap()).collect();
    assert!(created.windows(2).all(|d| d[0] < d[1]), "{created:?}");
    let titles = |answer: &common::Answer| -> Vec<String> {
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["works"].as_array().unwrap().iter().map(|w| w["title"].as_str().unwrap().to_owned()).collect()
    };

    // Both bounds inclusive, in the body (DevRev's `date-filter`, `"type": "range"`).
    let range = json!({"created_date": {"type": "range", "after": created[1], "before": created[3]}});
    assert_eq!(titles(&http.post("/works.list", range).await), ["w2", "w3", "w4"]);
    // The query string's dotted form.
    let after = http.get(&format!("/works.list?created_date.after={}", created[3])).await;
    assert_eq!(titles(&after), ["w4", "w5"]);
    let before = http.get(&format!("/works.list?created_date.before={}&limit=1", created[3])).await;
    assert_eq!(titles(&before), ["w1"]);
    assert!(before.body["next_cursor"].is_string());

    // modified_date moves with an update; created_date does not.
    let updated = http.post("/works.update", json!({"id": works[0]["id"], "type": "issue", "title": "w1 again"})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let modified = updated.body["work"]["modified_date"].as_str().unwrap();
    assert!(modified > created[4], "{modified}");
    assert_eq!(updated.body["work"]["created_date"], created[0]);
    let recent = http.post("/works.list", json!({"modified_date": {"type": "range", "after": created[4]}})).await;
    assert_eq!(titles(&recent), ["w1 again", "w5"]);
    // With a sort and a filter together.
    let body = json!({"modified_date": {"type": "range", "after": created[4]}, "sort_by": ["modified_date:desc"]});
    assert_eq!(titles(&http.post("/works.list", body).await), ["w1 again", "w5"]);

    // A date that is not one names its field.
    let bad = http.get("/works.list?created_date.after=yesterday").await;
    assert_eq!((bad.status, bad.body["type"].as_str()), (400, Some("invalid_field")), "{}", bad.body);
    assert_eq!(bad.body["field_name"], "created_date.after");
}

#[tokio::test]
async fn dev_users_self_is_the_tokens_own_user() {
    let server = devrev_testkit::TestServer::builder().user("second-token", "second").start().await.unwrap();
    let http = Http::new(&server);
    let me = http.post("/dev-users.self", json!({})).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let me = &me.body["dev_user"];
    assert_eq!(me["id"], "don:identity:dvrv-us-1:devo/1:devu/1");
    assert_eq!(me["display_id"], "DEVU-1");
    assert_eq!(me["display_name"], devrev_testkit::DEFAULT_USER);
    assert_eq!(me["state"], "active");
    // As a GET, and by its ID.
    assert_eq!(http.get("/dev-users.self").await.body["dev_user"], *me);
    assert_eq!(http.post("/dev-users.get", json!({"id": "DEVU-1"})).await.body["dev_user"], *me);

    // The user `created_by` and `modified_by` name, on generic objects and on accounts.
    let tag = http.post("/tags.create", json!({"name": "mine"})).await.body;
    assert_eq!(tag["tag"]["created_by"]["id"], me["id"]);
    assert_eq!(tag["tag"]["created_by"]["display_name"], me["display_name"]);
    assert_eq!(tag["tag"]["modified_by"]["id"], me["id"]);
    let account = http.post("/accounts.create", json!({"display_name": "Mine"})).await;
    assert_eq!(account.body["account"]["created_by"]["id"], me["id"], "{}", account.body);

    // Another token is another user; what it updates names it.
    let other = http.with_token(Some("second-token"));
    let second = other.post("/dev-users.self", json!({})).await.body["dev_user"].clone();
    assert_eq!(second["id"], "don:identity:dvrv-us-1:devo/1:devu/2");
    assert_eq!(second["display_name"], "second");
    let renamed = other.post("/tags.update", json!({"id": tag["tag"]["id"], "name": "ours"})).await.body;
    assert_eq!(renamed["tag"]["modified_by"]["id"], second["id"]);
    assert_eq!(renamed["tag"]["created_by"]["id"], me["id"]);
    // An owner sent as the user's ID is that dev user.
    let part = create_part(&http, "Owned").await;
    assert_eq!(part["owned_by"][0]["type"], "dev_user");
}
