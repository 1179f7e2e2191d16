//! Secrets and observability: every span field and event recorded while
//! calls succeed and fail (at every level, from every crate in the process)
//! is captured, and the token and the `Authorization` header appear in none
//! of them, nor in any `Debug` or `Display` output. The call and attempt
//! spans carry their documented fields.

use crate::reliability_support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devrev::{Client, Error};
use reliability_support::{builder, client, refused_url, thing_json, Ep, Fault, RawServer, RecordingSleeper, TOKEN};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A span as recorded: its name and every field value it was given.
#[derive(Debug, Clone)]
struct SpanRecord {
    name: String,
    fields: BTreeMap<String, String>,
}

#[derive(Default, Clone)]
struct Captured {
    spans: Arc<Mutex<BTreeMap<u64, SpanRecord>>>,
    /// Every event, as "target level field=value ...".
    events: Arc<Mutex<Vec<String>>>,
}

impl Captured {
    fn spans(&self) -> Vec<SpanRecord> {
        self.spans.lock().unwrap().values().cloned().collect()
    }

    /// Everything captured, as text.
    fn all_text(&self) -> String {
        let mut text = String::new();
        for span in self.spans() {
            text.push_str(&format!("{} {:?}\n", span.name, span.fields));
        }
        for event in self.events.lock().unwrap().iter() {
            text.push_str(event);
            text.push('\n');
        }
        text
    }
}

struct FieldVisitor<'a>(&'a mut BTreeMap<String, String>);

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Captured {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut FieldVisitor(&mut fields));
        let name = attrs.metadata().name().to_owned();
        self.spans.lock().unwrap().insert(id.into_u64(), SpanRecord { name, fields });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(span) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut FieldVisitor(&mut span.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut FieldVisitor(&mut fields));
        let meta = event.metadata();
        self.events.lock().unwrap().push(format!("{} {} {fields:?}", meta.target(), meta.level()));
    }
}

/// Installs a capturing subscriber (every level) for the current thread.
/// `#[tokio::test]` runs on one thread, so the client's and hyper's tasks are seen.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry().with(captured.clone());
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

/// Fails if `text` holds the token or the header in any form.
fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "{what} holds the token:\n{text}");
    assert!(!text.contains("Bearer"), "{what} holds the Authorization value:\n{text}");
    assert!(!text.to_ascii_lowercase().contains("authorization"), "{what} names the Authorization header:\n{text}");
}

fn assert_error_clean(err: &Error) {
    assert_clean("Display", &err.to_string());
    assert_clean("Debug", &format!("{err:?}"));
    assert_clean("alternate Debug", &format!("{err:#?}"));
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        assert_clean("source", &format!("{s} {s:?}"));
        source = s.source();
    }
}

