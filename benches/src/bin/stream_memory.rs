//! Streaming memory: peak RSS of streaming 100,000 rev orgs (1,000 pages of
//! 100) through the pagination stream, against reading one page.
//!
//! ```sh
//! cargo run --release -p devrev-benches --bin stream_memory
//! cargo run --release -p devrev-benches --bin stream_memory -- --runs 5 --pages 1000
//! ```
//!
//! The parent process runs the loopback server (pages made on the fly, each
//! rev org distinct) and starts one child process per measurement, so every
//! peak (`VmHWM` of `/proc/self/status`) is the child's own. Modes, run
//! interleaved `--runs` times each:
//!
//! - `idle`: the client is built, nothing is sent (the floor);
//! - `one-page`: one `send` of `rev-orgs.list`, 100 rev orgs;
//! - `stream`: `items()` over the whole listing, each rev org checked and dropped;
//! - `collect`: the same stream collected into a `Vec` — the control that
//!   shows the measurement does see memory that grows with the listing.

use std::process::{Command, ExitCode};
use std::sync::Arc;

use devrev::models::RevOrg;
use devrev::Client;
use devrev_benches::fixtures::{list_page, offset_of, rev_org_id, PAGE_SIZE};
use devrev_benches::list::RevOrgsListRequest;
use devrev_benches::server::{Reply, Server};
use devrev_benches::stats::{median, min_max};
use devrev_benches::sys::{load_average, machine, peak_rss_kib};
use devrev_benches::BoxError;
use futures_util::StreamExt;

const TOKEN: &str = "bench-token-7c1e0d";
const MODES: [&str; 4] = ["idle", "one-page", "stream", "collect"];
const TARGET_MIB: f64 = 10.0;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--child") => child(&args[1..]),
        _ => parent(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stream_memory: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parent(args: &[String]) -> Result<(), BoxError> {
    let mut runs = 3usize;
    let mut pages = 1_000u64;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--runs" => runs = value()?.parse()?,
            "--pages" => pages = value()?.parse()?,
            "-h" | "--help" => {
                println!("stream_memory [--runs N] [--pages N]   (pages of {PAGE_SIZE} rev orgs)");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`; try --help").into()),
        }
    }
    if runs == 0 || pages == 0 {
        return Err("--runs and --pages must be positive".into());
    }
    let total = pages * PAGE_SIZE as u64;
    println!("# streaming memory: {total} rev orgs in {pages} pages of {PAGE_SIZE}, peak RSS per process");
    println!("machine: {}", machine());
    println!("load average at start: {}", load_average());
    if cfg!(debug_assertions) {
        println!("WARNING: a debug build; run with --release for meaningful numbers");
    }

    let server = Server::start(
        1,
        Arc::new(move |parts, _body| {
            if parts.method != "GET" || parts.uri.path() != "/rev-orgs.list" {
                return Reply::json(404, r#"{"type":"not_found","message":"no such route"}"#);
            }
            let mut offset = 0;
            let mut limit = PAGE_SIZE as u64;
            for pair in parts.uri.query().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
                match pair.split_once('=') {
                    Some(("cursor", c)) => match offset_of(c) {
                        Some(o) => offset = o,
                        None => return Reply::json(400, r#"{"type":"bad_request","message":"bad cursor"}"#),
                    },
                    Some(("limit", l)) => limit = l.parse().unwrap_or(PAGE_SIZE as u64).clamp(1, PAGE_SIZE as u64),
                    _ => {}
                }
            }
            Reply::json(200, list_page(offset, limit, total))
        }),
    )?;

    let exe = std::env::current_exe()?;
    let mut peaks: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    for run in 0..runs {
        for k in 0..MODES.len() {
            // Rotate the order from run to run.
            let m = (k + run) % MODES.len();
            let out = Command::new(&exe).args(["--child", MODES[m], &server.url(), &total.to_string()]).output()?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                return Err(
                    format!("child `{}` failed: {}{}", MODES[m], stdout, String::from_utf8_lossy(&out.stderr)).into()
                );
            }
            let kib: f64 = stdout
                .split_whitespace()
                .find_map(|w| w.strip_prefix("vmhwm_kib="))
                .ok_or_else(|| format!("child `{}` printed no peak: {stdout}", MODES[m]))?
                .parse()?;
            peaks[m].push(kib);
        }
    }

    println!();
    println!("| mode | what | items | peak RSS MiB (median) | min..max | vs one-page |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mib = |kib: f64| kib / 1024.0;
    let base = median(&peaks[1]);
    let what =
        ["client built, nothing sent", "one `send`", "`items()` stream, dropped", "`items()` collected (control)"];
    let items = [0, PAGE_SIZE as u64, total, total];
    for m in 0..MODES.len() {
        let med = median(&peaks[m]);
        let (lo, hi) = min_max(&peaks[m]);
        println!(
            "| {} | {} | {} | {:.1} | {:.1}..{:.1} | {:+.1} MiB |",
            MODES[m],
            what[m],
            items[m],
            mib(med),
            mib(lo),
            mib(hi),
            mib(med - base)
        );
    }
    let delta = mib(median(&peaks[2]) - base);
    let verdict = if delta <= TARGET_MIB { "meets" } else { "MISSES" };
    println!();
    println!("streaming {total} rev orgs costs {delta:+.1} MiB of peak RSS over one page: {verdict} the target (<= +{TARGET_MIB} MiB)");
    println!("load average at end: {}", load_average());
    Ok(())
}

fn child(args: &[String]) -> Result<(), BoxError> {
    let [mode, url, total] = args else {
        return Err("usage: --child MODE URL TOTAL".into());
    };
    let total: usize = total.parse()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let client = Client::builder().token(TOKEN).base_url(url.as_str()).build()?;
    let request = RevOrgsListRequest { cursor: None, limit: Some(PAGE_SIZE as u32) };
    let items = runtime.block_on(async {
        match mode.as_str() {
            "idle" => Ok::<usize, BoxError>(0),
            "one-page" => {
                let page = request.send(&client).await?;
                check_ids(page.rev_orgs.iter().enumerate())?;
                Ok(page.rev_orgs.len())
            }
            "stream" => {
                let mut stream = request.items(&client);
                let mut n = 0;
                while let Some(org) = stream.next().await {
                    check_ids(std::iter::once((n, &org?)))?;
                    n += 1;
                }
                Ok(n)
            }
            "collect" => {
                let all: Vec<RevOrg> =
                    request.items(&client).collect::<Vec<_>>().await.into_iter().collect::<Result<_, _>>()?;
                check_ids(all.iter().enumerate())?;
                Ok(all.len())
            }
            other => Err(format!("unknown mode `{other}`").into()),
        }
    })?;
    let expected = match mode.as_str() {
        "idle" => 0,
        "one-page" => PAGE_SIZE.min(total),
        _ => total,
    };
    if items != expected {
        return Err(format!("mode {mode}: read {items} rev orgs, expected {expected}").into());
    }
    let peak = peak_rss_kib().ok_or("cannot read VmHWM from /proc/self/status")?;
    println!("vmhwm_kib={peak} items={items}");
    Ok(())
}

/// Each rev org is the one expected at its position in the listing.
fn check_ids<'a>(orgs: impl Iterator<Item = (usize, &'a RevOrg)>) -> Result<(), BoxError> {
    for (i, org) in orgs {
        if org.id != rev_org_id(i as u64) {
            return Err(format!("rev org {i} is {}, expected {}", org.id, rev_org_id(i as u64)).into());
        }
    }
    Ok(())
}
