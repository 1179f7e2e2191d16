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

    for refused in [None, Some(""), Some("Bearer "), Some("Bearer"), Some("not-the-token"), Some("Basic dXNlcjpw")] {
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

/// Checks a 400 of `kind` naming `field`; returns the body.
fn typed_400(answer: &(u16, Value), kind: &str, field: &str) {
    let (status, body) = answer;
    assert_eq!((*status, &body["type"], &body["field_name"]), (400, &json!(kind), &json!(field)), "{body}");
    assert!(body["message"].is_string() && body["detail"].is_string(), "{body}");
}

#[tokio::test]
async fn unexpected_json_type_names_types_in_devrevs_words() {
    let server = TestServer::start().await;
    // An integer field: DevRev's word is `number`, not JSON Schema's `integer`.
    let answer = call(&server, "/tags.list", json!({"limit": "five"})).await;
    typed_400(&answer, "unexpected_json_type", "limit");
    assert_eq!((&answer.1["expected"], &answer.1["actual"]), (&json!("number"), &json!("string")));
    // A boolean field: `bool`, not `boolean`.
    let messages = json!([{"role": "user", "content": "hi"}]);
    let answer =
        call(&server, "/recommendations.chat.completions", json!({"messages": messages, "stream": "yes"})).await;
    typed_400(&answer, "unexpected_json_type", "stream");
    assert_eq!((&answer.1["expected"], &answer.1["actual"]), (&json!("bool"), &json!("string")));
    let answer = call(&server, "/tags.create", json!({"name": true})).await;
    typed_400(&answer, "unexpected_json_type", "name");
    assert_eq!((&answer.1["expected"], &answer.1["actual"]), (&json!("string"), &json!("bool")));
    let answer = call(&server, "/tags.list", json!({"name": {"a": 1}})).await;
    assert_eq!((&answer.1["expected"], &answer.1["actual"]), (&json!("array"), &json!("object")), "{}", answer.1);
    // Every `expected` and `actual` is one of DevRev's six words.
    for body in [&answer.1] {
        for key in ["expected", "actual"] {
            let word = body[key].as_str().unwrap();
            assert!(["array", "bool", "null", "number", "object", "string"].contains(&word), "{body}");
        }
    }
}

#[tokio::test]
async fn integer_ranges_are_enforced() {
    let server = TestServer::start().await;
    let stage = |ordinal: Value| json!({"name": "triage", "state": "open", "ordinal": ordinal});
    // `ordinal` is an int32: beyond it, and far beyond i64, is DevRev's `invalid_field`.
    for ordinal in [json!(2_147_483_648_i64), json!(-2_147_483_649_i64), json!(36_317_147_125_803_630_592_f64)] {
        typed_400(&call(&server, "/stages.custom.create", stage(ordinal)).await, "invalid_field", "ordinal");
    }
    // A fraction where an integer belongs.
    typed_400(&call(&server, "/stages.custom.create", stage(json!(1.5))).await, "invalid_field", "ordinal");
    // The edges of the range are not refused for their range.
    for ordinal in [json!(2_147_483_647), json!(-2_147_483_648_i64)] {
        let (status, body) = call(&server, "/stages.custom.create", stage(ordinal)).await;
        assert!(!(status == 400 && body["field_name"] == "ordinal"), "{body}");
    }
    // The raw text of a body too: a number past u64 is still a number, out of range.
    let response = reqwest::Client::new()
        .post(format!("{}/stages.custom.create", server.base_url()))
        .header("authorization", server.token())
        .body(r#"{"name": "t", "state": "open", "ordinal": 36317147125803630592}"#)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    typed_400(&(status, body), "invalid_field", "ordinal");
    // A query string's integer: `limit` past int32.
    let response = reqwest::Client::new()
        .get(format!("{}/tags.list?limit=99999999999", server.base_url()))
        .header("authorization", server.token())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    typed_400(&(status, body), "invalid_field", "limit");
}

#[tokio::test]
async fn lengths_and_item_counts_are_enforced() {
    let server = TestServer::start().await;
    // `query` has 1..=10000 characters.
    typed_400(&call(&server, "/recommendations.get-reply", json!({"query": ""})).await, "invalid_field", "query");
    let long = "q".repeat(10_001);
    typed_400(&call(&server, "/recommendations.get-reply", json!({"query": long})).await, "invalid_field", "query");
    let (status, body) = call(&server, "/recommendations.get-reply", json!({"query": "q".repeat(10_000)})).await;
    assert_eq!(status, 200, "{body}");
    // A brand's `name` has 1..=50 characters.
    typed_400(&call(&server, "/brands.create", json!({"name": ""})).await, "invalid_field", "name");
    typed_400(&call(&server, "/brands.create", json!({"name": "b".repeat(51)})).await, "invalid_field", "name");
    let (status, body) = call(&server, "/brands.create", json!({"name": "b".repeat(50)})).await;
    assert_eq!(status, 201, "{body}");
    // `messages` has at least one item.
    let answer = call(&server, "/recommendations.chat.completions", json!({"messages": []})).await;
    typed_400(&answer, "invalid_field", "messages");
}

#[tokio::test]
async fn chat_completions_streams_only_when_asked() {
    let server = TestServer::start().await;
    let token = format!("Bearer {}", server.token());
    let messages = json!([{"role": "user", "content": "hi"}]);
    // Without `stream`, or with `stream: false`: one JSON completion.
    for body in [json!({"messages": messages}), json!({"messages": messages, "stream": false})] {
        let (status, content_type, answer) =
            post(&server, "/recommendations.chat.completions", Some(&token), &body).await;
        assert_eq!((status, content_type.as_str()), (200, "application/json"), "{body}: {answer}");
        assert!(answer.is_object(), "{answer}");
        assert!(answer["text_response"].is_string(), "a chat-completions-response: {answer}");
    }
    // With `stream: true`: server-sent events, each a completion, then `[DONE]`.
    let (status, content_type, answer) = post(
        &server,
        "/recommendations.chat.completions",
        Some(&token),
        &json!({"messages": messages, "stream": true}),
    )
    .await;
    assert_eq!((status, content_type.as_str()), (200, "text/event-stream"));
    let text = answer.as_str().expect("not JSON").to_owned();
    let data: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("data: ")).collect();
    assert_eq!(data.last(), Some(&"[DONE]"), "{text}");
    assert!(data.len() >= 2, "{text}");
    for event in &data[..data.len() - 1] {
        let event: Value = serde_json::from_str(event).unwrap();
        assert!(event["text_response"].is_string(), "{event}");
    }
}
