//! Serves the embedded DevRev-compatible server until Ctrl-C.
//!
//! ```sh
//! cargo run -p devrev-testkit -- --port 8080
//! ```
//!
//! Options: `--port N` (default 8080; 0 picks a free port), `--token T`
//! (default: a random token), `--rate-limit N` (requests per token per five
//! minutes), `--seed N` (the seed of made-up answers, default 0), `--quiet`
//! (no line per request).

use std::process::ExitCode;
use std::time::Duration;

use devrev_testkit::TestServer;

const USAGE: &str =
    "usage: devrev-testkit [--port N] [--token TOKEN] [--rate-limit REQUESTS_PER_5_MIN] [--seed N] [--quiet]";

/// What the command line asks for.
enum Command {
    Serve(Box<devrev_testkit::TestServerBuilder>),
    Help,
}

fn parse_args() -> Result<Command, String> {
    let mut builder = TestServer::builder().port(8080).print_requests(true);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        builder = match arg.as_str() {
            "--port" => {
                let port = value("--port")?;
                builder.port(port.parse().map_err(|_| format!("--port: `{port}` is not a port number"))?)
            }
            "--token" => builder.token(value("--token")?),
            "--rate-limit" => {
                let n = value("--rate-limit")?;
                let n = n.parse().map_err(|_| format!("--rate-limit: `{n}` is not a number"))?;
                builder.rate_limit(n, Duration::from_secs(300))
            }
            "--seed" => {
                let n = value("--seed")?;
                builder.seed(n.parse().map_err(|_| format!("--seed: `{n}` is not a number"))?)
            }
            "--quiet" => builder.print_requests(false),
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        };
    }
    Ok(Command::Serve(Box::new(builder)))
}

#[tokio::main]
async fn main() -> ExitCode {
    let builder = match parse_args() {
        Ok(Command::Serve(builder)) => *builder,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let server = match builder.start().await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("devrev-testkit: cannot listen on 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (url, token) = (server.base_url(), server.token());
    println!(
        "devrev-testkit serving {} operations of DevRev's API (every request checked against the spec) on {url}",
        devrev_testkit::operation_count()
    );
    println!("token: {token}");
    println!();
    println!("  export DEVREV_BASE_URL={url} DEVREV_TOKEN={token}");
    println!("  curl -s -X POST {url}/accounts.create -H \"Authorization: Bearer {token}\" -d '{{\"display_name\":\"Acme\"}}'");
    println!("  curl -s \"{url}/rev-orgs.list?limit=5\" -H \"Authorization: Bearer {token}\"");
    println!("  curl -s -X POST {url}/tags.create -H \"Authorization: Bearer {token}\" -d '{{\"name\":\"vip\"}}'");
    println!();
    println!("Ctrl-C stops it.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("devrev-testkit: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    drop(server);
    ExitCode::SUCCESS
}
