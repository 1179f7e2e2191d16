//! Request overhead: the attribute-generated `send` against hand-written
//! reqwest + serde_json code, on the same loopback server, interleaved.
//!
//! ```sh
//! cargo run --release -p devrev-benches --bin overhead
//! cargo run --release -p devrev-benches --bin overhead -- --rounds 20 --concurrency 1,16,64
//! ```
//!
//! Both clients call `rev-orgs.create` with the same request and decode the
//! same 2.3 KB answer into the same types. First one call of each is
//! recorded by the server and compared: the two must put byte-identical
//! requests on the wire (method, URI, every header, body) and decode equal
//! values, or the benchmark stops. Then, for each concurrency, rounds of a
//! fixed number of calls alternate A/B, B/A, A/B, ... so that drift in the
//! machine's load hits both alike; the reported ratio is the median of the
//! per-pair ratios (generated / hand-written requests per second).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use devrev::models::{OrgEnvironment, SetTagWithValue};
use devrev::rev_orgs::{RevOrgsCreateRequest, RevOrgsCreateResponse};
use devrev::Client;
use devrev_benches::fixtures::{REV_ORG_CREATED, REV_ORG_CREATED_ID};
use devrev_benches::handwritten::HandClient;
use devrev_benches::server::{Reply, Server};
use devrev_benches::stats::{median, min_max};
use devrev_benches::sys::{load_average, machine};
use devrev_benches::BoxError;

const TOKEN: &str = "bench-token-7c1e0d";

struct Options {
    rounds: usize,
    concurrency: Vec<usize>,
    /// Calls per round at concurrency 1; higher concurrency does `scale` times more.
    requests: usize,
    client_threads: usize,
    server_threads: usize,
    /// Profiling: run only this client, `requests` calls, no comparison.
    only: Option<Which>,
}