#[tokio::test]
async fn nothing_recorded_or_printed_holds_the_token() {
    let (captured, _guard) = capture();
    let mut errors = Vec::new();

    // A retried 503 then success; a 401; a 429 past the deadline; a redirect.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_body_raw(r#"{"type":"service_unavailable"}"#, "application/json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(thing_json("T-1"), "application/json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_raw(r#"{"type":"unauthenticated"}"#, "application/json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(302).insert_header("location", "http://127.0.0.1:9/elsewhere"))
        .mount(&server)
        .await;
    let (c, _) = client(&server.uri());
    let ok = Ep::Get.call(&c).await.unwrap();
    assert_clean("Response Debug", &format!("{ok:?}"));
    for _ in 0..3 {
        errors.push(Ep::Create.call(&c).await.unwrap_err());
    }

    // Refused, reset, attempt timeout, cut body, body over the cap, decode error.
    let (refused, _) = client(&refused_url().await);
    errors.push(Ep::Create.call(&refused).await.unwrap_err());
    let reset = RawServer::start(Fault::Reset).await;
    errors.push(Ep::Get.call(&client(&reset.url).0).await.unwrap_err());
    let silent = RawServer::start(Fault::Silent).await;
    let sleeper = RecordingSleeper::default();
    let quick = builder(&silent.url, &sleeper).timeout(Duration::from_millis(100)).build().unwrap();
    errors.push(Ep::Create.call(&quick).await.unwrap_err());
    let cut = RawServer::start(Fault::CutBody).await;
    errors.push(Ep::Create.call(&client(&cut.url).0).await.unwrap_err());
    let big = RawServer::start(Fault::Chunked(1 << 20)).await;
    let capped = builder(&big.url, &sleeper).max_body_bytes(100).build().unwrap();
    errors.push(Ep::Create.call(&capped).await.unwrap_err());
    let odd = RawServer::start(Fault::Raw(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\n[1,2,".to_vec(),
    ))
    .await;
    errors.push(Ep::Create.call(&client(&odd.url).0).await.unwrap_err());

    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::Api(_) => "api",
            Error::Redirect(_) => "redirect",
            Error::Transport(_) => "transport",
            Error::Timeout(_) => "timeout",
            Error::BodyTooLarge(_) => "too large",
            Error::Decode(_) => "decode",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["api", "api", "redirect", "transport", "transport", "timeout", "transport", "too large", "decode"]
    );
    for err in &errors {
        assert_error_clean(err);
    }
    assert_clean("Client Debug", &format!("{c:?} {c:#?}"));
    let b = Client::builder().token(TOKEN).api_version("2024-01-24");
    assert_clean("ClientBuilder Debug", &format!("{b:?}"));
    let token = devrev::Token::new(TOKEN).unwrap();
    assert_clean("Token", &format!("{token} {token:?}"));

    let text = captured.all_text();
    assert!(captured.spans().len() >= 20, "spans were captured: {text}");
    assert_clean("tracing output", &text);
}

#[tokio::test]
async fn call_and_attempt_spans_carry_their_fields() {
    let (captured, _guard) = capture();
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(thing_json("T-1"), "application/json"))
        .mount(&server)
        .await;
    let (c, _) = client(&server.uri());
    Ep::Get.call(&c).await.unwrap();

    let spans = captured.spans();
    let calls: Vec<_> = spans.iter().filter(|s| s.name == "devrev.call").collect();
    assert_eq!(calls.len(), 1, "{spans:?}");
    let call = &calls[0].fields;
    assert_eq!(call.get("method").map(String::as_str), Some("GET"));
    assert_eq!(call.get("path").map(String::as_str), Some("/things.get"));
    assert_eq!(call.get("attempts").map(String::as_str), Some("2"));

    let attempts: Vec<_> = spans.iter().filter(|s| s.name == "devrev.attempt").map(|s| &s.fields).collect();
    assert_eq!(attempts.len(), 2, "{spans:?}");
    let field = |i: usize, name: &str| attempts[i].get(name).cloned();
    assert_eq!(field(0, "attempt").as_deref(), Some("1"));
    assert_eq!(field(0, "status").as_deref(), Some("503"));
    assert_eq!(field(0, "backoff_ms").as_deref(), Some("2000"));
    assert!(field(0, "elapsed_ms").is_some_and(|v| v.parse::<u64>().is_ok()), "{attempts:?}");
    assert_eq!(field(1, "attempt").as_deref(), Some("2"));
    assert_eq!(field(1, "status").as_deref(), Some("200"));
    assert!(field(1, "elapsed_ms").is_some_and(|v| v.parse::<u64>().is_ok()), "{attempts:?}");
    assert_eq!(field(1, "backoff_ms"), None, "the last attempt waited for nothing");

    // The retry is announced with the error that caused it.
    let events = captured.events.lock().unwrap().clone();
    assert!(events.iter().any(|e| e.contains("retrying") && e.contains("503")), "{events:#?}");
}

