//! The fault matrix: each way a server or the network can misbehave, against
//! an idempotent endpoint (`GET /things.get`) and a non-idempotent one
//! (`POST /things.create`). Each row asserts the outcome, the typed error, the
//! number of requests the server saw and the waits the client asked for
//! (through a recording `Sleeper`: nothing sleeps for real for backoff).

use crate::reliability_support;

use std::time::Duration;

use devrev::{Error, ErrorKind, RetryPolicy, TimeoutKind, TransportKind};
use reliability_support::{builder, client, refused_url, thing_json, Ep, Fault, RawServer, RecordingSleeper, TOKEN};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

async fn seen(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// A server answering `first` once, then `then` for every later request.
async fn server_with(ep: Ep, first: ResponseTemplate, then: Option<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(ep.method())).and(path(ep.path())).respond_with(first).up_to_n_times(1).mount(&server).await;
    if let Some(then) = then {
        Mock::given(method(ep.method())).and(path(ep.path())).respond_with(then).mount(&server).await;
    }
    server
}

/// A server answering `answer` to every request.
async fn always(ep: Ep, answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(ep.method())).and(path(ep.path())).respond_with(answer).mount(&server).await;
    server
}

fn api_status(err: &Error) -> u16 {
    match err {
        Error::Api(api) => api.status(),
        other => panic!("expected an API error, got {other:?}"),
    }
}

// ---- 429 -------------------------------------------------------------------

#[tokio::test]
async fn rate_limited_with_retry_after_header_only() {
    for ep in Ep::BOTH {
        let limited = ResponseTemplate::new(429).insert_header("retry-after", "7");
        let server = server_with(ep, limited, Some(json(200, &thing_json("T-1")))).await;
        let (client, sleeper) = client(&server.uri());
        let answer = ep.call(&client).await.unwrap();
        assert_eq!(answer.value.thing.id, "T-1", "{ep:?}");
        assert_eq!(answer.attempts(), 2, "{ep:?}");
        assert_eq!(seen(&server).await, 2, "{ep:?}: a 429 is retried for every endpoint");
        assert_eq!(sleeper.waits(), [Duration::from_secs(7)], "{ep:?}");
    }
}

