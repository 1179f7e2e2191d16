//! The retry policy as users configure it: attempts, backoff ceilings, the
//! endpoint's `idempotent` option, per-call overrides and the deadline's
//! hold over waits. Waits are recorded by an injected `Sleeper`, never slept.

use crate::reliability_support;

use std::time::Duration;

use devrev::{devrev_endpoint, Error, RetryPolicy, TimeoutKind};
use reliability_support::{builder, client, thing_json, Ep, Fault, RawServer, RecordingSleeper, ThingResponse};
use serde::Serialize;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A `POST` read, declared safe to retry.
#[devrev_endpoint(POST, "/things.list", response = ThingResponse, idempotent)]
#[derive(Debug, Serialize)]
struct ThingsListRequest {}

/// A `GET` with a side effect, declared unsafe to retry.
#[devrev_endpoint(GET, "/things.touch", response = ThingResponse, idempotent = false)]
#[derive(Debug, Serialize)]
struct ThingsTouchRequest {}

async fn always(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(status)).mount(&server).await;
    server
}

async fn seen(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn backoff_doubles_under_full_jitter_and_is_capped() {
    let server = always(503).await;
    let sleeper = RecordingSleeper::default();
    let policy =
        RetryPolicy::new().max_attempts(7).base_delay(Duration::from_millis(100)).max_delay(Duration::from_secs(1));
    let client = builder(&server.uri(), &sleeper).retry_policy(policy.clone()).build().unwrap();
    let err = Ep::Get.call(&client).await.unwrap_err();
    assert_eq!((err.status(), err.attempts()), (Some(503), 7));
    assert_eq!(seen(&server).await, 7);
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 6);
    let ceilings: Vec<u64> = (1..=6).map(|retry| policy.backoff_ceiling(retry).as_millis() as u64).collect();
    assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
    for (wait, ceiling) in waits.iter().zip(&ceilings) {
        assert!(wait.as_millis() as u64 <= *ceiling, "{waits:?} over {ceilings:?}");
    }
    // Full jitter: not every wait sits on its ceiling.
    assert!(waits.iter().zip(&ceilings).any(|(w, c)| (w.as_millis() as u64) < *c), "{waits:?}");
}

#[tokio::test]
async fn the_default_policy() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.attempts(), 3);
    assert_eq!(policy.backoff_ceiling(1), Duration::from_secs(1));
    assert_eq!(policy.backoff_ceiling(2), Duration::from_secs(2));
    assert_eq!(policy.backoff_ceiling(10), Duration::from_secs(30));
    assert_eq!(RetryPolicy::none().attempts(), 1);
    assert_eq!(RetryPolicy::new().max_attempts(0).attempts(), 1, "at least one attempt");
}

#[tokio::test]
async fn the_idempotent_option_overrides_the_method_default() {
    // A POST declared idempotent is retried after a 503 ...
    let server = always(503).await;
    let (c, _) = client(&server.uri());
    let err = ThingsListRequest {}.send(&c).await.unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert_eq!(seen(&server).await, 3);
    // ... and after the connection drops once the request is sent.
    let reset = RawServer::start(Fault::Reset).await;
    assert!(ThingsListRequest {}.send(&client(&reset.url).0).await.is_err());
    assert_eq!(reset.requests(), 3);

    // A GET declared not idempotent is not.
    let server = always(503).await;
    let (c, _) = client(&server.uri());
    assert_eq!(ThingsTouchRequest {}.send(&c).await.unwrap_err().attempts(), 1);
    assert_eq!(seen(&server).await, 1);
    let reset = RawServer::start(Fault::Reset).await;
    assert!(ThingsTouchRequest {}.send(&client(&reset.url).0).await.is_err());
    assert_eq!(reset.requests(), 1);
    // Both kinds still retry a 429: the server says it did nothing.
    let server = always(429).await;
    let (c, _) = client(&server.uri());
    assert_eq!(ThingsTouchRequest {}.send(&c).await.unwrap_err().attempts(), 3);
}

#[tokio::test]
async fn per_call_overrides_share_the_client() {
    let server = always(503).await;
    let (c, sleeper) = client(&server.uri());
    let five = c.with_retry_policy(RetryPolicy::new().max_attempts(5));
    assert_eq!(Ep::Get.call(&five).await.unwrap_err().attempts(), 5);
    assert_eq!(five.retry_policy().attempts(), 5);
    assert_eq!(c.retry_policy().attempts(), 3, "the original client keeps its policy");
    assert_eq!(Ep::Get.call(&c).await.unwrap_err().attempts(), 3);
    assert_eq!(seen(&server).await, 8);
    assert_eq!(sleeper.waits().len(), 4 + 2, "a derived client keeps the sleeper");

    let silent = RawServer::start(Fault::Silent).await;
    let (c, _) = client(&silent.url);
    let err = Ep::Create.call(&c.with_timeout(Duration::from_millis(100))).await.unwrap_err();
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Attempt && t.limit() == Duration::from_millis(100))
    );
    let err = Ep::Create.call(&c.with_deadline(Duration::from_millis(100))).await.unwrap_err();
    assert!(matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Deadline), "{err:?}");
}

#[tokio::test]
async fn a_backoff_that_would_pass_the_deadline_is_not_slept() {
    let server = always(503).await;
    let sleeper = RecordingSleeper::default();
    // Backoffs are drawn from [0, 100 s] against a 10 s deadline: most would
    // pass it and must not be slept (the recorded ones all fit). The server's
    // own waits are checked exactly in the fault matrix.
    let policy = RetryPolicy::new().base_delay(Duration::from_secs(100)).max_delay(Duration::from_secs(100));
    let client =
        builder(&server.uri(), &sleeper).retry_policy(policy).deadline(Duration::from_secs(10)).build().unwrap();
    let err = Ep::Get.call(&client).await.unwrap_err();
    assert_eq!(err.status(), Some(503), "the server's error, not a timeout");
    let waits = sleeper.waits();
    assert!(waits.iter().all(|w| *w <= Duration::from_secs(10)), "{waits:?}");
    assert_eq!(seen(&server).await, waits.len() + 1);
}

#[tokio::test]
async fn rate_limit_headers_and_attempts_come_back_with_success() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(429)).up_to_n_times(1).mount(&server).await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(thing_json("T-1"), "application/json")
                .insert_header("x-ratelimit-limit", "500")
                .insert_header("x-ratelimit-remaining", "498")
                .insert_header("x-ratelimit-reset", "1700000000"),
        )
        .mount(&server)
        .await;
    let (c, sleeper) = client(&server.uri());
    let answer = Ep::Create.call(&c).await.unwrap();
    assert_eq!(answer.attempts(), 2);
    assert_eq!(answer.status(), 200);
    let rate = answer.rate_limit();
    assert_eq!((rate.limit, rate.remaining, rate.reset), (Some(500), Some(498), Some(1_700_000_000)));
    assert_eq!(rate.reset_at(), Some(std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000)));
    // A 429 without a hint falls back to the jittered backoff.
    assert!(sleeper.waits()[0] <= Duration::from_secs(1));
}

#[tokio::test]
async fn zero_limits_are_a_config_error() {
    let sleeper = RecordingSleeper::default();
    let err = builder("http://127.0.0.1:1", &sleeper).timeout(Duration::ZERO).build().unwrap_err();
    assert!(
        matches!(&err, Error::Config(c) if matches!(**c, devrev::ConfigError::InvalidSetting { name: "timeout", .. }))
    );
}