#[tokio::test]
async fn a_server_echoing_the_token_does_not_put_it_in_errors_or_logs() {
    let (captured, _guard) = capture();
    // A proxy's debug page that echoes the request headers back, on a retried
    // status so the error also goes through the "retrying" event.
    let page = format!("<html><pre>GET /things.get\nAuthorization: Bearer {TOKEN}\n</pre></html>");
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(502).set_body_raw(page, "text/html")).mount(&server).await;
    let (c, _) = client(&server.uri());
    let err = Ep::Get.call(&c).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    let excerpt = err.api().unwrap().excerpt().unwrap();
    assert!(excerpt.contains("Bearer <redacted>"), "{excerpt}");
    assert!(!err.to_string().contains(TOKEN) && !format!("{err:?}").contains(TOKEN), "{err:?}");

    // The same in a JSON error message, and in a success body that does not decode.
    let json = format!(r#"{{"type":"unauthenticated","message":"token {TOKEN} expired"}}"#);
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_raw(json, "application/json"))
        .mount(&server)
        .await;
    let err = Ep::Get.call(&client(&server.uri()).0).await.unwrap_err();
    assert_eq!(err.message(), Some("token <redacted> expired"));
    assert!(!err.to_string().contains(TOKEN), "{err}");
    // The typed body is decoded from the scrubbed bytes: its Debug is clean too.
    let body = err.api().unwrap().body::<devrev::DevRevError>().unwrap();
    assert_eq!(body.message.as_deref(), Some("token <redacted> expired"));
    assert!(!format!("{err:?}").contains(TOKEN), "{err:?}");

    let server = MockServer::start().await;
    let body = format!(r#"{{"echo":"{TOKEN}"}}"#);
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let err = Ep::Get.call(&client(&server.uri()).0).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)));
    assert!(!err.to_string().contains(TOKEN) && !format!("{err:?}").contains(TOKEN), "{err:?}");

    assert!(!captured.all_text().contains(TOKEN), "{}", captured.all_text());
}

#[tokio::test]
async fn a_short_token_leaves_prose_alone_and_is_redacted_where_it_stands() {
    let (captured, _guard) = capture();
    // A test token of one letter: the `x` of "expected" stays, the token does not.
    let json = r#"{"type":"bad_request","message":"expected a string; token x refused","detail":"Bearer x"}"#;
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_raw(json, "application/json"))
        .mount(&server)
        .await;
    let c = Client::builder().token("x").base_url(server.uri()).build().unwrap();
    let err = Ep::Get.call(&c).await.unwrap_err();
    assert_eq!(err.message(), Some("expected a string; token <redacted> refused"));
    assert_eq!(
        err.to_string(),
        "DevRev answered 400 bad_request: expected a string; token <redacted> refused (Bearer <redacted>)"
    );
    assert!(!format!("{err:?}").contains("Bearer x"), "{err:?}");
    assert!(!captured.all_text().contains("Bearer x"), "{}", captured.all_text());
}

/// Every way the token can reach text: Display, Debug, alternate Debug.
fn texts(err: &Error) -> [String; 3] {
    [err.to_string(), format!("{err:?}"), format!("{err:#?}")]
}

