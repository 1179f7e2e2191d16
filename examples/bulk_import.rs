//! Imports customers from a CRM export: accounts, then their rev orgs, at
//! DevRev's rate limit, with a progress bar and a summary.
//!
//! ```sh
//! cargo run --example bulk_import                 # a 1,000-row sample, into the embedded server
//! cargo run --example bulk_import -- rows.csv     # your own file
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

fn progress_bar(len: usize, what: &str) -> ProgressBar {
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

async fn import(client: &Client, rows: Vec<Row>) -> Result<(), BoxError> {
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
    let bar = progress_bar(accounts.len(), "accounts");
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
    let bar = progress_bar(orgs.len(), "rev orgs");
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

async fn run() -> Result<(), BoxError> {
    let run = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs());
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
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
    import(&client, rows).await?;
    if let Some(server) = &_server {
        println!("the server answered {} requests with 429", server.rate_limited_count());
    }
    Ok(())
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
