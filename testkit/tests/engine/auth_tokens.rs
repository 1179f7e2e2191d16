//! `auth-tokens`: a token `auth-tokens.create` issues is kept, named by the
//! `jti` claim of its JWT, and `get`, `list`, `update` and `delete` act on it;
//! over raw HTTP, the JWT decoded here with `base64`, not the server's code.

use crate::common;

use base64::Engine as _;
use common::Http;
use serde_json::{json, Value};

/// The claims of a JWT (`header.claims.signature`).
fn claims(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn an_issued_token_is_kept_under_its_jti() {
    let server = devrev_testkit::TestServer::start().await;
    let http = Http::new(&server);
    let me = http.get("/dev-users.self").await.body["dev_user"]["id"].as_str().unwrap().to_owned();
    let pat = "urn:devrev:params:oauth:token-type:pat";
    let sent = json!({"requested_token_type": pat, "expires_in": 600, "scope": "read write", "token_hint": "ci"});
    let created = http.post("/auth-tokens.create", sent.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!((created.body["token_type"].as_str(), created.body["expires_in"].as_u64()), (Some("bearer"), Some(600)));
    assert_eq!(created.body["scope"], "read write");
    let access = created.body["access_token"].as_str().unwrap();
    let jwt = claims(access);
    let id = jwt["jti"].as_str().expect("a jti").to_owned();
    assert!(id.starts_with("don:identity:dvrv-us-1:devo/1:token/"), "{id}");
    assert_eq!(jwt["sub"], json!(me));
    assert_eq!(jwt["exp"].as_i64().unwrap() - jwt["iat"].as_i64().unwrap(), 600);
    // The answer names the token by its JWT only.
    assert!(created.body.get("id").is_none() && created.body.get("token").is_none(), "{}", created.body);

    let got = http.post("/auth-tokens.get", json!({"token_id": id})).await;
    assert_eq!(got.status, 200, "{}", got.body);
    let token = &got.body["token"];
    assert_eq!((token["id"].as_str(), token["status"].as_str()), (Some(id.as_str()), Some("active")));
    assert_eq!((token["requested_token_type"].as_str(), token["subject"].as_str()), (Some(pat), Some(me.as_str())));
    assert_eq!((token["scopes"].clone(), token["token_hint"].as_str()), (json!(["read", "write"]), Some("ci")));
    assert_eq!(http.get(&format!("/auth-tokens.get?token_id={id}")).await.body["token"], *token);

    // A second token; the list holds both, and filters.
    let other = http.post("/auth-tokens.create", json!({"client_id": "app-1"})).await;
    let other_id = claims(other.body["access_token"].as_str().unwrap())["jti"].as_str().unwrap().to_owned();
    assert_ne!(other_id, id);
    let ids = |answer: &common::Answer| -> Vec<String> {
        answer.body["tokens"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(&http.post("/auth-tokens.list", json!({})).await), [id.clone(), other_id.clone()]);
    assert_eq!(ids(&http.get("/auth-tokens.list?client_id=app-1").await), vec![other_id.clone()]);
    assert_eq!(ids(&http.post("/auth-tokens.list", json!({"requested_token_type": pat})).await), vec![id.clone()]);

    let updated = http.post("/auth-tokens.update", json!({"token_id": id, "token_hint": "nightly"})).await;
    assert_eq!(
        (updated.status, updated.body["token"]["token_hint"].as_str()),
        (200, Some("nightly")),
        "{}",
        updated.body
    );

    // Delete: gone from get and list; a token never issued, or deleted, is 404 `not_found`.
    let deleted = http.post("/auth-tokens.delete", json!({"token_id": id})).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let gone = http.post("/auth-tokens.get", json!({"token_id": id})).await;
    assert_eq!((gone.status, gone.body["type"].as_str()), (404, Some("not_found")), "{}", gone.body);
    assert_eq!(ids(&http.post("/auth-tokens.list", json!({})).await), [other_id]);
    let again = http.post("/auth-tokens.delete", json!({"token_id": id})).await;
    assert_eq!(again.status, 404, "{}", again.body);
    // Without `token_id` (DevRev: the caller's own token, which no create here issued): a typed 400.
    let own = http.post("/auth-tokens.delete", json!({})).await;
    assert_eq!((own.status, own.body["type"].as_str()), (400, Some("bad_request")), "{}", own.body);
}
