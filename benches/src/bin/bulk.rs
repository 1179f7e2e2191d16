//! Bulk creates at the rate limit: `Client::send_all` with pacing against a
//! naive `buffer_unordered(16)` loop over `send`, side by side.
//!
//! ```sh
//! cargo run --release -p devrev-benches --bin bulk
//! cargo run --release -p devrev-benches --bin bulk -- --creates 5000 --limit 500 --window 1
//! ```
//!
//! Each run starts the embedded server (`devrev-testkit`) with a limit of
//! `--limit` requests per `--window` seconds, creates one account, then
//! `--creates` rev orgs in it, and reports the throughput of the creates
//! (successful creates per second, and as a fraction of limit / window), how
//! many 429s the server answered (in all, and after the first window), and
//! how many creates failed. The naive loop runs with pacing off and the
//! default retry policy (3 attempts, retrying 429s after `Retry-After`), as a
//! user would write it without `send_all`. Target: paced throughput at least
//! 0.95 x limit / window, and no 429 after the first window.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use devrev::accounts::AccountsCreateRequest;
use devrev::bulk::BulkResult;
use devrev::rev_orgs::RevOrgsCreateRequest;
use devrev::Client;
use devrev_benches::sys::{load_average, machine};
use devrev_benches::BoxError;
use devrev_testkit::TestServer;
use futures_util::StreamExt;

struct Run {
    name: &'static str,
    ok: usize,
    failed: usize,
    elapsed: Duration,
    rate_limited: usize,
    rate_limited_after_first_window: usize,
}

async fn setup(limit: u32, window: Duration, pacing: bool) -> Result<(TestServer, Client, String), BoxError> {
    let server = TestServer::builder().rate_limit(limit, window).start().await?;
    let client = Client::builder().token(server.token()).base_url(server.base_url()).pacing(pacing).build()?;
    let account = AccountsCreateRequest::new("Bench").send(&client).await?.account.id;
    Ok((server, client, account))
}

fn requests(account: &str, n: usize) -> impl Iterator<Item = RevOrgsCreateRequest> + Send + 'static {
    let account = account.to_owned();
    (0..n).map(move |i| RevOrgsCreateRequest::new(account.clone(), format!("org {i}")))
}

/// Counts the 429s of the first window, so what follows is "after" it.
async fn first_window_429s(server: &TestServer, window: Duration) -> usize {
    tokio::time::sleep(window).await;
    server.rate_limited_count()
}

async fn paced(n: usize, limit: u32, window: Duration) -> Result<Run, BoxError> {
    let (server, client, account) = setup(limit, window, true).await?;
    let started = Instant::now();
    let first = first_window_429s(&server, window);
    let send = async {
        let mut outcomes = client.send_all(requests(&account, n)).concurrency(16);
        let (mut ok, mut failed) = (0, 0);
        while let Some(outcome) = outcomes.next().await {
            match outcome.result {
                BulkResult::Sent(_) => ok += 1,
                _ => failed += 1,
            }
        }
        (ok, failed)
    };
    let (first, (ok, failed)) = tokio::join!(first, send);
    let elapsed = started.elapsed();
    let rate_limited = server.rate_limited_count();
    Ok(Run {
        name: "send_all, pacing on",
        ok,
        failed,
        elapsed,
        rate_limited,
        rate_limited_after_first_window: rate_limited - first,
    })
}

async fn naive(n: usize, limit: u32, window: Duration) -> Result<Run, BoxError> {
    let (server, client, account) = setup(limit, window, false).await?;
    let started = Instant::now();
    let first = first_window_429s(&server, window);
    let send = async {
        let results: Vec<_> = futures_util::stream::iter(requests(&account, n))
            .map(|request| {
                let client = client.clone();
                async move { request.send(&client).await }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        let ok = results.iter().filter(|r| r.is_ok()).count();
        (ok, results.len() - ok)
    };
    let (first, (ok, failed)) = tokio::join!(first, send);
    let elapsed = started.elapsed();
    let rate_limited = server.rate_limited_count();
    Ok(Run {
        name: "buffer_unordered(16), pacing off",
        ok,
        failed,
        elapsed,
        rate_limited,
        rate_limited_after_first_window: rate_limited - first,
    })
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = arg(&args, "--creates", 5_000) as usize;
    let limit = arg(&args, "--limit", 500) as u32;
    let window = Duration::from_secs(arg(&args, "--window", 1));
    println!("machine: {}; load before: {}", machine(), load_average());
    println!(
        "{n} rev-orgs.create calls, rate limit {limit} per {window:?} (ideal {:.1}/s)",
        f64::from(limit) / window.as_secs_f64()
    );
    let ideal = f64::from(limit) / window.as_secs_f64();
    let mut met = true;
    for run in [paced(n, limit, window).await, naive(n, limit, window).await] {
        let run = match run {
            Ok(run) => run,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let throughput = run.ok as f64 / run.elapsed.as_secs_f64();
        println!(
            "{:<34} {:>5} ok {:>5} failed in {:>6.2} s: {:>7.1} creates/s = {:.3} x limit/window; 429s {:>5} ({} after the first window)",
            run.name, run.ok, run.failed, run.elapsed.as_secs_f64(), throughput, throughput / ideal, run.rate_limited, run.rate_limited_after_first_window
        );
        if run.name.starts_with("send_all") {
            met = throughput / ideal >= 0.95 && run.rate_limited_after_first_window == 0 && run.failed == 0;
        }
    }
    println!("load after: {}", load_average());
    println!(
        "target (send_all >= 0.95 x limit/window, no 429 after the first window): {}",
        if met { "met" } else { "NOT met" }
    );
    ExitCode::SUCCESS
}
