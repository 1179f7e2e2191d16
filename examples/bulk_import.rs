//! Imports customers from a CRM export: accounts, then their rev orgs, at
//! DevRev's rate limit, with a progress bar and a summary.
//!
//! ```sh
//! cargo run --example bulk_import                 # a 1,000-row sample, into the embedded server
//! cargo run --example bulk_import -- rows.csv     # your own file
//! cargo run --features redis --example bulk_import -- --workers 4 [rows.csv] [--redis redis://host:6379]
//! ```
//!
//! The CSV has a header and four columns: `account_name`, `account_ref`,
//! `org_name`, `org_ref` (one row per rev org; rows of one account repeat its
//! name and reference). Without a file the example writes a 1,000-row sample
//! (100 accounts of 10 rev orgs) to the temp directory and imports that.
//!
//! Without `DEVREV_TOKEN` it imports into the embedded server
//! (`devrev-testkit`), whose rate limit is set low (200 requests a second) so
//! that pacing shows: the client learns the budget from the first answer and
//! holds calls until each window resets, drawing no 429. With `DEVREV_TOKEN`
//! it imports into that DevRev; the external references make a second run
//! find what the first created ("already present") instead of duplicating it.
//!
//! Calls that fail after they may have been applied are settled by looking
//! the object up by its external reference, and resent only if absent.
//!
//! With `--workers N` (feature `redis`) the import runs in N processes (this
//! example, started N times), each taking the accounts `i`, `i + N`, ... of
//! the file with their rev orgs, all paced on one budget shared on Redis
//! (`devrev::pacing::RedisBudget`): together they keep to the one rate limit
//! of the token instead of each pacing to all of it. Redis is `--redis URL`,
//! else `REDIS_URL`, else a `redis-server` (`$REDIS_SERVER` or on `PATH`)
//! the example starts on a free loopback port.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use devrev::accounts::{AccountsCreateRequest, AccountsListRequest};
use devrev::bulk::{BulkResult, Outcome, Progress};
use devrev::reconcile::{AccountsByExternalRef, RevOrgsByExternalRef};
use devrev::rev_orgs::RevOrgsCreateRequest;
use devrev::Client;
use devrev_testkit::TestServer;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One row of the export.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    account_name: String,
    account_ref: String,
    org_name: String,
    org_ref: String,
}

/// What the import did, per kind of object.
#[derive(Debug, Default)]
struct Summary {
    created: usize,
    already_present: usize,
    /// Failures by error type (`conflict`, `transport`, ...).
    failed: HashMap<String, usize>,
    unknown: usize,
}

impl Summary {
    fn print(&self, what: &str) {
        let failed: usize = self.failed.values().sum();
        println!(
            "{what:<9} created {:>5}   already present {:>5}   failed {:>3}   unknown {:>3}",
            self.created, self.already_present, failed, self.unknown
        );
        let mut kinds: Vec<_> = self.failed.iter().collect();
        kinds.sort();
        for (kind, n) in kinds {
            println!("          failed with {kind}: {n}");
        }
    }
}

/// The error's wire type, or its kind when there was no answer.
fn error_type(err: &devrev::Error) -> String {
    match (err.error_type(), err) {
        (Some(t), _) => t.to_owned(),
        (None, devrev::Error::Transport(_)) => "transport".into(),
        (None, devrev::Error::Timeout(_)) => "timeout".into(),
        (None, e) => e.status().map_or_else(|| "other".into(), |s| format!("http {s}")),
    }
}

/// Writes the sample export: 100 accounts of 10 rev orgs each.
fn write_sample(path: &Path, run: &str) -> Result<(), BoxError> {
    let mut out = csv::Writer::from_path(path)?;
    for a in 0..100 {
        for o in 0..10 {
            out.serialize(Row {
                account_name: format!("Customer {a:03}"),
                account_ref: format!("crm-{run}-acc-{a:03}"),
                org_name: format!("Customer {a:03} site {o}"),
                org_ref: format!("crm-{run}-org-{a:03}-{o}"),
            })?;
        }
    }
    out.flush()?;
    Ok(())
}

fn progress_bar(len: usize, what: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>9} [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_owned());
    bar
}

