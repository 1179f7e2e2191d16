//! Artifacts: `client.upload_artifact(..)` and `client.download_artifact(..)`
//! end to end against the embedded server (which checks the form as an S3
//! POST policy does and refuses an `Authorization` header on its storage
//! paths), and on the wire against wiremock (the form's order, the missing
//! token, typed errors, retries).
//!
//! `cargo test --features artifacts --test artifacts`

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrev::artifacts::{ArtifactsExt, ArtifactsPrepareRequest, Bytes, UploadSource};
use devrev::storage::UploadForm;
use devrev::{Client, Error, RetryPolicy, Sleeper, Transfer};
use devrev_testkit::{Fault, TestServer, ARTIFACT_DOWNLOAD_PATH, ARTIFACT_UPLOAD_PATH};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "tok-artifacts-secret";

/// Records the waits between attempts and returns at once.
#[derive(Debug, Default, Clone)]
struct NoSleep(Arc<Mutex<Vec<Duration>>>);

impl Sleeper for NoSleep {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

fn client_for(base_url: &str, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(base_url)
        .retry_policy(RetryPolicy::new().max_attempts(3))
        .sleeper(NoSleep::default())
        .build()
        .unwrap()
}

async fn testkit() -> (TestServer, Client) {
    let server = TestServer::start().await;
    let client = client_for(&server.base_url(), server.token());
    (server, client)
}

/// Deterministic, not repeating within a chunk, so a misplaced chunk shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|n| (n.wrapping_mul(31) ^ (n >> 9)) as u8).collect()
}

async fn read_all(client: &Client, id: &str) -> Vec<u8> {
    let mut download = client.download_artifact(id).await.unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = download.try_next().await.unwrap() {
        out.extend_from_slice(&chunk);
    }
    out
}

// ---- end to end, against the embedded server ----

/// Over HTTPS the storage URLs are on the TLS server too, and the storage
/// client trusts the roots the API client was given.
#[tokio::test]
async fn round_trip_over_https_trusting_the_servers_certificate() {
    let server = TestServer::builder().https().start().await.unwrap();
    let client = Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .add_root_certificate(server.ca_pem().unwrap())
        .sleeper(NoSleep::default())
        .build()
        .unwrap();
    let prepared = ArtifactsPrepareRequest::new("tls.txt").send(&client).await.unwrap();
    assert!(prepared.url.starts_with("https://127.0.0.1:"), "{}", prepared.url);
    let id = client.upload_artifact("tls.txt", b"over tls".to_vec()).await.unwrap();
    assert_eq!(read_all(&client, &id).await, b"over tls");
}

#[tokio::test]
async fn bytes_round_trip() {
    let (_server, client) = testkit().await;
    let id = client.upload_artifact("hello.txt", b"hello, artifacts".to_vec()).await.unwrap();
    assert!(id.starts_with("don:core:") && id.contains(":artifact/"), "{id}");
    assert_eq!(read_all(&client, &id).await, b"hello, artifacts");
}

#[tokio::test]
async fn five_mib_file_round_trip_through_the_testkit() {
    let (_server, client) = testkit().await;
    let data = pattern(5 * 1024 * 1024);
    let dir = std::env::temp_dir().join(format!("devrev-artifacts-{}", std::process::id()));
    tokio::fs::create_dir_all(&dir).await.unwrap();
    let file = dir.join("five.bin");
    tokio::fs::write(&file, &data).await.unwrap();

    let id = client.upload_artifact("five.bin", UploadSource::file(&file)).await.unwrap();
    // Read back as an AsyncRead, into a file.
    let mut download = client.download_artifact(&id).await.unwrap();
    assert_eq!(download.content_length(), Some(data.len() as u64));
    let copy = dir.join("five.copy");
    let mut out = tokio::fs::File::create(&copy).await.unwrap();
    let copied = tokio::io::copy(&mut download, &mut out).await.unwrap();
    drop(out);
    assert_eq!(copied, data.len() as u64);
    assert!(tokio::fs::read(&copy).await.unwrap() == data, "the downloaded file differs");
    tokio::fs::remove_dir_all(&dir).await.unwrap();
}

