//! Streamed answers (`stream`): events are decoded as the server writes
//! them, a malformed event is a typed error, and the stream ends when the
//! server closes it, says `[DONE]`, breaks, or sends too much.

use crate::common;

use common::client;
use std::time::Duration;

use devrev::{devrev_endpoint, Client, Error};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// A chat completion, streamed.
#[devrev_endpoint(POST, "/recommendations.chat.completions", stream, response = Chunk)]
#[derive(Debug, Clone, Serialize)]
struct ChatCompletionsRequest {
    prompt: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Chunk {
    text: String,
}

/// What the test server does, step by step.
enum Step {
    /// Write these bytes as one HTTP chunk.
    Write(&'static str),
    /// Wait until the test says go on.
    WaitForGo,
    /// Close the connection cleanly (end of the chunked body).
    End,
    /// Drop the connection mid-body.
    Break,
}

/// A one-connection server: reads the request, answers `200 text/event-stream`
/// in chunked encoding, then follows `steps`. Returns its URL, the request's
/// head, and the sender that lets `WaitForGo` steps go on.
async fn serve(steps: Vec<Step>) -> (String, mpsc::Receiver<String>, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (head_tx, head_rx) = mpsc::channel(1);
    let (go_tx, mut go_rx) = mpsc::channel::<()>(8);
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let head = read_request(&mut stream).await;
        head_tx.send(head).await.unwrap();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
            .await
            .unwrap();
        for step in steps {
            match step {
                Step::Write(text) => {
                    let chunk = format!("{:x}\r\n{text}\r\n", text.len());
                    if stream.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                    let _ = stream.flush().await;
                }
                Step::WaitForGo => {
                    go_rx.recv().await;
                }
                Step::End => {
                    let _ = stream.write_all(b"0\r\n\r\n").await;
                    let _ = stream.flush().await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    return;
                }
                Step::Break => return,
            }
        }
    });
    (url, head_rx, go_tx)
}

async fn read_request(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    loop {
        let n = stream.read(&mut byte).await.unwrap();
        buf.extend_from_slice(&byte[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = stream.read(&mut byte).await.unwrap();
                buf.extend_from_slice(&byte[..n]);
            }
            return format!("{head}\n\n{}", String::from_utf8_lossy(&buf[end + 4..end + 4 + len]));
        }
        if n == 0 {
            return String::from_utf8_lossy(&buf).to_string();
        }
    }
}

fn chunk(text: &str) -> Chunk {
    Chunk { text: text.to_owned() }
}

#[tokio::test]
async fn events_arrive_one_by_one_as_the_server_writes_them() {
    let (url, mut head, go) = serve(vec![
        Step::Write(": keep-alive\n\nevent: delta\ndata: {\"text\":\"Hel\"}\n\n"),
        Step::WaitForGo,
        // One event split across writes, with CRLF line ends and two data lines.
        Step::Write("data: {\"text\":\r\n"),
        Step::Write("data: \"lo\"}\r\n\r\n"),
        Step::WaitForGo,
        Step::Write("data: {\"text\":\"!\"}\n\n"),
        Step::End,
    ])
    .await;
    let mut events = ChatCompletionsRequest { prompt: "hi".into() }.send(&client(&url)).await.unwrap();
    let request = head.recv().await.unwrap();
    assert!(request.starts_with("POST /recommendations.chat.completions HTTP/1.1"), "{request}");
    assert!(request.ends_with(r#"{"prompt":"hi"}"#), "{request}");
    assert_eq!(events.meta().status, 200);

    // The first event is here while the server is still waiting to write the second.
    assert_eq!(events.try_next().await.unwrap(), Some(chunk("Hel")));
    assert_eq!(events.last_event_type(), Some("delta"));
    go.send(()).await.unwrap();
    assert_eq!(events.try_next().await.unwrap(), Some(chunk("lo")));
    assert_eq!(events.last_event_type(), None);
    go.send(()).await.unwrap();
    assert_eq!(events.try_next().await.unwrap(), Some(chunk("!")));
    // The server closed the stream: it ends, and stays ended.
    assert_eq!(events.try_next().await.unwrap(), None);
    assert_eq!(events.try_next().await.unwrap(), None);
}

#[tokio::test]
async fn a_malformed_event_is_a_typed_error_and_the_stream_goes_on() {
    let (url, _head, _go) = serve(vec![
        Step::Write("data: {\"text\":\"a\"}\n\ndata: {\"text\": 42}\n\ndata: not json\n\n"),
        Step::Write("data: {\"text\":\"b\"}\n\ndata: [DONE]\n\ndata: {\"text\":\"after done\"}\n\n"),
        Step::End,
    ])
    .await;
    let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&client(&url)).await.unwrap();
    assert_eq!(events.try_next().await.unwrap(), Some(chunk("a")));
    let err = events.try_next().await.unwrap_err();
    let Error::Decode(decode) = &err else { panic!("expected a decode error, got {err:?}") };
    assert_eq!(decode.path(), Some("text"));
    assert_eq!(decode.excerpt(), r#"{"text": 42}"#);
    let err = events.try_next().await.unwrap_err();
    assert!(matches!(&err, Error::Decode(d) if d.path().is_none() && d.excerpt() == "not json"), "{err:?}");
    assert_eq!(events.try_next().await.unwrap(), Some(chunk("b")));
    // `[DONE]` ends the stream; what follows is not read.
    assert_eq!(events.try_next().await.unwrap(), None);
}

#[tokio::test]
async fn a_broken_connection_ends_the_stream_with_a_transport_error() {
    let (url, _head, _go) = serve(vec![Step::Write("data: {\"text\":\"a\"}\n\ndata: {\"te"), Step::Break]).await;
    let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&client(&url)).await.unwrap();
    assert_eq!(events.try_next().await.unwrap(), Some(chunk("a")));
    let err = events.try_next().await.unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.maybe_sent()), "{err:?}");
    assert_eq!(events.try_next().await.unwrap(), None);
}

