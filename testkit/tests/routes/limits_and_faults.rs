//! Rate limits and injected faults on the wire.

use crate::common;

use std::time::Duration;

use common::Http;
use devrev_testkit::{Fault, TestServer};
use serde_json::json;

#[tokio::test]
async fn rate_limit_per_token_with_headers_on_every_answer() {
    let server = TestServer::builder()
        .rate_limit(2, Duration::from_secs(60))
        .user("second-token", "second")
        .token_rate_limit("second-token", 5, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let http = Http::new(&server);

    let first = http.get("/rev-orgs.list").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-ratelimit-limit"), Some("2"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("1"));
    let reset: u64 = first.header("x-ratelimit-reset").unwrap().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert!(reset > now && reset <= now + 61, "reset {reset}, now {now}");

    let second = http.post("/accounts.list", json!({})).await;
    assert_eq!((second.status, second.header("x-ratelimit-remaining")), (200, Some("0")));

    let limited = http.get("/rev-orgs.list").await;
    assert_eq!(limited.status, 429);
    let wait = limited.body["retry_after"].as_u64().expect("retry_after in the body");
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(limited.header("retry-after"), Some(wait.to_string().as_str()));
    assert_eq!(limited.body["type"], "too_many_requests");
    assert!(limited.body["message"].is_string());
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(limited.header("x-ratelimit-reset").unwrap().parse::<u64>().unwrap(), reset);

    // A reset starts a new window.
    server.reset_rate_limits();
    let fresh = http.get("/rev-orgs.list").await;
    assert_eq!((fresh.status, fresh.header("x-ratelimit-remaining")), (200, Some("1")));
    http.get("/rev-orgs.list").await;

    // Another token has its own budget and limit.
    let other = http.with_token(Some("second-token")).get("/rev-orgs.list").await;
    assert_eq!(
        (other.status, other.header("x-ratelimit-limit"), other.header("x-ratelimit-remaining")),
        (200, Some("5"), Some("4"))
    );
    // Answers that are not counted still carry the headers.
    let unknown = http.get("/no-such-route").await;
    assert_eq!((unknown.status, unknown.header("x-ratelimit-remaining")), (404, Some("0")));
    let anonymous = http.with_token(None).get("/rev-orgs.list").await;
    assert_eq!((anonymous.status, anonymous.header("x-ratelimit-limit")), (401, Some("2")));
}

#[tokio::test]
async fn status_faults_answer_then_run_out() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let body = json!({"type": "service_unavailable", "message": "down for a moment"});
    server.inject("/rev-orgs.list", Fault::json(503, body.clone()).header("retry-after", "3").times(2));
    server.inject("/rev-orgs.list", Fault::raw(502, "text/html", "<html>bad gateway</html>"));

    for _ in 0..2 {
        let a = http.get("/rev-orgs.list").await;
        assert_eq!((a.status, &a.body, a.header("retry-after")), (503, &body, Some("3")));
        assert!(a.header("x-ratelimit-limit").is_some());
    }
    let a = http.get("/rev-orgs.list?limit=1").await;
    assert_eq!((a.status, a.header("content-type")), (502, Some("text/html")));
    assert_eq!(a.body, json!("<html>bad gateway</html>"));
    // Faults are per path: other paths are served normally, and then so is this one.
    assert_eq!(http.post("/accounts.list", json!({})).await.status, 200);
    assert_eq!(http.get("/rev-orgs.list").await.status, 200);
    // A canned answer still needs a valid token, and waits for one...
    server.inject("/rev-orgs.get", Fault::status(500));
    let a = http.with_token(None).get("/rev-orgs.get").await;
    assert_eq!((a.status, a.body["type"].as_str()), (401, Some("unauthenticated")));
    let a = http.get("/rev-orgs.get").await;
    assert_eq!((a.status, a.body), (500, serde_json::Value::Null));
    // ...unless it applies before authentication, as a proxy's would.
    server.inject("/rev-orgs.get", Fault::status(502).without_auth());
    let a = http.with_token(None).get("/rev-orgs.get").await;
    assert_eq!((a.status, a.body), (502, serde_json::Value::Null));

    // Cleared faults do not apply.
    server.inject("/rev-orgs.list", Fault::status(500).times(10));
    server.clear_faults();
    assert_eq!(http.get("/rev-orgs.list").await.status, 200);
    assert_eq!(server.request_count("/rev-orgs.list"), 5);
    assert_eq!(server.request_count("/rev-orgs.get"), 3);
    let last = server.requests().pop().unwrap();
    assert_eq!((last.method.as_str(), last.path.as_str(), last.query), ("GET", "/rev-orgs.list", None));
}

#[tokio::test]
async fn a_delay_fault_outlasts_a_short_client_timeout() {
    let server = TestServer::start().await;
    server.inject("/accounts.list", Fault::delay(Duration::from_secs(5)));
    let client = reqwest::Client::builder().timeout(Duration::from_millis(200)).build().unwrap();
    let http = Http { client, ..Http::new(&server) };
    let err =
        http.client.get(format!("{}/accounts.list", http.base)).bearer_auth(server.token()).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // The delay was used up: the next request is served at once.
    assert_eq!(http.get("/accounts.list").await.status, 200);
}

#[tokio::test]
async fn a_dropped_connection_ends_without_an_answer() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    // A pooled connection first, so the drop hits a connection in use.
    assert_eq!(http.get("/accounts.list").await.status, 200);
    server.inject("/accounts.create", Fault::drop_connection());
    let err = http
        .client
        .post(format!("{}/accounts.create", http.base))
        .bearer_auth(server.token())
        .body(r#"{"display_name":"x"}"#)
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout() && err.status().is_none(), "{err:?}");
    // Nothing was created, and the server goes on serving.
    let listed = http.get("/accounts.list").await;
    assert_eq!((listed.status, listed.body), (200, json!({"accounts": []})));
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = TestServer::start().await;
    let base = server.base_url();
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{base}/x")).send().await.unwrap().status(), 404);
    drop(server);
    // The listener closes once the runtime has dropped the aborted task.
    for _ in 0..100 {
        tokio::task::yield_now().await;
        // A fresh client each time: nothing pooled, so each try connects anew.
        match reqwest::Client::new().get(format!("{base}/x")).send().await {
            Err(err) if err.is_connect() => return,
            _ => {}
        }
    }
    panic!("the server still answers after being dropped");
}