#[tokio::test]
async fn stream_round_trip_with_and_without_a_length() {
    let (_server, client) = testkit().await;
    let data = pattern(300_000);
    for with_length in [true, false] {
        let chunks: Vec<std::io::Result<Bytes>> = data.chunks(7_000).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        let mut source = UploadSource::stream(futures_util::stream::iter(chunks));
        if with_length {
            source = source.with_length(data.len() as u64);
        }
        let id = client.upload_artifact("streamed.bin", source).await.unwrap();
        assert!(read_all(&client, &id).await == data, "with_length {with_length}");
    }
}

#[tokio::test]
async fn file_type_becomes_a_field_and_the_content_type() {
    let (_server, client) = testkit().await;
    let request = ArtifactsPrepareRequest::new("notes.md").file_type("text/markdown");
    let id = client.upload_artifact_with(request, "# notes".to_owned()).await.unwrap();
    let download = client.download_artifact(&id).await.unwrap();
    assert_eq!(download.content_type(), Some("text/markdown"));
}

#[tokio::test]
async fn upload_url_answering_403_is_a_typed_storage_error_not_retried() {
    let (server, client) = testkit().await;
    let denied = "<Error><Code>AccessDenied</Code><Message>Policy expired</Message></Error>";
    server.inject(ARTIFACT_UPLOAD_PATH, Fault::raw(403, "application/xml", denied));
    let err = client.upload_artifact("a.txt", b"abc".to_vec()).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    let storage = err.storage().expect("a storage error");
    assert_eq!(storage.transfer(), Transfer::Upload);
    assert_eq!(storage.code(), Some("AccessDenied"));
    assert_eq!(storage.message(), Some("Policy expired"));
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.request_count(ARTIFACT_UPLOAD_PATH), 1, "a 403 is not retried");
    let text = err.to_string();
    assert!(text.contains("403") && text.contains("AccessDenied"), "{text}");
    assert!(!text.contains(ARTIFACT_UPLOAD_PATH), "the URL's path is not printed: {text}");
}

#[tokio::test]
async fn upload_url_answering_503_is_retried_for_bytes_and_files_then_typed() {
    let (server, client) = testkit().await;
    // Once: the retry succeeds.
    server.inject(ARTIFACT_UPLOAD_PATH, Fault::status(503));
    let id = client.upload_artifact("a.txt", b"abc".to_vec()).await.unwrap();
    assert_eq!(read_all(&client, &id).await, b"abc");
    assert_eq!(server.request_count(ARTIFACT_UPLOAD_PATH), 2);
    // Every attempt: a typed error after three.
    server.inject(ARTIFACT_UPLOAD_PATH, Fault::status(500).times(3));
    let err = client.upload_artifact("b.txt", b"abc".to_vec()).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(matches!(err, Error::Storage(_)), "{err:?}");
    assert_eq!(err.attempts(), 3);
    assert!(err.may_have_been_applied());
    assert_eq!(server.request_count(ARTIFACT_UPLOAD_PATH), 5);
}

#[tokio::test]
async fn a_stream_already_read_is_not_resent() {
    let (server, client) = testkit().await;
    server.inject(ARTIFACT_UPLOAD_PATH, Fault::status(503).after_applying());
    let source = UploadSource::stream(futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("abc"))]));
    let err = client.upload_artifact("s.txt", source).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.request_count(ARTIFACT_UPLOAD_PATH), 1);
}

#[tokio::test]
async fn the_testkit_checks_the_form_like_an_s3_policy() {
    let (_server, client) = testkit().await;
    // A prepared upload, sent by hand with two fields swapped: 403 AccessDenied.
    let prepared = ArtifactsPrepareRequest::new("x.bin").send(&client).await.unwrap();
    let keys: Vec<&str> = prepared.form_data.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["key", "policy", "x-amz-signature"]);
    let mut swapped = UploadForm::new(prepared.url.clone(), "x.bin");
    for i in [1, 0, 2] {
        swapped = swapped.field(prepared.form_data[i].key.clone(), prepared.form_data[i].value.clone());
    }
    let err = client.upload_to_storage(&swapped, b"x".to_vec().into()).await.unwrap_err();
    assert_eq!((err.status(), err.storage().and_then(|s| s.code())), (Some(403), Some("AccessDenied")), "{err}");
    // In order it passes.
    let mut in_order = UploadForm::new(prepared.url.clone(), "x.bin");
    for field in &prepared.form_data {
        in_order = in_order.field(field.key.clone(), field.value.clone());
    }
    client.upload_to_storage(&in_order, b"x".to_vec().into()).await.unwrap();
    assert_eq!(read_all(&client, &prepared.id).await, b"x");
}