#[tokio::test]
async fn headers_that_echo_the_token_are_scrubbed_in_every_error_and_response() {
    let echo = format!("Bearer {TOKEN}");
    let with_echo = |status: u16| {
        ResponseTemplate::new(status)
            .insert_header("x-echo-authorization", echo.as_str())
            .insert_header("x-request-id", "req-1")
    };
    let server = MockServer::start().await;
    let (c, _) = client(&server.uri());

    // A redirect whose Location carries the token, and echoes it in another header.
    Mock::given(any())
        .respond_with(
            with_echo(302).insert_header("location", format!("https://elsewhere.example/cb?access_token={TOKEN}")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let redirect = Ep::Get.call(&c).await.unwrap_err();
    assert!(matches!(redirect, Error::Redirect(_)), "{redirect:?}");
    assert_eq!(redirect.location(), Some("https://elsewhere.example/cb?access_token=<redacted>"));
    let Error::Redirect(r) = &redirect else { unreachable!() };
    assert_eq!(r.meta().headers["x-echo-authorization"], "Bearer <redacted>");
    assert_eq!(r.meta().headers["x-request-id"], "req-1", "other headers are untouched");

    // A success body that does not decode, with the echo.
    Mock::given(any())
        .respond_with(with_echo(200).set_body_raw(r#"{"unexpected":true}"#, "application/json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let decode = Ep::Get.call(&c).await.unwrap_err();
    assert!(matches!(decode, Error::Decode(_)), "{decode:?}");

    // An API error, with the echo.
    Mock::given(any())
        .respond_with(with_echo(404).set_body_raw(r#"{"type":"not_found","message":"no"}"#, "application/json"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let api = Ep::Get.call(&c).await.unwrap_err();
    assert_eq!(api.status(), Some(404));

    for err in [&redirect, &decode, &api] {
        for text in texts(err) {
            assert!(!text.contains(TOKEN), "{text}");
        }
    }

    // A success, with the echo: the response's headers and Debug are clean too.
    Mock::given(any())
        .respond_with(with_echo(200).set_body_raw(thing_json("T-1"), "application/json"))
        .mount(&server)
        .await;
    let ok = devrev::send_with_meta(&c, &reliability_support::ThingsGetRequest { id: "T-1".into() }).await.unwrap();
    assert_eq!(ok.headers()["x-echo-authorization"], "Bearer <redacted>");
    for text in [format!("{ok:?}"), format!("{ok:#?}"), format!("{:?}", ok.meta)] {
        assert!(!text.contains(TOKEN), "{text}");
    }
}

#[tokio::test]
async fn a_token_straddling_the_excerpt_cut_leaves_no_part_of_itself() {
    // A success body that does not decode: 0..N filler bytes, then the token,
    // placed at every offset around the 512-byte cut.
    let server = MockServer::start().await;
    let (c, _) = client(&server.uri());
    for filler in (512 - TOKEN.len() - 2)..=(512 + 2) {
        server.reset().await;
        let body = format!("{}{TOKEN} and more", "x".repeat(filler));
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        let err = Ep::Get.call(&c).await.unwrap_err();
        let Error::Decode(decode) = &err else { panic!("expected a decode error, got {err:?}") };
        // The body is filler and the token only: no three bytes of the token
        // may survive anywhere (its first bytes are where a cut would leave them).
        for text in texts(&err).iter().chain([&decode.excerpt().to_owned()]) {
            for start in 0..=TOKEN.len() - 3 {
                let part = &TOKEN[start..start + 3];
                assert!(!text.contains(part), "filler {filler}: `{part}` survives in {text}");
            }
        }
    }
}

#[tokio::test]
async fn every_error_variant_prints_no_token() {
    // The variants not covered by a server's answer above: a config error for
    // a base URL that carries the token as a password, an encode error, a
    // repeated cursor that is the token, and a refused endpoint path.
    let config = Client::builder().token(TOKEN).base_url(format!("https://user:{TOKEN}@api.devrev.ai")).build();
    let config = config.unwrap_err();
    assert!(matches!(config, Error::Config(_)), "{config:?}");

    #[devrev::devrev_endpoint(GET, "/scores.list", response = serde_json::Value)]
    #[derive(Debug, Clone, serde::Serialize)]
    struct ScoresListRequest {
        min: f64,
    }
    let server = MockServer::start().await;
    let (c, _) = client(&server.uri());
    let encode = ScoresListRequest { min: f64::NAN }.send(&c).await.unwrap_err();
    assert!(matches!(encode, Error::Encode(_)), "{encode:?}");
    assert!(encode.to_string().contains("not a finite number"), "{encode}");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing is sent");

    #[devrev::devrev_endpoint(GET, "/loops.list", paginate)]
    #[derive(Debug, Clone, serde::Serialize)]
    struct LoopsListRequest {
        cursor: Option<String>,
    }
    #[derive(Debug, serde::Deserialize, devrev::Page)]
    struct LoopsListResponse {
        loops: Vec<u32>,
        next_cursor: Option<String>,
    }
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(format!(r#"{{"loops":[1],"next_cursor":"{TOKEN}"}}"#), "application/json"),
        )
        .mount(&server)
        .await;
    let mut pages = LoopsListRequest { cursor: None }.pages(&c);
    pages.try_next().await.unwrap();
    pages.try_next().await.unwrap();
    let pagination = pages.try_next().await.unwrap_err();
    assert!(matches!(pagination, Error::Pagination(_)), "{pagination:?}");

    for err in [&config, &encode, &pagination] {
        for text in texts(err) {
            assert!(!text.contains(TOKEN), "{text}");
        }
    }
}