fn show(bar: &ProgressBar, p: &Progress, client: &Client) {
    bar.set_position(p.finished() as u64);
    let budget = client.rate_limit_budget();
    let remaining = budget.remaining.map_or_else(|| "?".to_owned(), |r| r.to_string());
    let eta =
        p.eta.filter(|eta| !eta.is_zero()).map_or_else(String::new, |eta| format!(", {:.1} s left", eta.as_secs_f64()));
    bar.set_message(format!("{:.0}/s, {} in flight, budget {remaining} left{eta}", p.rate, p.in_flight));
}

/// Tallies one outcome; returns the object's ID when it exists.
fn tally<T>(summary: &mut Summary, outcome: &Outcome<T>, id: impl Fn(&T) -> String) -> Option<String> {
    match &outcome.result {
        BulkResult::Sent(v) => {
            summary.created += 1;
            Some(id(v))
        }
        BulkResult::AlreadyPresent(v) => {
            summary.already_present += 1;
            Some(id(v))
        }
        BulkResult::Unknown(_) => {
            summary.unknown += 1;
            None
        }
        BulkResult::Failed(e) => {
            *summary.failed.entry(error_type(e)).or_default() += 1;
            None
        }
        _ => None,
    }
}

async fn import(client: &Client, rows: Vec<Row>, quiet: bool) -> Result<(), BoxError> {
    // Accounts first: one per distinct reference, reconciled by it.
    let mut accounts: Vec<(String, String)> = Vec::new();
    for row in &rows {
        if !accounts.iter().any(|(r, _)| *r == row.account_ref) {
            accounts.push((row.account_ref.clone(), row.account_name.clone()));
        }
    }
    let requests = accounts
        .clone()
        .into_iter()
        .map(|(reference, name)| AccountsCreateRequest::new(name).external_refs([reference]));
    let mut send = client.send_all(requests).concurrency(16).reconcile(AccountsByExternalRef);
    let progress = send.progress();
    let bar = progress_bar(accounts.len(), "accounts", quiet);
    let mut summary = Summary::default();
    let mut account_ids: HashMap<String, String> = HashMap::new();
    while let Some(outcome) = send.next().await {
        let reference = &accounts[outcome.index].0;
        let id = tally(&mut summary, &outcome, |created| created.account.id.clone());
        // A conflict: the account exists from an earlier run; find it.
        let id = match (id, outcome.result.error().and_then(devrev::Error::status)) {
            (Some(id), _) => Some(id),
            (None, Some(409)) => {
                let page = AccountsListRequest::new().external_refs([reference.as_str()]).send(client).await?;
                page.accounts.into_iter().next().map(|a| {
                    summary.already_present += 1;
                    *summary.failed.entry("conflict".into()).or_default() -= 1;
                    a.id
                })
            }
            (None, _) => None,
        };
        if let Some(id) = id {
            account_ids.insert(reference.clone(), id);
        }
        show(&bar, &progress.borrow(), client);
    }
    bar.finish();
    summary.failed.retain(|_, n| *n > 0);
    let accounts_summary = summary;

    // Then the rev orgs of the accounts that exist, reconciled by their reference.
    let orgs: Vec<Row> = rows.into_iter().filter(|r| account_ids.contains_key(&r.account_ref)).collect();
    let requests = orgs.clone().into_iter().map(move |row| {
        RevOrgsCreateRequest::new(account_ids[&row.account_ref].clone(), row.org_name).external_ref(row.org_ref)
    });
    let mut send = client.send_all(requests).concurrency(16).reconcile(RevOrgsByExternalRef);
    let progress = send.progress();
    let bar = progress_bar(orgs.len(), "rev orgs", quiet);
    let mut summary = Summary::default();
    while let Some(outcome) = send.next().await {
        tally(&mut summary, &outcome, |created| created.rev_org.id.clone());
        if outcome.result.error().and_then(devrev::Error::status) == Some(409) {
            // The external reference is taken: the rev org exists from an earlier run.
            summary.already_present += 1;
            *summary.failed.entry("conflict".into()).or_default() -= 1;
        }
        show(&bar, &progress.borrow(), client);
    }
    bar.finish();
    summary.failed.retain(|_, n| *n > 0);
    let p = progress.borrow().clone();

    println!();
    accounts_summary.print("accounts");
    summary.print("rev orgs");
    println!("{} rev orgs at {:.0}/s; {} settled by reconciliation", p.finished(), p.rate, p.reconciled);
    Ok(())
}

