//! What a test reads and controls on the server: the request log (bodies,
//! headers with the token redacted, operation, status, time, taking),
//! faults that match by operation, nth call or body, behind the token
//! unless asked otherwise, and custom routes for any path.

use crate::common;

use std::time::Duration;

use common::Http;
use devrev_testkit::{Clock, Fault, Reply, TestServer, DEFAULT_USER, REDACTED};
use serde_json::json;

#[tokio::test]
async fn the_log_records_body_headers_operation_status_and_time() {
    let server = TestServer::builder().token("s3cr3t-token").start().await.unwrap();
    let http = Http::new(&server);
    let before = chrono::Utc::now();
    assert_eq!(http.post("/tags.create", json!({"name": "vip", "description": "best"})).await.status, 201);
    assert_eq!(http.get("/tags.list?limit=1&name=vip").await.status, 200);
    assert_eq!(http.with_token(None).post("/tags.create", json!({"name": "x"})).await.status, 401);
    assert_eq!(http.post("/nowhere.list", json!({})).await.status, 404);
    let after = chrono::Utc::now();

    let log = server.requests();
    assert_eq!(log.len(), 4);
    let create = &log[0];
    assert_eq!((create.method.as_str(), create.path.as_str()), ("POST", "/tags.create"));
    assert_eq!(create.operation.as_deref(), Some("tags.create"));
    assert_eq!(create.body, Some(json!({"name": "vip", "description": "best"})));
    assert_eq!(create.status, Some(201));
    assert_eq!(create.user.as_deref(), Some(DEFAULT_USER));
    assert_eq!(create.header("authorization"), Some(REDACTED));
    assert_eq!(create.header("Content-Type"), Some("application/json"));
    // The server's clock counts milliseconds and keeps changes strictly ordered: a little slack.
    let slack = chrono::TimeDelta::seconds(1);
    assert!(before - slack <= create.time && create.time <= after + slack, "{before} {} {after}", create.time);
    assert!(!format!("{log:?}").contains("s3cr3t-token"), "the token never reaches the log");

    let list = &log[1];
    assert_eq!((list.operation.as_deref(), list.body.as_ref(), list.status), (Some("tags.list"), None, Some(200)));
    assert_eq!(list.query_param("name").as_deref(), Some("vip"));
    assert_eq!((log[2].user.as_deref(), log[2].status), (None, Some(401)));
    assert_eq!((log[3].operation.as_deref(), log[3].status), (None, Some(404)));
    // Numbers count from 1 and never shift.
    assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);

    // Filter by operation (a leading slash is fine), take, and read after a mark.
    assert_eq!(server.requests_for("tags.create").len(), 2);
    assert_eq!(server.requests_for("/tags.list")[0].seq, 2);
    let mark = server.last_seq();
    let taken = server.take_requests();
    assert_eq!(taken, log);
    assert!(server.requests().is_empty() && server.take_requests().is_empty());
    http.post("/tags.list", json!({})).await;
    let next = server.take_requests();
    assert_eq!((next.len(), next[0].seq, next[0].operation.as_deref()), (1, mark + 1, Some("tags.list")));
    assert_eq!(server.requests_after(mark), Vec::new(), "already taken");
    assert_eq!(server.request_count("/tags.create"), 2, "counts are not reset by taking");
}

#[tokio::test]
async fn a_dropped_connection_is_recorded_without_a_status() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    server.inject("/tags.create", Fault::drop_connection().after_applying());
    let sent = http
        .client
        .post(format!("{}/tags.create", http.base))
        .bearer_auth(server.token())
        .header("content-type", "application/json")
        .body(json!({"name": "a"}).to_string());
    assert!(sent.send().await.is_err());
    let log = server.take_requests();
    assert_eq!((log.len(), log[0].status, log[0].body.clone()), (1, None, Some(json!({"name": "a"}))));
    // It was applied: the tag exists.
    assert_eq!(http.post("/tags.list", json!({})).await.body["tags"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn faults_match_by_operation_nth_call_and_body() {
    let server = TestServer::start().await;
    let http = Http::new(&server);

    // The second create fails; the first and third do not.
    server.inject_operation("tags.create", Fault::json(500, json!({"type": "internal_error"})).nth(2));
    let statuses = [
        http.post("/tags.create", json!({"name": "a"})).await.status,
        http.post("/tags.create", json!({"name": "b"})).await.status,
        http.post("/tags.create", json!({"name": "c"})).await.status,
    ];
    assert_eq!(statuses, [201, 500, 201]);

    // Only the create whose name is "broken".
    server
        .inject("/tags.create", Fault::json(400, json!({"type": "bad_request"})).when_body(|b| b["name"] == "broken"));
    assert_eq!(http.post("/tags.create", json!({"name": "fine"})).await.status, 201);
    assert_eq!(http.post("/tags.create", json!({"name": "broken"})).await.status, 400);
    assert_eq!(http.post("/tags.create", json!({"name": "broken"})).await.status, 201, "used up");

    // By operation, whether the read comes as GET or POST.
    server.inject_operation("/tags.list", Fault::status(503).times(2));
    assert_eq!(http.get("/tags.list").await.status, 503);
    assert_eq!(http.post("/tags.list", json!({})).await.status, 503);
    assert_eq!(http.get("/tags.list").await.status, 200);

    // Any predicate on the recorded request: here its query.
    server.inject("/tags.list", Fault::status(502).when(|r| r.query_param("limit").as_deref() == Some("1")));
    assert_eq!(http.get("/tags.list?limit=2").await.status, 200);
    assert_eq!(http.get("/tags.list?limit=1").await.status, 502);

    let statuses: Vec<_> = server.requests_for("tags.create").iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(201), Some(500), Some(201), Some(201), Some(400), Some(201)]);
}