#[tokio::test]
async fn download_errors_are_typed() {
    let (server, client) = testkit().await;
    // Never uploaded: `artifacts.locate` answers 404, a DevRev error.
    let err = client.download_artifact("don:core:dvrv-us-1:devo/1:artifact/nope").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(err.api().is_some(), "{err:?}");
    // The download URL answering 403: a storage error, not retried.
    let id = client.upload_artifact("a.txt", b"abc".to_vec()).await.unwrap();
    server.inject(ARTIFACT_DOWNLOAD_PATH, Fault::status(403));
    let err = client.download_artifact(&id).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.storage().map(|s| s.transfer()), Some(Transfer::Download));
    assert_eq!(server.request_count(ARTIFACT_DOWNLOAD_PATH), 1);
    // 502 then success: retried.
    server.inject(ARTIFACT_DOWNLOAD_PATH, Fault::status(502));
    assert_eq!(read_all(&client, &id).await, b"abc");
    assert_eq!(server.request_count(ARTIFACT_DOWNLOAD_PATH), 3);
}

#[tokio::test]
async fn an_unreadable_file_is_a_typed_error_before_anything_is_uploaded() {
    let (server, client) = testkit().await;
    let err = client.upload_artifact("gone.bin", UploadSource::file("/nonexistent/devrev/gone.bin")).await.unwrap_err();
    let storage = err.storage().expect("a storage error");
    assert_eq!(storage.status(), None);
    assert!(storage.message().unwrap().contains("could not be read"), "{err}");
    assert_eq!(server.request_count(ARTIFACT_UPLOAD_PATH), 0);
}

// ---- on the wire, against wiremock ----