fn read_rows(path: &Path) -> Result<Vec<Row>, BoxError> {
    let mut rows = Vec::new();
    for row in csv::Reader::from_path(path)?.deserialize() {
        rows.push(row?);
    }
    Ok(rows)
}

/// The command line: a file, `--workers N`, `--redis URL`, and (for the
/// processes the example starts) `--worker I`.
#[derive(Debug, Default)]
struct Args {
    path: Option<PathBuf>,
    workers: usize,
    redis: Option<String>,
    worker: Option<usize>,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut args = Args { workers: 1, ..Args::default() };
    let mut it = std::env::args_os().skip(1);
    while let Some(arg) = it.next() {
        let mut value =
            |name: &str| it.next().and_then(|v| v.into_string().ok()).ok_or(format!("{name} needs a value"));
        match arg.to_str() {
            Some("--workers") => args.workers = value("--workers")?.parse().map_err(|_| "--workers takes a number")?,
            Some("--redis") => args.redis = Some(value("--redis")?),
            Some("--worker") => args.worker = Some(value("--worker")?.parse().map_err(|_| "--worker takes a number")?),
            _ => args.path = Some(PathBuf::from(arg)),
        }
    }
    if args.workers == 0 {
        return Err("--workers takes a number from 1".into());
    }
    Ok(args)
}

async fn run() -> Result<(), BoxError> {
    let args = parse_args()?;
    if args.worker.is_some() || args.workers > 1 {
        return workers::run(args).await;
    }
    let run = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs());
    let path = match args.path {
        Some(path) => path,
        None => {
            let path = std::env::temp_dir().join(format!("devrev-bulk-sample-{run}.csv"));
            write_sample(&path, &run)?;
            println!("wrote a 1,000-row sample to {}", path.display());
            path
        }
    };
    let rows = read_rows(&path)?;
    println!("importing {} rows from {}", rows.len(), path.display());

    // A server the example starts stays alive as long as this binding.
    let (client, _server) = if std::env::var_os("DEVREV_TOKEN").is_some() {
        (Client::from_env()?, None)
    } else {
        let server = TestServer::builder().rate_limit(200, Duration::from_secs(1)).start().await?;
        println!(
            "no DEVREV_TOKEN: importing into the embedded server at {} (200 requests a second)",
            server.base_url()
        );
        let client = Client::builder().token(server.token()).base_url(server.base_url()).build()?;
        (client, Some(server))
    };
    import(&client, rows, false).await?;
    if let Some(server) = &_server {
        println!("the server answered {} requests with 429", server.rate_limited_count());
    }
    Ok(())
}

/// `--workers N`: N processes on one budget shared on Redis.
#[cfg(feature = "redis")]
mod workers {
    use std::net::TcpListener;
    use std::path::PathBuf;
    use std::process::{Child, Command, Stdio};
    use std::sync::Arc;
    use std::time::Duration;

    use devrev::pacing::RedisBudget;
    use devrev::Client;
    use devrev_testkit::TestServer;

    use super::{import, read_rows, write_sample, Args, BoxError, Row};

    /// A `redis-server` the example started; killed on drop.
    struct OwnRedis(Child);

    impl Drop for OwnRedis {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn start_redis() -> Result<(String, OwnRedis), BoxError> {
        let bin = std::env::var_os("REDIS_SERVER")
            .map(PathBuf::from)
            .or_else(|| {
                let paths = std::env::var_os("PATH")?;
                std::env::split_paths(&paths)
                    .flat_map(|d| [d.join("redis-server"), d.join("valkey-server")])
                    .find(|p| p.is_file())
            })
            .ok_or(
                "--workers shares the budget on Redis: pass --redis URL, set REDIS_URL, or put redis-server on PATH",
            )?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(bin)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()?;
        let own = OwnRedis(child);
        for _ in 0..500 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok((format!("redis://127.0.0.1:{port}"), own));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err("the redis-server the example started does not answer".into())
    }

