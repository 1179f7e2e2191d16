//! The pacing budget shared on Redis (feature `redis`), against a real
//! `redis-server` started by each test on a free loopback port (see
//! `redis_support`; skipped with a message when there is none) and the
//! embedded DevRev server.
//!
//! What users rely on: two budgets never take the same request; what the
//! server's `X-Ratelimit-*` headers say reaches every process; workers in
//! several processes see one window and draw no 429 together; Redis
//! unreachable, killed, restarted or slow turns pacing local (a warning and
//! a counter) and back, and no create is lost or duplicated; the token never
//! reaches Redis nor the logs.

#![cfg(feature = "redis")]

#[path = "common/redis.rs"]
mod redis_support;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use devrev::accounts::AccountsCreateRequest;
use devrev::bulk::{BulkResult, Outcome};
use devrev::pacing::{Admission, PacingBudget, RedisBudget, RedisBudgetError};
use devrev::reconcile::RevOrgsByExternalRef;
use devrev::rev_orgs::RevOrgsCreateRequest;
use devrev::{Client, RetryPolicy};
use devrev_testkit::{Fault, TestServer};
use redis_support::{free_port, RedisServer, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

const ORG: &str = "acme";

fn client(server: &TestServer, budget: &Arc<RedisBudget>) -> Client {
    Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .pacing_budget(Arc::clone(budget))
        .retry_policy(RetryPolicy::new().max_attempts(10).base_delay(Duration::from_millis(20)))
        .build()
        .unwrap()
}

async fn account(client: &Client) -> String {
    AccountsCreateRequest::new("Workers").send(client).await.unwrap().account.id
}

fn creates(acc: &str, range: std::ops::Range<usize>, prefix: &str) -> Vec<RevOrgsCreateRequest> {
    range.map(|i| RevOrgsCreateRequest::new(acc, format!("org {i}")).external_ref(format!("{prefix}-{i}"))).collect()
}

async fn collect<T, S: futures_util::Stream<Item = Outcome<T>> + Unpin>(mut outcomes: S) -> Vec<Outcome<T>> {
    let mut all = Vec::new();
    while let Some(outcome) = futures_util::StreamExt::next(&mut outcomes).await {
        all.push(outcome);
    }
    all
}

/// Every outcome a create (sent, or found by reconciliation), and every
/// reference created exactly once on the server.
fn assert_exactly_once<T>(server: &TestServer, outcomes: &[Outcome<T>], prefix: &str, n: usize) {
    let bad: Vec<String> = outcomes
        .iter()
        .filter(|o| !matches!(o.result, BulkResult::Sent(_) | BulkResult::AlreadyPresent(_)))
        .map(|o| format!("#{}: {:?}", o.index, o.result.error().map(ToString::to_string)))
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(outcomes.len(), n);
    for i in 0..n {
        assert_eq!(server.creates_with_external_ref(&format!("{prefix}-{i}")), 1, "{prefix}-{i}");
    }
}

/// Waits until the budget's hash on Redis holds `field` (the header update runs in the background).
async fn wait_for_field(redis: &RedisServer, key: &str, field: &str) -> BTreeMap<String, String> {
    let started = Instant::now();
    loop {
        let hash = redis.conn().hgetall(key);
        if hash.contains_key(field) {
            return hash;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{key} has no {field}: {hash:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_budgets_never_take_the_same_request_and_share_the_headers() {
    let Some(redis) = RedisServer::start("two_budgets_never_take_the_same_request_and_share_the_headers") else {
        return;
    };
    let server = TestServer::builder().rate_limit(40, Duration::from_secs(120)).start().await.unwrap();
    // Two budgets, two connections: as two processes would have.
    let a = Arc::new(RedisBudget::new(&redis.url(), ORG, server.token()).unwrap());
    let b = Arc::new(RedisBudget::new(&redis.url(), ORG, server.token()).unwrap());
    assert_eq!(a.key(), b.key());

    // One call through `a`: its answer's headers reach the shared budget.
    account(&client(&server, &a)).await;
    let hash = wait_for_field(&redis, a.key(), "limit").await;
    assert_eq!(hash["limit"], "40", "{hash:?}");
    assert_eq!(hash["remaining"], "39", "{hash:?}");
    assert_eq!(hash["inflight"], "0", "{hash:?}");
    let reset: u64 = hash["reset"].parse().unwrap();

    // 8 tasks on each budget take requests at once until told to wait: 39 in all, none twice.
    let taken = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..16 {
        let budget = if i % 2 == 0 { Arc::clone(&a) } else { Arc::clone(&b) };
        let taken = Arc::clone(&taken);
        tasks.push(tokio::spawn(async move {
            loop {
                match budget.acquire().await {
                    Admission::Go(_) => taken.fetch_add(1, Ordering::SeqCst),
                    Admission::WaitForReset { reset: r, .. } => return r,
                    other => panic!("{other:?}"),
                };
            }
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), reset, "every task waits for the server's window end");
    }
    assert_eq!(taken.load(Ordering::SeqCst), 39);
    assert_eq!(a.fallbacks() + b.fallbacks(), 0);
    assert_eq!(redis.conn().hgetall(a.key())["remaining"], "0");
}

/// One worker process of `clients_in_several_processes_share_one_window`
/// (run by it as a child, with its settings in the environment).
#[tokio::test]
#[ignore = "a child process of clients_in_several_processes_share_one_window"]
async fn child_worker() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run by the parent test"));
    let (base_url, token, redis_url) = (var("CHILD_BASE_URL"), var("CHILD_TOKEN"), var("CHILD_REDIS_URL"));
    let (account, prefix) = (var("CHILD_ACCOUNT"), var("CHILD_PREFIX"));
    let from: usize = var("CHILD_FROM").parse().unwrap();
    let to: usize = var("CHILD_TO").parse().unwrap();
    let budget = Arc::new(RedisBudget::new(&redis_url, ORG, &token).unwrap());
    let client = Client::builder()
        .token(token.clone())
        .base_url(base_url)
        .pacing_budget(Arc::clone(&budget))
        .retry_policy(RetryPolicy::new().max_attempts(30).base_delay(Duration::from_millis(20)))
        .build()
        .unwrap();
    let requests = (from..to).map(move |i| {
        RevOrgsCreateRequest::new(account.as_str(), format!("org {i}")).external_ref(format!("{prefix}-{i}"))
    });
    let outcomes = collect(client.send_all(requests).concurrency(16).reconcile(RevOrgsByExternalRef)).await;
    let ok =
        outcomes.iter().filter(|o| matches!(o.result, BulkResult::Sent(_) | BulkResult::AlreadyPresent(_))).count();
    println!("CHILD-RESULT ok={ok} total={} fallbacks={}", outcomes.len(), budget.fallbacks());
}

/// Runs `workers` child processes of this test binary, each creating its
/// share of `n` rev orgs; returns what each printed.
async fn run_workers(server: &TestServer, redis: &RedisServer, acc: &str, prefix: &str, n: usize) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    let workers = 3;
    let mut children = Vec::new();
    for w in 0..workers {
        let child = Command::new(&exe)
            .args(["child_worker", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env("CHILD_BASE_URL", server.base_url())
            .env("CHILD_TOKEN", server.token())
            .env("CHILD_REDIS_URL", redis.url())
            .env("CHILD_ACCOUNT", acc)
            .env("CHILD_PREFIX", prefix)
            .env("CHILD_FROM", (w * n / workers).to_string())
            .env("CHILD_TO", ((w + 1) * n / workers).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        children.push(child);
    }
    let mut results = Vec::new();
    for child in children {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "worker failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let at = stdout.find("CHILD-RESULT").unwrap_or_else(|| panic!("no result: {stdout}"));
        results.push(stdout[at..].lines().next().unwrap_or_default().to_owned());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_in_several_processes_share_one_window() {
    let Some(redis) = RedisServer::start("clients_in_several_processes_share_one_window") else {
        return;
    };
    let server = TestServer::builder().rate_limit(25, Duration::from_secs(1)).start().await.unwrap();
    // The parent learns the budget first, through the shared budget: the
    // workers start with it known, so not one request of theirs is over.
    let budget = Arc::new(RedisBudget::new(&redis.url(), ORG, server.token()).unwrap());
    let acc = account(&client(&server, &budget)).await;
    wait_for_field(&redis, budget.key(), "limit").await;

    let results = run_workers(&server, &redis, &acc, "shared", 60).await;
    for line in &results {
        assert!(line.contains("fallbacks=0"), "{line}");
    }
    let ok: usize = results
        .iter()
        .map(|l| l.split("ok=").nth(1).unwrap().split(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(ok, 60, "{results:?}");
    for i in 0..60 {
        assert_eq!(server.creates_with_external_ref(&format!("shared-{i}")), 1, "shared-{i}");
    }
    assert_eq!(server.rate_limited_count(), 0, "3 processes on one shared budget drew a 429");
}

/// Captures every event's fields, as text.
#[derive(Default, Clone)]
struct Captured(Arc<Mutex<Vec<String>>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: Subscriber> Layer<S> for Captured {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut text = format!("{}", event.metadata().level());
        event.record(&mut Fields(&mut text));
        self.0.lock().unwrap().push(text);
    }
}

impl Captured {
    fn text(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }
}

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(captured.clone()));
    (captured, guard)
}

#[tokio::test]
async fn redis_unreachable_at_start_paces_locally_then_shares_when_it_is_up() {
    let port = free_port();
    if redis_support::redis_server_binary().is_none() {
        let _ = RedisServer::start_on("redis_unreachable_at_start_paces_locally_then_shares_when_it_is_up", port);
        return;
    }
    let (logs, _guard) = capture();
    let server = TestServer::builder().rate_limit(1000, Duration::from_secs(60)).start().await.unwrap();
    server.inject("/rev-orgs.create", Fault::drop_connection().after_applying().times(3));
    let budget = Arc::new(
        RedisBudget::new(&format!("redis://127.0.0.1:{port}"), ORG, server.token())
            .unwrap()
            .retry_after(Duration::from_millis(200)),
    );
    let client = client(&server, &budget);
    let acc = account(&client).await;
    let outcomes =
        collect(client.send_all(creates(&acc, 0..30, "down")).concurrency(8).reconcile(RevOrgsByExternalRef)).await;
    assert_exactly_once(&server, &outcomes, "down", 30);
    assert!(
        outcomes.iter().any(|o| matches!(o.result, BulkResult::AlreadyPresent(_))),
        "reconciliation settled the dropped answers"
    );
    assert!(budget.is_falling_back());
    assert!(budget.fallbacks() >= 1);
    assert_eq!(client.rate_limit_budget().limit, Some(1000), "local pacing followed the answers");
    let text = logs.text();
    assert!(text.contains("WARN") && text.contains("pacing locally"), "{text}");
    assert!(!text.contains(server.token()), "{text}");

    // Redis comes up: after `retry_after` the shared budget is used again.
    let redis =
        RedisServer::start_on("redis_unreachable_at_start_paces_locally_then_shares_when_it_is_up", port).unwrap();
    let fallbacks = budget.fallbacks();
    let started = Instant::now();
    while budget.is_falling_back() {
        assert!(started.elapsed() < Duration::from_secs(10), "never went back to Redis");
        tokio::time::sleep(Duration::from_millis(50)).await;
        account(&client).await;
    }
    let hash = wait_for_field(&redis, budget.key(), "limit").await;
    assert_eq!(hash["limit"], "1000");
    assert_eq!(budget.fallbacks(), fallbacks, "recovering is not a new fallback");
}

#[tokio::test]
async fn redis_killed_and_restarted_mid_import_loses_and_duplicates_nothing() {
    let Some(mut redis) = RedisServer::start("redis_killed_and_restarted_mid_import_loses_and_duplicates_nothing")
    else {
        return;
    };
    let (logs, _guard) = capture();
    let server = TestServer::builder().rate_limit(1000, Duration::from_secs(60)).start().await.unwrap();
    server.inject(
        "/rev-orgs.create",
        Fault::json(500, serde_json::json!({"type": "internal_error"})).after_applying().times(4),
    );
    let budget =
        Arc::new(RedisBudget::new(&redis.url(), ORG, server.token()).unwrap().retry_after(Duration::from_millis(100)));
    let client = client(&server, &budget);
    let acc = account(&client).await;

    let mut send = client.send_all(creates(&acc, 0..150, "killed")).concurrency(8).reconcile(RevOrgsByExternalRef);
    let mut outcomes = Vec::new();
    while let Some(outcome) = futures_util::StreamExt::next(&mut send).await {
        outcomes.push(outcome);
        match outcomes.len() {
            40 => redis.kill(),
            // Empty, without the scripts: EVALSHA answers NOSCRIPT and the script is loaded again.
            90 => redis.restart(),
            _ => {}
        }
        // Give the calls between two outcomes time to meet the dead server.
        if (40..90).contains(&outcomes.len()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    assert_exactly_once(&server, &outcomes, "killed", 150);
    assert!(budget.fallbacks() >= 1, "the kill was not noticed");
    assert!(!budget.is_falling_back(), "still local after the restart");
    // The restarted server holds the budget again, learned from the answers after it.
    let hash = wait_for_field(&redis, budget.key(), "limit").await;
    assert_eq!(hash["limit"], "1000");
    let text = logs.text();
    assert!(text.contains("pacing locally") && text.contains("answers again"), "{text}");
}

#[tokio::test]
async fn scripts_flushed_from_redis_are_loaded_again_without_a_fallback() {
    let Some(redis) = RedisServer::start("scripts_flushed_from_redis_are_loaded_again_without_a_fallback") else {
        return;
    };
    let budget = RedisBudget::new(&redis.url(), ORG, "some-token").unwrap();
    assert!(matches!(budget.acquire().await, Admission::Go(_)));
    assert_eq!(redis.conn().cmd(&["SCRIPT", "FLUSH"]), Value::Simple("OK".into()));
    assert!(matches!(budget.acquire().await, Admission::Go(_)));
    assert_eq!(budget.fallbacks(), 0);
    assert_eq!(redis.conn().hgetall(budget.key())["inflight"], "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_redis_is_a_fault_paced_locally() {
    let Some(redis) = RedisServer::start("a_slow_redis_is_a_fault_paced_locally") else {
        return;
    };
    let server = TestServer::builder().rate_limit(1000, Duration::from_secs(60)).start().await.unwrap();
    let budget = Arc::new(
        RedisBudget::new(&redis.url(), ORG, server.token())
            .unwrap()
            .timeout(Duration::from_millis(100))
            .retry_after(Duration::from_millis(100)),
    );
    let client = client(&server, &budget);
    let acc = account(&client).await;
    assert_eq!(budget.fallbacks(), 0);
    // The server sleeps two seconds: every command waits behind it.
    let mut sleeper = redis.conn();
    sleeper.send(&["DEBUG", "SLEEP", "2"]);
    let outcomes =
        collect(client.send_all(creates(&acc, 0..20, "slow")).concurrency(4).reconcile(RevOrgsByExternalRef)).await;
    assert_exactly_once(&server, &outcomes, "slow", 20);
    assert!(budget.fallbacks() >= 1, "a server that does not answer in time was waited for");
    assert_eq!(sleeper.read(), Value::Simple("OK".into()));
}

#[tokio::test]
async fn the_token_never_reaches_redis_nor_the_logs() {
    let Some(mut redis) = RedisServer::start("the_token_never_reaches_redis_nor_the_logs") else {
        return;
    };
    let (logs, _guard) = capture();
    let server = TestServer::builder().rate_limit(1000, Duration::from_secs(60)).start().await.unwrap();
    let token = server.token().to_owned();
    // Every command the server receives.
    let mut monitor = redis.conn();
    assert_eq!(monitor.cmd(&["MONITOR"]), Value::Simple("OK".into()));
    let watching = std::thread::spawn(move || monitor.read_all_lines(Instant::now() + Duration::from_secs(2)));

    let budget = Arc::new(RedisBudget::new(&redis.url(), ORG, &token).unwrap().retry_after(Duration::from_millis(50)));
    let client = client(&server, &budget);
    let acc = account(&client).await;
    let outcomes = collect(client.send_all(creates(&acc, 0..10, "secret")).concurrency(4)).await;
    assert_eq!(outcomes.len(), 10);
    let commands = tokio::task::spawn_blocking(move || watching.join().unwrap()).await.unwrap();
    assert!(commands.contains("EVALSHA") || commands.contains("EVAL"), "{commands}");
    assert!(!commands.contains(&token), "the token was sent to Redis");
    let keys = redis.conn().cmd(&["KEYS", "*"]).strings();
    assert_eq!(keys, vec![budget.key().to_owned()]);
    assert!(!budget.key().contains(&token));

    // A fault's warning names the key, not the token.
    redis.kill();
    account(&client).await;
    let text = logs.text();
    assert!(text.contains("pacing locally"), "{text}");
    assert!(!text.contains(&token), "{text}");
    assert!(!format!("{budget:?}").contains(&token));
}

#[tokio::test]
async fn bad_settings_are_typed_errors() {
    assert!(matches!(RedisBudget::new("redis://127.0.0.1:1", "", "t"), Err(RedisBudgetError::EmptyOrg)));
    assert!(matches!(RedisBudget::new("redis://127.0.0.1:1", ORG, ""), Err(RedisBudgetError::EmptyToken)));
    let err = RedisBudget::new("http://127.0.0.1:1", ORG, "t").unwrap_err();
    assert!(matches!(err, RedisBudgetError::InvalidUrl(_)), "{err:?}");
    assert!(err.to_string().starts_with("invalid Redis URL"), "{err}");
}
