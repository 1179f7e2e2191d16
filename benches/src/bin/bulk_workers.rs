//! Several worker processes, one rate limit: `send_all` in 4 processes
//! against one embedded server, with the budget shared on Redis, with each
//! process pacing itself, and with no pacing, side by side.
//!
//! ```sh
//! cargo run --release -p devrev-benches --bin bulk_workers
//! cargo run --release -p devrev-benches --bin bulk_workers -- --creates 6000 --limit 500 --window 1 --workers 4
//! ```
//!
//! Needs a `redis-server` (or `valkey-server`): `$REDIS_SERVER`, or on
//! `PATH`; the benchmark starts it on a free loopback port with a temp dir.
//!
//! Each mode starts the embedded server (`devrev-testkit`) with a limit of
//! `--limit` requests per `--window` seconds for its one token, creates one
//! account, then spawns this binary `--workers` times; each worker creates
//! its share of `--creates` rev orgs with `send_all(..).concurrency(16)`
//! and reconciliation by external reference (the default retry policy:
//! 3 attempts, 429s retried after `Retry-After`). Reported: creates per
//! second from the first worker's start to the last one's end, as a ratio of
//! limit / window; the server's 429s, in all and after the first window;
//! failed creates; duplicates (external references created more than once)
//! and missing ones. Modes:
//! - `shared`: every worker's client paces on one `RedisBudget` (same
//!   organisation and token);
//! - `local`: every worker paces itself (the default `LocalBudget`);
//! - `naive`: pacing off.
//!
//! Target (shared): >= 0.95 x limit / window, no 429 after the first window,
//! no duplicate.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use devrev::accounts::AccountsCreateRequest;
use devrev::bulk::BulkResult;
use devrev::pacing::RedisBudget;
use devrev::reconcile::RevOrgsByExternalRef;
use devrev::rev_orgs::RevOrgsCreateRequest;
use devrev::Client;
use devrev_benches::sys::{load_average, machine};
use devrev_benches::BoxError;
use devrev_testkit::TestServer;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn num(args: &[String], name: &str, default: u64) -> u64 {
    arg(args, name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn unix_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// One worker: its share of the creates, then one line of results.
async fn worker(args: &[String]) -> Result<(), BoxError> {
    let need = |name: &str| arg(args, name).ok_or_else(|| format!("worker: missing {name}"));
    let (mode, base_url, token) = (need("--mode")?, need("--base-url")?, need("--token")?);
    let (account, prefix) = (need("--account")?, need("--prefix")?);
    let (from, to) = (num(args, "--from", 0) as usize, num(args, "--to", 0) as usize);
    let mut builder = Client::builder().token(token.clone()).base_url(base_url);
    let mut budget = None;
    match mode.as_str() {
        "shared" => {
            let shared = Arc::new(RedisBudget::new(&need("--redis")?, &prefix, &token)?);
            builder = builder.pacing_budget(Arc::clone(&shared));
            budget = Some(shared);
        }
        "local" => {}
        _ => builder = builder.pacing(false),
    }
    let client = builder.build()?;
    let requests = (from..to).map(move |i| {
        RevOrgsCreateRequest::new(account.as_str(), format!("org {i}")).external_ref(format!("{prefix}-{i}"))
    });
    let started = unix_ms();
    let mut outcomes = client.send_all(requests).concurrency(16).reconcile(RevOrgsByExternalRef);
    let (mut ok, mut failed) = (0, 0);
    while let Some(outcome) = outcomes.next().await {
        match outcome.result {
            BulkResult::Sent(_) | BulkResult::AlreadyPresent(_) => ok += 1,
            _ => failed += 1,
        }
    }
    let fallbacks = budget.map_or(0, |b| b.fallbacks());
    println!("RESULT ok={ok} failed={failed} start={started} end={} fallbacks={fallbacks}", unix_ms());
    Ok(())
}

/// A `redis-server` child on a free loopback port.
struct Redis {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Redis {
    fn start() -> Result<Redis, BoxError> {
        let bin = std::env::var_os("REDIS_SERVER")
            .map(PathBuf::from)
            .or_else(|| {
                let paths = std::env::var_os("PATH")?;
                std::env::split_paths(&paths)
                    .flat_map(|d| [d.join("redis-server"), d.join("valkey-server")])
                    .find(|p| p.is_file())
            })
            .ok_or("no redis-server: set REDIS_SERVER or put redis-server on PATH")?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = std::env::temp_dir().join(format!("devrev-bench-redis-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let child = Command::new(&bin)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir"])
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                return Err("redis-server did not start".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Redis { child, dir, port })
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Run {
    ok: usize,
    failed: usize,
    elapsed: Duration,
    rate_limited: usize,
    after_first_window: usize,
    duplicates: usize,
    missing: usize,
    fallbacks: u64,
}

async fn run(
    mode: &str,
    n: usize,
    workers: usize,
    limit: u32,
    window: Duration,
    redis: &Redis,
) -> Result<Run, BoxError> {
    let server = TestServer::builder().rate_limit(limit, window).start().await?;
    let setup = Client::builder().token(server.token()).base_url(server.base_url()).pacing(false).build()?;
    let account = AccountsCreateRequest::new("Bench").send(&setup).await?.account.id;
    server.reset_rate_limits();
    let prefix = format!("{mode}-{}", std::process::id());
    let exe = std::env::current_exe()?;
    let mut children = Vec::new();
    for w in 0..workers {
        let child = Command::new(&exe)
            .args(["--worker", "--mode", mode, "--base-url", &server.base_url(), "--token", server.token()])
            .args(["--redis", &format!("redis://127.0.0.1:{}", redis.port), "--account", &account, "--prefix", &prefix])
            .args(["--from", &(w * n / workers).to_string(), "--to", &((w + 1) * n / workers).to_string()])
            .stdout(Stdio::piped())
            .spawn()?;
        children.push(child);
    }
    // The 429s of the first window, so that what follows is "after" it.
    tokio::time::sleep(window).await;
    let first_window = server.rate_limited_count();
    let outputs = tokio::task::spawn_blocking(move || {
        children.into_iter().map(|c| c.wait_with_output()).collect::<Result<Vec<_>, _>>()
    })
    .await??;
    let (mut ok, mut failed, mut start, mut end, mut fallbacks) = (0, 0, u128::MAX, 0, 0);
    for out in outputs {
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().find(|l| l.starts_with("RESULT")).ok_or_else(|| format!("a worker failed: {text}"))?;
        let field = |name: &str| -> u128 {
            line.split_whitespace().find_map(|f| f.strip_prefix(name)?.strip_prefix('=')?.parse().ok()).unwrap_or(0)
        };
        ok += field("ok") as usize;
        failed += field("failed") as usize;
        start = start.min(field("start"));
        end = end.max(field("end"));
        fallbacks += field("fallbacks") as u64;
    }
    let (mut duplicates, mut missing) = (0, 0);
    for i in 0..n {
        match server.creates_with_external_ref(&format!("{prefix}-{i}")) {
            0 => missing += 1,
            1 => {}
            _ => duplicates += 1,
        }
    }
    let rate_limited = server.rate_limited_count();
    Ok(Run {
        ok,
        failed,
        elapsed: Duration::from_millis(end.saturating_sub(start) as u64),
        rate_limited,
        after_first_window: rate_limited - first_window,
        duplicates,
        missing,
        fallbacks,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--worker") {
        return match worker(&args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("worker error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let n = num(&args, "--creates", 6_000) as usize;
    let limit = num(&args, "--limit", 500) as u32;
    let window = Duration::from_secs(num(&args, "--window", 1));
    let workers = num(&args, "--workers", 4) as usize;
    let modes: Vec<String> = arg(&args, "--modes").map_or_else(
        || vec!["shared".into(), "local".into(), "naive".into()],
        |m| m.split(',').map(str::to_owned).collect(),
    );
    let redis = match Redis::start() {
        Ok(redis) => redis,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ideal = f64::from(limit) / window.as_secs_f64();
    println!("machine: {}; load before: {}", machine(), load_average());
    println!(
        "{n} rev-orgs.create calls in {workers} processes, rate limit {limit} per {window:?} (ideal {ideal:.1}/s)"
    );
    let mut met = true;
    for mode in &modes {
        let run = match run(mode, n, workers, limit, window, &redis).await {
            Ok(run) => run,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let throughput = run.ok as f64 / run.elapsed.as_secs_f64();
        println!(
            "{mode:<7} {:>5} ok {:>4} failed in {:>6.2} s: {:>7.1} creates/s = {:.3} x limit/window; 429s {:>5} ({} after the first window); duplicates {}, missing {}; fallbacks {}",
            run.ok, run.failed, run.elapsed.as_secs_f64(), throughput, throughput / ideal, run.rate_limited,
            run.after_first_window, run.duplicates, run.missing, run.fallbacks
        );
        if mode == "shared" {
            met = throughput / ideal >= 0.95 && run.after_first_window == 0 && run.duplicates == 0 && run.missing == 0;
        }
    }
    println!("load after: {}", load_average());
    println!(
        "target (shared >= 0.95 x limit/window, no 429 after the first window, no duplicate): {}",
        if met { "met" } else { "NOT met" }
    );
    ExitCode::SUCCESS
}