impl Options {
    fn parse() -> Result<Options, BoxError> {
        let mut o = Options {
            rounds: 10,
            concurrency: vec![1, 64],
            requests: 2_000,
            client_threads: 1,
            server_threads: 1,
            only: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--rounds" => o.rounds = value()?.parse()?,
                "--requests" => o.requests = value()?.parse()?,
                "--client-threads" => o.client_threads = value()?.parse()?,
                "--server-threads" => o.server_threads = value()?.parse()?,
                "--only" => {
                    o.only = Some(match value()?.as_str() {
                        "generated" => Which::Generated,
                        "hand" => Which::Hand,
                        other => return Err(format!("--only takes `generated` or `hand`, not `{other}`").into()),
                    })
                }
                "--concurrency" => {
                    o.concurrency = value()?.split(',').map(str::parse).collect::<Result<_, _>>()?;
                }
                "-h" | "--help" => {
                    println!(
                        "overhead [--rounds N] [--requests N] [--concurrency 1,64] [--client-threads N] [--server-threads N]\n         [--only generated|hand]   (profiling: N calls of one client at the first concurrency)"
                    );
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument `{other}`; try --help").into()),
            }
        }
        if o.rounds == 0 || o.requests == 0 || o.concurrency.contains(&0) {
            return Err("--rounds, --requests and --concurrency must be positive".into());
        }
        Ok(o)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Which {
    Generated,
    Hand,
}

struct Clients {
    generated: Client,
    hand: HandClient,
    request: Arc<RevOrgsCreateRequest>,
}

impl Clients {
    async fn call(&self, which: Which) -> Result<RevOrgsCreateResponse, BoxError> {
        match which {
            Which::Generated => Ok(self.request.send(&self.generated).await?),
            Which::Hand => Ok(self.hand.create_rev_org(&self.request).await?),
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("overhead: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BoxError> {
    let opts = Options::parse()?;
    println!("# request overhead: generated `send` (A) vs hand-written reqwest (B), rev-orgs.create");
    println!("machine: {}", machine());
    println!("load average at start: {}", load_average());
    if cfg!(debug_assertions) {
        println!("WARNING: a debug build; run with --release for meaningful numbers");
    }

    let server = Server::start(
        opts.server_threads,
        Arc::new(|parts, _body| {
            if parts.method == "POST"
                && parts.uri.path() == "/rev-orgs.create"
                && parts.headers.contains_key("authorization")
            {
                Reply::json(201, REV_ORG_CREATED)
            } else {
                Reply::json(404, r#"{"type":"not_found","message":"no such route"}"#)
            }
        }),
    )?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(opts.client_threads.max(1)).enable_all().build()?;

    let clients = Arc::new(Clients {
        generated: Client::builder().token(TOKEN).base_url(server.url()).build()?,
        hand: HandClient::new(&server.url(), TOKEN)?,
        request: Arc::new(
            RevOrgsCreateRequest::new("ACC-70411", "Northwind Trading (EU)")
                .description("European subsidiary, billed separately")
                .environment(OrgEnvironment::Production)
                .external_ref("sf-0015g00000NWeu")
                .tags([SetTagWithValue::with_value("TAG-17", "tier-1")])
                .tier("enterprise"),
        ),
    });

    runtime.block_on(check_same_work(&server, &clients))?;
    if let Some(which) = opts.only {
        // For a profiler (e.g. valgrind --tool=callgrind): one client only.
        let concurrency = opts.concurrency[0];
        let rps = runtime.block_on(round(&clients, which, concurrency, opts.requests))?;
        println!("{which:?} only: {} calls at concurrency {concurrency}, {rps:.0} req/s", opts.requests);
        return Ok(());
    }
    println!(
        "client runtime: {} worker thread(s); server runtime: {} worker thread(s); {} rounds per concurrency",
        opts.client_threads, opts.server_threads, opts.rounds
    );
    println!();
    println!("| concurrency | calls/round | A generated req/s (median) | B hand-written req/s (median) | ratio A/B (median of pairs) | pair ratios min..max |");
    println!("| --- | --- | --- | --- | --- | --- |");

    let mut verdicts = Vec::new();
    for &concurrency in &opts.concurrency {
        // At least a few calls per task; more calls per round at higher concurrency.
        let calls = (opts.requests * concurrency.min(4)).max(concurrency * 8);
        // Warm-up: connections opened, pools and allocators settled.
        for which in [Which::Generated, Which::Hand] {
            runtime.block_on(round(&clients, which, concurrency, calls))?;
        }
        let mut a = Vec::new();
        let mut b = Vec::new();
        for r in 0..opts.rounds {
            let order = if r % 2 == 0 { [Which::Generated, Which::Hand] } else { [Which::Hand, Which::Generated] };
            for which in order {
                let rps = runtime.block_on(round(&clients, which, concurrency, calls))?;
                match which {
                    Which::Generated => a.push(rps),
                    Which::Hand => b.push(rps),
                }
            }
        }
        let pairs: Vec<f64> = a.iter().zip(&b).map(|(a, b)| a / b).collect();
        let ratio = median(&pairs);
        let (lo, hi) = min_max(&pairs);
        println!("| {concurrency} | {calls} | {:.0} | {:.0} | {ratio:.3} | {lo:.3}..{hi:.3} |", median(&a), median(&b));
        verdicts.push((concurrency, ratio));
    }
    println!();
    for (concurrency, ratio) in verdicts {
        let verdict = if ratio >= 0.97 { "meets" } else { "MISSES" };
        println!("concurrency {concurrency}: ratio {ratio:.3} {verdict} the target >= 0.97");
    }
    println!("load average at end: {}", load_average());
    Ok(())
}

/// Checks that both clients send byte-identical requests and decode equal values.
async fn check_same_work(server: &Server, clients: &Clients) -> Result<(), BoxError> {
    server.record(true);
    let generated = clients.call(Which::Generated).await?;
    let hand = clients.call(Which::Hand).await?;
    server.record(false);
    let recorded = server.take_recorded();
    let [a, b] = recorded.as_slice() else {
        return Err(format!("expected 2 recorded requests, got {}", recorded.len()).into());
    };
    if a != b {
        return Err(format!("the two clients sent different requests:\nA: {a:?}\nB: {b:?}").into());
    }
    if generated != hand || generated.rev_org.id != REV_ORG_CREATED_ID {
        return Err("the two clients decoded different values".into());
    }
    // What each call's state machine weighs: moving it costs a copy of this size.
    let size_a = std::mem::size_of_val(&clients.request.send(&clients.generated));
    let size_b = std::mem::size_of_val(&clients.hand.create_rev_org(&clients.request));
    println!("future sizes: generated `send` {size_a} bytes, hand-written {size_b} bytes");
    let names: Vec<&str> = a.headers.iter().map(|(name, _)| name.as_str()).collect();
    println!(
        "same work checked: identical `{} {}` with headers [{}] and a {}-byte body; equal decoded answers",
        a.method,
        a.uri,
        names.join(", "),
        a.body.len()
    );
    Ok(())
}

/// One round: `calls` calls by `concurrency` tasks; returns calls per second.
async fn round(clients: &Arc<Clients>, which: Which, concurrency: usize, calls: usize) -> Result<f64, BoxError> {
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for task in 0..concurrency {
        let n = calls / concurrency + usize::from(task < calls % concurrency);
        let clients = Arc::clone(clients);
        tasks.push(tokio::spawn(async move {
            for _ in 0..n {
                let answer = clients.call(which).await?;
                if answer.rev_org.id.len() != REV_ORG_CREATED_ID.len() {
                    return Err::<(), BoxError>("unexpected answer".into());
                }
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(calls as f64 / started.elapsed().as_secs_f64())
}
