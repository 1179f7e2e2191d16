//! The server's edges, over raw HTTP: how it takes a token, what it answers
//! for a path it does not serve, the validation gaps of issue 27 (DevRev's
//! type words, integer ranges, lengths), and streams only when asked.

use devrev_testkit::TestServer;
use serde_json::{json, Value};

/// POSTs `body` with `authorization` as the raw `Authorization` header (none when `None`).
async fn post(server: &TestServer, path: &str, authorization: Option<&str>, body: &Value) -> (u16, String, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, content_type, body)
}

/// POSTs `body` with the server's own token.
async fn call(server: &TestServer, path: &str, body: Value) -> (u16, Value) {
    let (status, _, body) = post(server, path, Some(&format!("Bearer {}", server.token())), &body).await;
    (status, body)
}

#[tokio::test]
async fn the_bare_token_is_accepted_as_devrev_sdk_sends_it() {
    let server = TestServer::start().await;
    let token = server.token().to_owned();
    for accepted in [token.clone(), format!("Bearer {token}"), format!("bearer {token}"), format!("  {token} ")] {
        let (status, _, body) = post(&server, "/tags.list", Some(&accepted), &json!({})).await;
        assert_eq!(status, 200, "{accepted:?}: {body}");
        assert!(body["tags"].is_array(), "{body}");
    }
    // The bare token works for the families with their own module too.
    let (status, _, body) = post(&server, "/accounts.create", Some(&token), &json!({"display_name": "Acme"})).await;
    assert_eq!(status, 201, "{body}");

    for refused in [None, Some(""), Some("Bearer "), Some("Bearer"), Some("not-the-token"), Some("Basic dXNlcjpw")]
    {
        let (status, _, body) = post(&server, "/tags.list", refused, &json!({})).await;
        assert_eq!((status, &body["type"]), (401, &json!("unauthenticated")), "{refused:?}: {body}");
        let (status, _, body) = post(&server, "/accounts.list", refused, &json!({})).await;
        assert_eq!((status, &body["type"]), (401, &json!("unauthenticated")), "{refused:?}: {body}");
        assert!(!body.to_string().contains(&token), "the 401 does not echo the token");
    }
}

#[tokio::test]
async fn an_unknown_route_is_a_typed_not_found() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let base = server.base_url();
    let token = format!("Bearer {}", server.token());
    let requests = [
        client.post(format!("{base}/no-such.thing")).header("authorization", &token),
        client.post(format!("{base}/no-such.thing")),
        client.get(format!("{base}/tags.create")).header("authorization", &token),
        client.put(format!("{base}/accounts.get")).header("authorization", &token),
        client.get(format!("{base}/")),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["type"], "not_found", "{body}");
        assert_eq!(body["message"], "route not found", "{body}");
        assert!(body["detail"].is_string(), "{body}");
    }
}