    pub(super) async fn run(args: Args) -> Result<(), BoxError> {
        match args.worker {
            Some(index) => worker(args, index).await,
            None => parent(args).await,
        }
    }

    /// Starts what is missing (the embedded server, Redis), then the workers, and waits for them.
    async fn parent(args: Args) -> Result<(), BoxError> {
        let path = match args.path.clone() {
            Some(path) => path,
            None => {
                let run =
                    format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs());
                let path = std::env::temp_dir().join(format!("devrev-bulk-sample-{run}.csv"));
                write_sample(&path, &run)?;
                println!("wrote a 1,000-row sample to {}", path.display());
                path
            }
        };
        let (redis, _own) = match args.redis.clone().or_else(|| std::env::var("REDIS_URL").ok()) {
            Some(url) => (url, None),
            None => {
                let (url, own) = start_redis()?;
                println!("started a Redis server at {url} for the shared budget");
                (url, Some(own))
            }
        };
        let server = if std::env::var_os("DEVREV_TOKEN").is_some() {
            None
        } else {
            let server = TestServer::builder().rate_limit(200, Duration::from_secs(1)).start().await?;
            println!(
                "no DEVREV_TOKEN: {} workers import into the embedded server at {} (200 requests a second for them all)",
                args.workers,
                server.base_url()
            );
            Some(server)
        };
        let exe = std::env::current_exe()?;
        let mut children = Vec::new();
        for index in 0..args.workers {
            let mut command = Command::new(&exe);
            command.arg(&path).args(["--workers", &args.workers.to_string(), "--worker", &index.to_string()]);
            command.args(["--redis", &redis]);
            if let Some(server) = &server {
                command.env("DEVREV_TOKEN", server.token()).env("DEVREV_BASE_URL", server.base_url());
            }
            children.push(command.spawn()?);
        }
        let statuses = tokio::task::spawn_blocking(move || {
            children.into_iter().map(|mut c| c.wait()).collect::<Result<Vec<_>, _>>()
        })
        .await??;
        if let Some(server) = &server {
            println!("the server answered {} requests with 429", server.rate_limited_count());
        }
        if statuses.iter().any(|s| !s.success()) {
            return Err("a worker failed".into());
        }
        Ok(())
    }

    /// One worker: the accounts `index`, `index + workers`, ... and their rev orgs.
    async fn worker(args: Args, index: usize) -> Result<(), BoxError> {
        let path = args.path.ok_or("a worker needs the file")?;
        let redis = args.redis.ok_or("a worker needs --redis")?;
        let token = std::env::var("DEVREV_TOKEN").map_err(|_| "a worker needs DEVREV_TOKEN")?;
        let org = std::env::var("DEVREV_ORG").unwrap_or_else(|_| "default".to_owned());
        let budget = Arc::new(RedisBudget::new(&redis, &org, &token)?);
        let mut builder = Client::builder().token(token).pacing_budget(Arc::clone(&budget));
        if let Ok(base_url) = std::env::var("DEVREV_BASE_URL") {
            builder = builder.base_url(base_url);
        }
        let client = builder.build()?;
        let mut accounts: Vec<String> = Vec::new();
        let rows: Vec<Row> = read_rows(&path)?
            .into_iter()
            .filter(|row| {
                let position = accounts.iter().position(|a| *a == row.account_ref).unwrap_or_else(|| {
                    accounts.push(row.account_ref.clone());
                    accounts.len() - 1
                });
                position % args.workers == index
            })
            .collect();
        println!("worker {index}: {} rows", rows.len());
        import(&client, rows, true).await?;
        println!("worker {index}: done; paced locally after a Redis fault {} times", budget.fallbacks());
        Ok(())
    }
}

/// Without the feature `redis`, `--workers` says what it needs.
#[cfg(not(feature = "redis"))]
mod workers {
    use super::{Args, BoxError};

    pub(super) async fn run(_: Args) -> Result<(), BoxError> {
        Err("--workers shares the budget on Redis: run with `--features redis`".into())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