#[tokio::test]
async fn canned_answers_need_the_token_unless_asked_otherwise() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let anonymous = http.with_token(None);
    let stranger = http.with_token(Some("not-a-token"));

    // A path the server does not know, given a canned answer: the token is checked first.
    server.inject("/jobs.list", Fault::json(200, json!({"jobs": []})));
    let a = anonymous.get("/jobs.list").await;
    assert_eq!((a.status, a.body["type"].as_str()), (401, Some("unauthenticated")));
    assert_eq!(stranger.get("/jobs.list").await.status, 401);
    let a = http.get("/jobs.list").await;
    assert!(a.header("x-ratelimit-limit").is_some());
    assert_eq!((a.status, a.body), (200, json!({"jobs": []})));

    // `without_auth`: before the token, as a proxy in front of DevRev.
    server.inject("/jobs.list", Fault::raw(502, "text/html", "<html>bad gateway</html>").without_auth());
    assert_eq!(anonymous.get("/jobs.list").await.status, 502);
    // A dropped connection is behind the token too.
    server.inject("/tags.list", Fault::drop_connection());
    assert_eq!(anonymous.get("/tags.list").await.status, 401);
    assert!(http.client.get(format!("{}/tags.list", http.base)).bearer_auth(server.token()).send().await.is_err());
}

#[tokio::test]
async fn custom_routes_serve_any_path_behind_the_token_and_the_rate_limit() {
    let server = TestServer::builder().rate_limit(3, Duration::from_secs(60)).start().await.unwrap();
    let http = Http::new(&server);

    server.route("/jobs.list", |request| {
        let limit: usize = request.query_param("limit").and_then(|l| l.parse().ok()).unwrap_or(2);
        let jobs: Vec<_> = (1..=limit).map(|i| json!({"id": format!("job-{i}"), "by": request.user})).collect();
        Reply::ok(json!({"jobs": jobs})).header("x-served-by", "test")
    });
    server.route("/jobs.create", |request| match request.body.as_ref().and_then(|b| b["name"].as_str()) {
        Some(name) => Reply::json(201, json!({"job": {"id": "job-9", "name": name}})),
        None => Reply::error(400, "missing_required_field", "name is required"),
    });

    let a = http.get("/jobs.list?limit=3").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["jobs"].as_array().map(Vec::len), Some(3));
    assert_eq!(a.body["jobs"][0], json!({"id": "job-1", "by": DEFAULT_USER}));
    assert_eq!(a.header("x-served-by"), Some("test"));
    assert_eq!(a.header("x-ratelimit-remaining"), Some("2"));
    // The token is checked before the handler runs.
    assert_eq!(http.with_token(None).get("/jobs.list").await.status, 401);
    let a = http.post("/jobs.create", json!({})).await;
    assert_eq!((a.status, a.body["type"].as_str()), (400, Some("missing_required_field")));
    let a = http.post("/jobs.create", json!({"name": "nightly"})).await;
    assert_eq!((a.status, a.body["job"]["name"].as_str()), (201, Some("nightly")));
    // The fourth request of the window is over the limit.
    let a = http.get("/jobs.list").await;
    assert_eq!((a.status, a.body["type"].as_str()), (429, Some("too_many_requests")));
    server.reset_rate_limits();

    // The log records custom routes with their operation; faults apply to them.
    let log = server.take_requests();
    assert_eq!(
        log.iter().map(|r| (r.operation.as_deref(), r.status)).collect::<Vec<_>>(),
        [
            (Some("jobs.list"), Some(200)),
            (Some("jobs.list"), Some(401)),
            (Some("jobs.create"), Some(400)),
            (Some("jobs.create"), Some(201)),
            (Some("jobs.list"), Some(429)),
        ]
    );
    assert_eq!(log[3].body, Some(json!({"name": "nightly"})));
    server.inject_operation("jobs.create", Fault::status(503));
    assert_eq!(http.post("/jobs.create", json!({"name": "n"})).await.status, 503);

    // A known path can be served by a handler too, and given back.
    server.route("/tags.list", |_| Reply::ok(json!({"tags": [{"id": "TAG-custom"}]})));
    assert_eq!(http.get("/tags.list").await.body["tags"][0]["id"], "TAG-custom");
    assert!(server.remove_route("/tags.list"));
    assert_eq!(http.get("/tags.list").await.body["tags"], json!([]));
    assert!(!server.remove_route("/tags.list"));
}

#[tokio::test]
async fn the_log_is_dated_by_the_servers_clock() {
    let start = "2030-01-02T03:04:05Z".parse().unwrap();
    let server = TestServer::builder().clock(Clock::fixed(start)).start().await.unwrap();
    let http = Http::new(&server);
    assert_eq!(http.post("/tags.create", json!({"name": "a"})).await.status, 201);
    server.advance(chrono::TimeDelta::hours(2));
    assert_eq!(http.post("/tags.create", json!({"name": "b"})).await.status, 201);
    let times: Vec<_> = server.requests().iter().map(|r| r.time).collect();
    assert_eq!(times.len(), 2);
    assert!(times[0] >= start && times[0] < start + chrono::TimeDelta::hours(1), "{times:?}");
    assert!(times[1] >= start + chrono::TimeDelta::hours(2), "{times:?}");
}
