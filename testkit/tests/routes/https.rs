//! HTTPS on request: a client that refuses plain HTTP works against
//! `TestServer::builder().https()` once it trusts the server's PEM, and only then.

use devrev_testkit::TestServer;
use serde_json::{json, Value};

fn trusting(pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .https_only(true)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_https_only_client_that_trusts_the_pem_is_served() {
    let server = TestServer::builder().https().start().await.unwrap();
    let url = server.base_url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pem = server.ca_pem().expect("an https server has a certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");

    let client = trusting(pem);
    let created = client
        .post(format!("{url}/tags.create"))
        .header("authorization", server.token())
        .body(json!({"name": "over-tls"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let tag: Value = serde_json::from_str(&created.text().await.unwrap()).unwrap();
    let id = tag["tag"]["id"].as_str().unwrap().to_owned();
    let got = client
        .get(format!("{url}/tags.get?id={id}"))
        .header("authorization", format!("Bearer {}", server.token()))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    let got: Value = serde_json::from_str(&got.text().await.unwrap()).unwrap();
    assert_eq!(got["tag"]["name"], "over-tls");

    // `localhost` is in the certificate too.
    let port = server.addr().port();
    let by_name = client.post(format!("https://localhost:{port}/tags.list")).header("authorization", server.token());
    assert_eq!(by_name.body("{}").send().await.unwrap().status().as_u16(), 200);
}

#[tokio::test]
async fn without_the_pem_or_over_plain_http_nothing_is_served() {
    let server = TestServer::builder().https().start().await.unwrap();
    // A client that does not trust the server's authority refuses it.
    let stranger = reqwest::Client::builder().https_only(true).build().unwrap();
    let err = stranger.post(format!("{}/tags.list", server.base_url())).send().await.unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    // Another server's authority is not this one's.
    let other = TestServer::builder().https().start().await.unwrap();
    let err = trusting(other.ca_pem().unwrap()).post(format!("{}/tags.list", server.base_url())).send().await;
    assert!(err.is_err(), "{err:?}");
    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = reqwest::Client::new()
        .post(format!("http://{}/tags.list", server.addr()))
        .header("authorization", server.token())
        .send()
        .await;
    assert!(plain.is_err() || plain.is_ok_and(|r| r.status().as_u16() != 200));
    // The server is still well after failed handshakes.
    let ok = trusting(server.ca_pem().unwrap())
        .post(format!("{}/tags.list", server.base_url()))
        .header("authorization", server.token())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
}

#[tokio::test]
async fn http_stays_the_default() {
    let server = TestServer::start().await;
    assert!(server.base_url().starts_with("http://"), "{}", server.base_url());
    assert_eq!(server.ca_pem(), None);
    let refused = trusting_nothing_plain_refused(&server.base_url()).await;
    assert!(refused, "an https-only client refuses the plain server");
}

async fn trusting_nothing_plain_refused(url: &str) -> bool {
    let client = reqwest::Client::builder().https_only(true).build().unwrap();
    client.post(format!("{url}/tags.list")).send().await.is_err()
}