#[tokio::test]
async fn rate_limited_with_body_retry_after_only() {
    for ep in Ep::BOTH {
        let limited = json(429, r#"{"type":"too_many_requests","message":"slow down","retry_after":5}"#);
        let server = server_with(ep, limited, Some(json(200, &thing_json("T-1")))).await;
        let (client, sleeper) = client(&server.uri());
        assert_eq!(ep.call(&client).await.unwrap().attempts(), 2, "{ep:?}");
        assert_eq!(seen(&server).await, 2, "{ep:?}");
        assert_eq!(sleeper.waits(), [Duration::from_secs(5)], "{ep:?}");
    }
}

#[tokio::test]
async fn rate_limited_with_header_and_body_waits_the_larger() {
    for (header, body, expected) in [("3", 9, 9), ("11", 4, 11)] {
        for ep in Ep::BOTH {
            let limited = json(429, &format!(r#"{{"type":"too_many_requests","retry_after":{body}}}"#))
                .insert_header("retry-after", header);
            let server = server_with(ep, limited, Some(json(200, &thing_json("T-1")))).await;
            let (client, sleeper) = client(&server.uri());
            ep.call(&client).await.unwrap();
            assert_eq!(seen(&server).await, 2, "{ep:?}");
            assert_eq!(sleeper.waits(), [Duration::from_secs(expected)], "{ep:?} header {header} body {body}");
        }
    }
}

#[tokio::test]
async fn rate_limited_with_an_http_date() {
    let later = std::time::SystemTime::now() + Duration::from_secs(40);
    for ep in Ep::BOTH {
        let limited = ResponseTemplate::new(429).insert_header("retry-after", httpdate(later).as_str());
        let server = server_with(ep, limited, Some(json(200, &thing_json("T-1")))).await;
        let (client, sleeper) = client(&server.uri());
        ep.call(&client).await.unwrap();
        let waits = sleeper.waits();
        assert_eq!(waits.len(), 1, "{ep:?}");
        assert!(waits[0] > Duration::from_secs(30) && waits[0] <= Duration::from_secs(40), "{ep:?}: {waits:?}");
    }
}

fn httpdate(t: std::time::SystemTime) -> String {
    // RFC 7231 IMF-fixdate, by hand to keep the test's dependencies small.
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{weekday}, {day:02} {} {year} {h:02}:{m:02}:{s:02} GMT", months[(month - 1) as usize])
}

#[tokio::test]
async fn rate_limited_past_the_deadline_returns_at_once() {
    for ep in Ep::BOTH {
        let limited = json(429, r#"{"type":"too_many_requests","message":"slow down","retry_after":600}"#)
            .insert_header("retry-after", "600")
            .insert_header("x-ratelimit-limit", "100")
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", "1700000600");
        let server = server_with(ep, limited, Some(json(200, &thing_json("T-1")))).await;
        let (client, sleeper) = client(&server.uri()); // deadline 120 s
        let err = ep.call(&client).await.unwrap_err();
        assert_eq!(api_status(&err), 429, "{ep:?}");
        assert_eq!(
            err.kind().map(|k| format!("{k:?}")).as_deref(),
            Some(r#"TooManyRequests { retry_after: Some(600) }"#)
        );
        assert_eq!(err.retry_after(), Some(Duration::from_secs(600)), "{ep:?}");
        assert_eq!(err.attempts(), 1, "{ep:?}");
        let rate = err.rate_limit().unwrap();
        assert_eq!((rate.limit, rate.remaining, rate.reset), (Some(100), Some(0), Some(1_700_000_600)));
        assert_eq!(seen(&server).await, 1, "{ep:?}: not retried");
        assert!(sleeper.waits().is_empty(), "{ep:?}: never slept: {:?}", sleeper.waits());
    }
}

#[tokio::test]
async fn absurd_retry_after_is_past_the_deadline_not_a_panic() {
    for ep in Ep::BOTH {
        for value in ["18446744073709551615", "99999999999999"] {
            let limited = ResponseTemplate::new(429).insert_header("retry-after", value);
            let server = server_with(ep, limited, None).await;
            let (client, sleeper) = client(&server.uri());
            let err = ep.call(&client).await.unwrap_err();
            assert_eq!(api_status(&err), 429, "{ep:?} {value}");
            assert_eq!(err.retry_after(), Some(Duration::from_secs(value.parse().unwrap())));
            assert_eq!(seen(&server).await, 1, "{ep:?} {value}");
            assert!(sleeper.waits().is_empty());
        }
    }
}

#[tokio::test]
async fn the_largest_wait_under_an_endless_deadline_does_not_overflow() {
    // With `Duration::MAX` as the deadline, any wait fits: it is slept (here:
    // recorded), and adding it to the time spent so far must not panic.
    let limited = ResponseTemplate::new(429).insert_header("retry-after", "18446744073709551615");
    let server = server_with(Ep::Create, limited, Some(json(200, &thing_json("T-1")))).await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server.uri(), &sleeper).deadline(Duration::MAX).build().unwrap();
    assert_eq!(Ep::Create.call(&client).await.unwrap().attempts(), 2);
    assert_eq!(sleeper.waits(), [Duration::from_secs(u64::MAX)]);
}

#[tokio::test]
async fn rate_limited_without_recovery_gives_up_after_three_attempts() {
    for ep in Ep::BOTH {
        let server = always(ep, ResponseTemplate::new(429).insert_header("retry-after", "1")).await;
        let (client, sleeper) = client(&server.uri());
        let err = ep.call(&client).await.unwrap_err();
        assert_eq!(api_status(&err), 429);
        assert_eq!(err.attempts(), 3);
        assert_eq!(seen(&server).await, 3, "{ep:?}");
        assert_eq!(sleeper.waits(), [Duration::from_secs(1); 2], "{ep:?}");
        assert!(err.to_string().contains("retry after 1s"), "{err}");
    }
}

// ---- 500 / 503 ---------------------------------------------------------------

#[tokio::test]
async fn server_errors_recover_only_for_idempotent_endpoints() {
    for status in [500, 502, 503, 504] {
        for ep in Ep::BOTH {
            let failing = json(status, r#"{"type":"internal_error","message":"oops","reference_id":"ref-1"}"#);
            let server = server_with(ep, failing, Some(json(200, &thing_json("T-2")))).await;
            let (client, sleeper) = client(&server.uri());
            let result = ep.call(&client).await;
            if ep.idempotent() {
                let answer = result.unwrap();
                assert_eq!((answer.value.thing.id.as_str(), answer.attempts()), ("T-2", 2));
                assert_eq!(seen(&server).await, 2, "{ep:?} {status}");
                let waits = sleeper.waits();
                assert_eq!(waits.len(), 1);
                assert!(waits[0] <= Duration::from_secs(1), "first backoff within 1 s: {waits:?}");
            } else {
                let err = result.unwrap_err();
                assert_eq!(api_status(&err), status);
                assert_eq!(err.attempts(), 1);
                assert_eq!(seen(&server).await, 1, "{ep:?} {status}: a create is never re-sent after a {status}");
                assert!(sleeper.waits().is_empty());
            }
        }
    }
}

#[tokio::test]
async fn server_errors_without_recovery() {
    for status in [500, 503] {
        for ep in Ep::BOTH {
            let body = if status == 500 {
                r#"{"type":"internal_error","message":"oops","reference_id":"ref-9"}"#
            } else {
                r#"{"type":"service_unavailable","message":"down"}"#
            };
            let server = always(ep, json(status, body)).await;
            let (client, sleeper) = client(&server.uri());
            let err = ep.call(&client).await.unwrap_err();
            assert_eq!(api_status(&err), status);
            assert_eq!(seen(&server).await, ep.sends_when_idempotent_only(), "{ep:?} {status}");
            assert_eq!(err.attempts() as usize, ep.sends_when_idempotent_only());
            if status == 500 {
                assert_eq!(err.reference_id(), Some("ref-9"));
            } else {
                assert_eq!(err.kind(), Some(&ErrorKind::ServiceUnavailable));
            }
            let waits = sleeper.waits();
            if ep.idempotent() {
                // Full jitter below a doubling ceiling: 1 s, then 2 s.
                assert_eq!(waits.len(), 2, "{waits:?}");
                assert!(waits[0] <= Duration::from_secs(1) && waits[1] <= Duration::from_secs(2), "{waits:?}");
            } else {
                assert!(waits.is_empty());
            }
        }
    }
}

#[tokio::test]
async fn a_503_retry_after_is_honoured_for_idempotent_endpoints() {
    let server = server_with(
        Ep::Get,
        ResponseTemplate::new(503).insert_header("retry-after", "4"),
        Some(json(200, &thing_json("T-1"))),
    )
    .await;
    let (client, sleeper) = client(&server.uri());
    Ep::Get.call(&client).await.unwrap();
    assert_eq!(sleeper.waits(), [Duration::from_secs(4)]);
}

#[tokio::test]
async fn html_502_from_a_proxy() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body>upstream gone</body></html>";
    for ep in Ep::BOTH {
        let server = always(ep, ResponseTemplate::new(502).set_body_raw(page, "text/html")).await;
        let (client, _) = client(&server.uri());
        let err = ep.call(&client).await.unwrap_err();
        assert_eq!(api_status(&err), 502);
        assert_eq!(err.error_type(), None);
        assert_eq!(err.api().unwrap().excerpt(), Some(page));
        assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
        assert_eq!(seen(&server).await, ep.sends_when_idempotent_only(), "{ep:?}");
    }
}

// ---- the network -------------------------------------------------------------

#[tokio::test]
async fn connection_refused_is_retried_for_every_endpoint() {
    for ep in Ep::BOTH {
        let (client, sleeper) = client(&refused_url().await);
        let err = ep.call(&client).await.unwrap_err();
        match &err {
            Error::Transport(t) => {
                assert_eq!(t.kind(), TransportKind::Connect, "{ep:?}: {err}");
                assert!(!t.maybe_sent(), "nothing was sent");
                assert_eq!(t.attempts(), 3, "{ep:?}: refused connections are retried even for a create");
            }
            other => panic!("{ep:?}: expected a transport error, got {other:?}"),
        }
        assert_eq!(sleeper.waits().len(), 2, "{ep:?}");
    }
}

#[tokio::test]
async fn connection_reset_after_sending_never_resends_a_create() {
    for ep in Ep::BOTH {
        let server = RawServer::start(Fault::Reset).await;
        let (client, sleeper) = client(&server.url);
        let err = ep.call(&client).await.unwrap_err();
        match &err {
            Error::Transport(t) => {
                assert_eq!(t.kind(), TransportKind::Connection, "{ep:?}: {err}");
                assert!(t.maybe_sent(), "{ep:?}: {err}");
            }
            other => panic!("{ep:?}: expected a transport error, got {other:?}"),
        }
        assert_eq!(server.requests(), ep.sends_when_idempotent_only(), "{ep:?}");
        assert_eq!(err.attempts() as usize, ep.sends_when_idempotent_only());
        assert_eq!(sleeper.waits().len(), ep.sends_when_idempotent_only() - 1);
    }
}

#[tokio::test]
async fn headers_that_never_arrive_time_out_the_attempt() {
    for ep in Ep::BOTH {
        let server = RawServer::start(Fault::Silent).await;
        let sleeper = RecordingSleeper::default();
        let client = builder(&server.url, &sleeper).timeout(Duration::from_millis(200)).build().unwrap();
        let err = ep.call(&client).await.unwrap_err();
        match &err {
            Error::Timeout(t) => {
                assert_eq!(t.kind(), TimeoutKind::Attempt);
                assert_eq!(t.limit(), Duration::from_millis(200));
            }
            other => panic!("{ep:?}: expected a timeout, got {other:?}"),
        }
        assert!(err.is_timeout());
        assert_eq!(server.requests(), ep.sends_when_idempotent_only(), "{ep:?}");
        assert_eq!(err.attempts() as usize, ep.sends_when_idempotent_only());
    }
}

#[tokio::test]
async fn a_body_that_stalls_halfway_times_out_the_attempt() {
    for ep in Ep::BOTH {
        let server = RawServer::start(Fault::StallBody).await;
        let sleeper = RecordingSleeper::default();
        let client = builder(&server.url, &sleeper).timeout(Duration::from_millis(200)).build().unwrap();
        let err = ep.call(&client).await.unwrap_err();
        assert!(matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Attempt), "{ep:?}: {err:?}");
        assert_eq!(server.requests(), ep.sends_when_idempotent_only(), "{ep:?}");
    }
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    let server = RawServer::start(Fault::Silent).await;
    let sleeper = RecordingSleeper::default();
    let client = builder(&server.url, &sleeper).deadline(Duration::from_millis(300)).build().unwrap();
    let err = Ep::Get.call(&client).await.unwrap_err();
    assert!(matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Deadline), "{err:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_body_cut_short_by_the_server() {
    for ep in Ep::BOTH {
        let server = RawServer::start(Fault::CutBody).await;
        let (client, _) = client(&server.url);
        let err = ep.call(&client).await.unwrap_err();
        assert!(matches!(&err, Error::Transport(t) if t.maybe_sent()), "{ep:?}: {err:?}");
        assert_eq!(server.requests(), ep.sends_when_idempotent_only(), "{ep:?}");
    }
}

// ---- bodies ------------------------------------------------------------------

#[tokio::test]
async fn empty_200_and_empty_204_decode_into_an_empty_response() {
    for ep in Ep::BOTH {
        for status in [200, 204] {
            let server = MockServer::start().await;
            Mock::given(path(ep.empty_path())).respond_with(ResponseTemplate::new(status)).mount(&server).await;
            let (client, _) = client(&server.uri());
            let answer = ep.call_empty(&client).await.unwrap();
            assert_eq!(answer.status(), status);
            assert_eq!(seen(&server).await, 1);
        }
    }
}

#[tokio::test]
async fn an_empty_200_where_fields_are_required_is_a_decode_error() {
    for ep in Ep::BOTH {
        let server = always(ep, ResponseTemplate::new(200)).await;
        let (client, _) = client(&server.uri());
        let err = ep.call(&client).await.unwrap_err();
        match &err {
            Error::Decode(d) => {
                assert_eq!(d.meta().status, 200);
                assert_eq!(d.excerpt(), "");
                assert!(d.message().contains("thing"), "{}", d.message());
            }
            other => panic!("{ep:?}: expected a decode error, got {other:?}"),
        }
        assert_eq!(seen(&server).await, 1, "{ep:?}: a decode error is not retried");
    }
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_with_an_excerpt() {
    for ep in Ep::BOTH {
        let server = always(ep, json(200, r#"{"thing":{"id":"T-1","sta"#)).await;
        let (client, _) = client(&server.uri());
        let err = ep.call(&client).await.unwrap_err();
        match &err {
            Error::Decode(d) => assert_eq!(d.excerpt(), r#"{"thing":{"id":"T-1","sta"#),
            other => panic!("{ep:?}: expected a decode error, got {other:?}"),
        }
        assert_eq!(err.status(), Some(200));
        assert_eq!(seen(&server).await, 1, "{ep:?}");
    }
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused() {
    for ep in Ep::BOTH {
        let big = format!(r#"{{"thing":{{"id":"{}"}}}}"#, "x".repeat(4096));
        let server = always(ep, json(200, &big)).await;
        let sleeper = RecordingSleeper::default();
        let client = builder(&server.uri(), &sleeper).max_body_bytes(1024).build().unwrap();
        let err = ep.call(&client).await.unwrap_err();
        match &err {
            Error::BodyTooLarge(e) => assert_eq!(e.limit(), 1024),
            other => panic!("{ep:?}: expected BodyTooLarge, got {other:?}"),
        }
        assert_eq!(err.status(), Some(200));
        assert_eq!(seen(&server).await, 1, "{ep:?}");
        // The same body under a larger cap decodes.
        let client = builder(&server.uri(), &sleeper).max_body_bytes(8192).build().unwrap();
        assert_eq!(ep.call(&client).await.unwrap().value.thing.id.len(), 4096);
    }
}

#[tokio::test]
async fn a_chunked_body_over_the_cap_is_read_no_further() {
    const SENT: usize = 64 * 1024 * 1024;
    for ep in Ep::BOTH {
        let server = RawServer::start(Fault::Chunked(SENT)).await;
        let sleeper = RecordingSleeper::default();
        let client = builder(&server.url, &sleeper).max_body_bytes(1024).build().unwrap();
        let err = ep.call(&client).await.unwrap_err();
        assert!(matches!(&err, Error::BodyTooLarge(e) if e.limit() == 1024), "{ep:?}: {err:?}");
        assert_eq!(server.requests(), 1, "{ep:?}");
        // The client hung up long before the server could write 64 MiB.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(server.written() < SENT, "{ep:?}: the server wrote it all");
    }
}

#[tokio::test]
async fn an_unknown_error_type_is_typed_and_keeps_its_fields() {
    for ep in Ep::BOTH {
        let server = always(ep, json(400, r#"{"type":"quota_exhausted","message":"no more","quota":"widgets"}"#)).await;
        let (client, _) = client(&server.uri());
        let err = ep.call(&client).await.unwrap_err();
        assert_eq!(api_status(&err), 400);
        assert_eq!(err.error_type(), Some("quota_exhausted"));
        match err.kind() {
            Some(ErrorKind::Unknown { error_type, fields, .. }) => {
                assert_eq!(error_type.as_deref(), Some("quota_exhausted"));
                assert_eq!(fields["quota"], "widgets");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(seen(&server).await, 1, "{ep:?}: a 400 is never retried");
    }
}

#[tokio::test]
async fn a_conflict_is_never_retried() {
    for ep in Ep::BOTH {
        let server = always(ep, json(409, r#"{"type":"conflict","message":"exists"}"#)).await;
        let (client, sleeper) = client(&server.uri());
        let err = ep.call(&client).await.unwrap_err();
        assert_eq!(err.kind(), Some(&ErrorKind::Conflict));
        assert_eq!(seen(&server).await, 1, "{ep:?}");
        assert!(sleeper.waits().is_empty());
    }
}

#[tokio::test]
async fn a_408_is_retried_for_every_endpoint() {
    for ep in Ep::BOTH {
        let server = server_with(ep, ResponseTemplate::new(408), Some(json(200, &thing_json("T-1")))).await;
        let (client, _) = client(&server.uri());
        assert_eq!(ep.call(&client).await.unwrap().attempts(), 2);
        assert_eq!(seen(&server).await, 2, "{ep:?}");
    }
}

#[tokio::test]
async fn an_unknown_enum_value_in_a_success_body_decodes() {
    for ep in Ep::BOTH {
        let server = always(ep, json(200, r#"{"thing":{"id":"T-1","state":"hibernating"},"extra":[1,2]}"#)).await;
        let (client, _) = client(&server.uri());
        let thing = ep.call(&client).await.unwrap().value.thing;
        assert_eq!(thing.state, Some(devrev::models::UserState::Unknown("hibernating".into())));
        assert_eq!(seen(&server).await, 1);
    }
}

// ---- redirects -----------------------------------------------------------------

#[tokio::test]
async fn a_301_is_a_typed_redirect_and_is_not_followed() {
    for ep in Ep::BOTH {
        let server = MockServer::start().await;
        let moved = ResponseTemplate::new(301).insert_header("location", "/things.get?id=T-NEW");
        Mock::given(path(ep.path())).respond_with(moved).mount(&server).await;
        Mock::given(path("/things.get")).respond_with(json(200, &thing_json("T-NEW"))).mount(&server).await;
        let (client, sleeper) = client(&server.uri());
        let err = ep.call(&client).await.unwrap_err();
        assert!(matches!(&err, Error::Redirect(_)), "{err:?}");
        assert_eq!(err.status(), Some(301));
        assert_eq!(err.location(), Some("/things.get?id=T-NEW"));
        assert_eq!(err.attempts(), 1);
        assert_eq!(seen(&server).await, 1, "{ep:?}: the redirect was not followed");
        assert!(sleeper.waits().is_empty());
    }
}

#[tokio::test]
async fn a_redirect_to_another_host_sends_it_nothing() {
    for status in [301, 302, 303, 307, 308] {
        for ep in Ep::BOTH {
            let elsewhere = MockServer::start().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(json(200, &thing_json("STOLEN")))
                .mount(&elsewhere)
                .await;
            let target = format!("{}/collect", elsewhere.uri());
            let server = always(ep, ResponseTemplate::new(status).insert_header("location", target.as_str())).await;
            let (client, _) = client(&server.uri());
            let err = ep.call(&client).await.unwrap_err();
            assert_eq!(err.location(), Some(target.as_str()));
            assert_eq!(err.status(), Some(status));
            assert_eq!(seen(&server).await, 1);
            assert_eq!(seen(&elsewhere).await, 0, "{ep:?} {status}: the other host received a request");
            let text = format!("{err} {err:?}");
            assert!(!text.contains(TOKEN), "{text}");
        }
    }
}

// ---- per-call policy -------------------------------------------------------------

#[tokio::test]
async fn no_retries_means_one_request_whatever_the_failure() {
    for ep in Ep::BOTH {
        let server = always(ep, ResponseTemplate::new(429).insert_header("retry-after", "1")).await;
        let (client, sleeper) = client(&server.uri());
        let err = ep.call(&client.with_retry_policy(RetryPolicy::none())).await.unwrap_err();
        assert_eq!(api_status(&err), 429);
        assert_eq!(seen(&server).await, 1);
        assert!(sleeper.waits().is_empty());
    }
}

// ---- issue 14: paths, attempts that never left, reported limits -------------------

#[tokio::test]
async fn an_attempt_that_times_out_before_connecting_was_not_sent() {
    // An https URL to a server that accepts TCP but never answers the TLS
    // handshake: every attempt times out while connecting, before a byte of
    // the request could leave. So even a create is retried, and the server
    // never receives a request.
    for ep in Ep::BOTH {
        let server = RawServer::start(Fault::Silent).await;
        let https = server.url.replacen("http://", "https://", 1);
        let sleeper = RecordingSleeper::default();
        let client = builder(&https, &sleeper).timeout(Duration::from_millis(150)).build().unwrap();
        let err = ep.call(&client).await.unwrap_err();
        assert!(matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Attempt), "{ep:?}: {err:?}");
        assert_eq!(err.attempts(), 3, "{ep:?}: an attempt that never left is retried");
        assert_eq!(sleeper.waits().len(), 2, "{ep:?}");
        assert_eq!(server.requests(), 0, "{ep:?}");
    }
}

#[tokio::test]
async fn a_timeout_reports_the_limit_that_was_set_on_every_path() {
    let silent = RawServer::start(Fault::Silent).await;
    let sleeper = RecordingSleeper::default();
    // The deadline cuts the first attempt short: the error reports the
    // deadline (300 ms), not what was left of it, and not the attempt timeout.
    let cut_short = builder(&silent.url, &sleeper)
        .timeout(Duration::from_secs(5))
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = Ep::Get.call(&cut_short).await.unwrap_err();
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Deadline && t.limit() == Duration::from_millis(300)),
        "{err:?}"
    );
    // Attempts that time out until the deadline passes: still the deadline.
    let many = builder(&silent.url, &sleeper)
        .timeout(Duration::from_millis(120))
        .deadline(Duration::from_millis(300))
        .retry_policy(RetryPolicy::new().max_attempts(10).base_delay(Duration::ZERO))
        .build()
        .unwrap();
    let err = Ep::Get.call(&many).await.unwrap_err();
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Deadline && t.limit() == Duration::from_millis(300)),
        "{err:?}"
    );
    // A zero per-call limit is raised to one millisecond, and reported as such.
    let (c, _) = client(&silent.url);
    for derived in [c.with_timeout(Duration::ZERO), c.with_deadline(Duration::ZERO)] {
        let err = Ep::Get.call(&derived).await.unwrap_err();
        assert!(matches!(&err, Error::Timeout(t) if t.limit() == Duration::from_millis(1)), "{err:?}");
    }
}

/// An endpoint implemented by hand, with whatever `PATH` it likes.
#[derive(serde::Serialize)]
struct HandWritten<const N: usize>;

macro_rules! hand_written {
    ($($n:literal => $path:literal),* $(,)?) => {$(
        impl devrev::Endpoint for HandWritten<$n> {
            type Response = serde_json::Value;
            type Error = devrev::DevRevError;
            const METHOD: devrev::Method = devrev::Method::Post;
            const PATH: &'static str = $path;
            const IDEMPOTENT: bool = true;
        }
    )*};
}

hand_written! {
    0 => ".evil.example/x",
    1 => "@evil.example/x",
    2 => "//evil.example/x",
    3 => "/x?y=1",
    4 => "/x#frag",
    5 => "/a b",
    6 => "",
    7 => "/\\evil.example",
    8 => "/rev-orgs.create",
}

#[tokio::test]
async fn a_hand_written_endpoint_path_is_checked_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(json(200, "{}")).mount(&server).await;
    let (c, _) = client(&server.uri());
    let refused = [
        devrev::send(&c, &HandWritten::<0>).await.unwrap_err(),
        devrev::send(&c, &HandWritten::<1>).await.unwrap_err(),
        devrev::send(&c, &HandWritten::<2>).await.unwrap_err(),
        devrev::send(&c, &HandWritten::<3>).await.unwrap_err(),
        devrev::send(&c, &HandWritten::<4>).await.unwrap_err(),
        devrev::send(&c, &HandWritten::<5>).await.unwrap_err(),
        devrev::send(&c, &HandWritten::<6>).await.unwrap_err(),
        devrev::send(&c, &HandWritten::<7>).await.unwrap_err(),
    ];
    for err in &refused {
        match err {
            Error::Config(c) => assert!(matches!(**c, devrev::ConfigError::InvalidEndpointPath { .. }), "{err:?}"),
            other => panic!("expected a config error, got {other:?}"),
        }
        assert_eq!(err.attempts(), 0);
    }
    assert!(refused[0].to_string().contains(r#"".evil.example/x""#), "{}", refused[0]);
    assert_eq!(seen(&server).await, 0, "nothing was sent");
    // A good path still goes through.
    devrev::send(&c, &HandWritten::<8>).await.unwrap();
    assert_eq!(seen(&server).await, 1);
}