#[tokio::test]
async fn a_silent_server_times_out_between_events() {
    let (url, _head, _go) = serve(vec![Step::Write("data: {\"text\":\"a\"}\n\n"), Step::WaitForGo]).await;
    let client = client(&url).with_timeout(Duration::from_millis(200));
    let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&client).await.unwrap();
    assert_eq!(events.try_next().await.unwrap(), Some(chunk("a")));
    let err = events.try_next().await.unwrap_err();
    assert!(matches!(&err, Error::Timeout(t) if t.limit() == Duration::from_millis(200)), "{err:?}");
}

#[tokio::test]
async fn an_oversized_event_is_refused_without_reading_it_whole() {
    // A line that never ends, far past a 1 KiB cap.
    let long: &'static str = Box::leak(format!("data: {}", "x".repeat(4096)).into_boxed_str());
    let (url, _head, _go) = serve(vec![Step::Write(long), Step::WaitForGo]).await;
    let client = Client::builder().token("t").base_url(&url).max_body_bytes(1024).build().unwrap();
    let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&client).await.unwrap();
    let err = events.try_next().await.unwrap_err();
    assert!(matches!(&err, Error::BodyTooLarge(_)), "{err:?}");
    assert_eq!(events.try_next().await.unwrap(), None);
}

#[tokio::test]
async fn an_error_status_is_a_typed_error_from_send() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(403)
                .set_body_raw(r#"{"type":"forbidden","message":"no chat for you"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let err = ChatCompletionsRequest { prompt: "x".into() }.send(&client(server.uri())).await.unwrap_err();
    assert_eq!((err.status(), err.error_type()), (Some(403), Some("forbidden")));
}

/// A server answering 200 with `body` of `content_type`, recording the request body.
async fn answer_with(content_type: &str, body: &str) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/recommendations.chat.completions"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(body.to_owned(), content_type))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_json_answer_is_one_final_event() {
    // DevRev streams only when asked; the same typed call reads a plain JSON answer.
    for content_type in ["application/json", "application/json; charset=utf-8"] {
        let server = answer_with(content_type, r#"{"text": "whole answer"}"#).await;
        let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&client(server.uri())).await.unwrap();
        assert_eq!(events.meta().status, 200);
        assert_eq!(events.try_next().await.unwrap(), Some(chunk("whole answer")), "{content_type}");
        assert_eq!(events.try_next().await.unwrap(), None);
        assert_eq!(events.try_next().await.unwrap(), None);
        assert_eq!(events.last_event_type(), None);
    }
    // `data:` lines in a JSON answer are not events: the body is decoded as a whole.
    let server = answer_with("application/json", "data: {\"text\":\"a\"}\n\n").await;
    let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&client(server.uri())).await.unwrap();
    let err = events.try_next().await.unwrap_err();
    assert!(matches!(&err, Error::Decode(_)), "{err:?}");
    assert_eq!(events.try_next().await.unwrap(), None);
}

#[tokio::test]
async fn a_json_answer_that_does_not_decode_or_is_too_large_is_a_typed_error() {
    let server = answer_with("application/json", r#"{"text": 42}"#).await;
    let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&client(server.uri())).await.unwrap();
    let err = events.try_next().await.unwrap_err();
    let Error::Decode(decode) = &err else { panic!("expected a decode error, got {err:?}") };
    assert_eq!(decode.path(), Some("text"));
    assert_eq!(events.try_next().await.unwrap(), None);

    let big = format!(r#"{{"text": "{}"}}"#, "x".repeat(4096));
    let server = answer_with("application/json", &big).await;
    let capped = Client::builder().token("t").base_url(server.uri()).max_body_bytes(1024).build().unwrap();
    let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&capped).await.unwrap();
    let err = events.try_next().await.unwrap_err();
    assert!(matches!(&err, Error::BodyTooLarge(_)), "{err:?}");
    assert_eq!(events.try_next().await.unwrap(), None);

    // An empty body (a 200 with nothing) is a stream of no events.
    let server = answer_with("application/json", "").await;
    let mut events = ChatCompletionsRequest { prompt: "x".into() }.send(&client(server.uri())).await.unwrap();
    assert_eq!(events.try_next().await.unwrap(), None);
}