/// A DevRev double whose `prepare` hands out an upload URL on the same
/// server, with four fields in a deliberate, non-alphabetical order.
async fn wire_server(upload: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    let url = format!("{}/bucket", server.uri());
    Mock::given(method("POST"))
        .and(path("/artifacts.prepare"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "don:core:dvrv-us-1:devo/1:artifact/1",
            "url": url,
            "form_data": [
                {"key": "x-amz-signature", "value": "sig-1"},
                {"key": "key", "value": "artifacts/1/report.pdf"},
                {"key": "policy", "value": "cG9saWN5"},
                {"key": "Content-Type", "value": "application/pdf"},
            ],
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/bucket")).respond_with(upload).mount(&server).await;
    server
}

fn uploads(requests: &[Request]) -> Vec<&Request> {
    requests.iter().filter(|r| r.url.path() == "/bucket").collect()
}

/// The `name="..."` of each part, in order.
fn part_names(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    text.match_indices("Content-Disposition: form-data; name=\"")
        .map(|(at, m)| {
            let rest = &text[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_form_goes_in_the_given_order_with_the_file_last_and_without_the_token() {
    let server = wire_server(ResponseTemplate::new(204)).await;
    let client = client_for(&server.uri(), TOKEN);
    let id = client.upload_artifact("report.pdf", b"%PDF-1.7 body".to_vec()).await.unwrap();
    assert_eq!(id, "don:core:dvrv-us-1:devo/1:artifact/1");

    let requests = server.received_requests().await.unwrap();
    let prepare = requests.iter().find(|r| r.url.path() == "/artifacts.prepare").unwrap();
    assert_eq!(prepare.headers.get("authorization").unwrap(), &format!("Bearer {TOKEN}"));
    assert_eq!(prepare.body_json::<serde_json::Value>().unwrap(), json!({"file_name": "report.pdf"}));

    let upload = uploads(&requests);
    assert_eq!(upload.len(), 1);
    let upload = upload[0];
    assert!(upload.headers.get("authorization").is_none(), "the token went to the storage URL");
    for (name, value) in &upload.headers {
        assert!(!value.as_bytes().windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "{name}");
    }
    assert!(!upload.body.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "the token is in the body");
    let content_type = upload.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    assert_eq!(
        upload.headers.get("content-length").map(|v| v.to_str().unwrap().to_owned()),
        Some(upload.body.len().to_string()),
        "a file of known length is sent with a Content-Length"
    );
    assert_eq!(part_names(&upload.body), ["x-amz-signature", "key", "policy", "Content-Type", "file"]);
    let body = String::from_utf8_lossy(&upload.body);
    for value in ["sig-1", "artifacts/1/report.pdf", "cG9saWN5", "application/pdf"] {
        assert!(body.contains(&format!("\r\n\r\n{value}\r\n")), "{value} in {body}");
    }
    assert!(body.contains("name=\"file\"; filename=\"report.pdf\""), "{body}");
    assert!(body.contains("\r\n\r\n%PDF-1.7 body\r\n--"), "{body}");
}

#[tokio::test]
async fn upload_403_and_5xx_on_the_wire() {
    let s3 = "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy Condition failed</Message><RequestId>R1</RequestId></Error>";
    let server = wire_server(ResponseTemplate::new(403).set_body_string(s3)).await;
    let client = client_for(&server.uri(), TOKEN);
    let err = client.upload_artifact("report.pdf", b"x".to_vec()).await.unwrap_err();
    let storage = err.storage().expect("storage error");
    assert_eq!((storage.status(), storage.code()), (Some(403), Some("AccessDenied")));
    assert_eq!(storage.origin(), server.uri());
    assert!(!format!("{err} {err:?}").contains(TOKEN));
    assert_eq!(uploads(&server.received_requests().await.unwrap()).len(), 1);

    let server = wire_server(ResponseTemplate::new(503).set_body_string("<html>busy</html>")).await;
    let client = client_for(&server.uri(), TOKEN);
    let err = client.upload_artifact("report.pdf", b"x".to_vec()).await.unwrap_err();
    let storage = err.storage().expect("storage error");
    assert_eq!((storage.status(), storage.code(), storage.excerpt()), (Some(503), None, Some("<html>busy</html>")));
    assert_eq!(err.attempts(), 3);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(uploads(&requests).len(), 3, "bytes are resent on a 503");
    assert_eq!(requests.iter().filter(|r| r.url.path() == "/artifacts.prepare").count(), 1, "prepare is not repeated");
}

#[tokio::test]
async fn the_download_goes_without_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/artifacts.locate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "url": format!("{}/files/a?X-Amz-Signature=topsecret", server.uri()),
            "expires_at": "2030-01-01T00:00:00Z",
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/a"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"file body".to_vec()))
        .mount(&server)
        .await;
    let client = client_for(&server.uri(), TOKEN);
    let mut download = client.download_artifact("don:core:dvrv-us-1:devo/1:artifact/1").await.unwrap();
    let mut body = Vec::new();
    while let Some(chunk) = download.next_chunk().await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    assert_eq!(body, b"file body");
    let requests = server.received_requests().await.unwrap();
    let file = requests.iter().find(|r| r.url.path() == "/files/a").unwrap();
    assert!(file.headers.get("authorization").is_none(), "the token went to the download URL");
    assert!(!format!("{download:?}").contains("topsecret"));
}

#[tokio::test]
async fn storage_urls_that_are_not_https_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/artifacts.prepare"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "don:core:dvrv-us-1:devo/1:artifact/1",
            "url": "http://storage.example.com/bucket?sig=topsecret",
            "form_data": [],
        })))
        .mount(&server)
        .await;
    let client = client_for(&server.uri(), TOKEN);
    let err = client.upload_artifact("a", b"x".to_vec()).await.unwrap_err();
    let storage = err.storage().expect("storage error");
    assert_eq!(storage.status(), None);
    assert_eq!(storage.origin(), "http://storage.example.com");
    assert!(!err.to_string().contains("topsecret"), "{err}");
}
