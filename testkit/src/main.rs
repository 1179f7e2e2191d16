//! Serves the embedded DevRev-compatible server until Ctrl-C.
//!
//! ```sh
//! cargo run -p devrev-testkit -- --port 8080
//! cargo run -p devrev-testkit -- --https --ca-file /tmp/testkit-ca.pem
//! DEVREV_TESTKIT_PORT=0 DEVREV_TESTKIT_TOKEN=secret cargo run -p devrev-testkit
//! ```
//!
//! Every flag can also come from an environment variable (the flag wins);
//! `devrev-testkit --help` lists them: `--port` (`DEVREV_TESTKIT_PORT`),
//! `--token` (`DEVREV_TESTKIT_TOKEN`), `--rate-limit`
//! (`DEVREV_TESTKIT_RATE_LIMIT`), `--seed` (`DEVREV_TESTKIT_SEED`),
//! `--quiet` (`DEVREV_TESTKIT_QUIET`), `--https` (`DEVREV_TESTKIT_HTTPS`),
//! `--ca-file` (`DEVREV_TESTKIT_CA_FILE`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::Parser;
use devrev_testkit::TestServer;

/// An embedded DevRev-compatible server: every operation of DevRev's API,
/// each request checked against the spec, served from memory on 127.0.0.1.
///
/// Every option can also be set with the environment variable named in
/// brackets; a flag on the command line wins over the variable.
#[derive(Debug, Parser)]
#[command(name = "devrev-testkit", version, about, long_about = None)]
struct Args {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, env = "DEVREV_TESTKIT_PORT", default_value_t = 8080, value_name = "PORT")]
    port: u16,

    /// The token clients send (`Authorization: <token>` or `Bearer <token>`); default: a random one.
    #[arg(long, env = "DEVREV_TESTKIT_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    token: Option<String>,

    /// The rate limit: requests per token per five minutes.
    #[arg(long, env = "DEVREV_TESTKIT_RATE_LIMIT", value_name = "REQUESTS_PER_5_MIN")]
    rate_limit: Option<u32>,

    /// The seed of the answers the server makes up (the same seed and requests give the same answers).
    #[arg(long, env = "DEVREV_TESTKIT_SEED", default_value_t = 0, value_name = "N")]
    seed: u64,

    /// No line per request on stderr.
    #[arg(long, env = "DEVREV_TESTKIT_QUIET", value_parser = BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    quiet: bool,

    /// Serve HTTPS with a certificate made at start for 127.0.0.1 and localhost; its authority's PEM is printed.
    #[arg(long, env = "DEVREV_TESTKIT_HTTPS", value_parser = BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    https: bool,

    /// With --https, also write the certificate authority's PEM to this file, for a client to trust.
    #[arg(long, env = "DEVREV_TESTKIT_CA_FILE", value_name = "PATH", requires = "https")]
    ca_file: Option<PathBuf>,
}

impl Args {
    fn builder(&self) -> devrev_testkit::TestServerBuilder {
        let mut builder = TestServer::builder().port(self.port).print_requests(!self.quiet).seed(self.seed);
        if let Some(token) = &self.token {
            builder = builder.token(token.clone());
        }
        if let Some(requests) = self.rate_limit {
            builder = builder.rate_limit(requests, Duration::from_secs(300));
        }
        if self.https {
            builder = builder.https();
        }
        builder
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let server = match args.builder().start().await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("devrev-testkit: cannot serve on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let (url, token) = (server.base_url(), server.token());
    // The banner is written once and a write error ignored: whoever started the server may
    // stop reading its output (a test reads up to the first blank line), which must not stop it.
    let mut banner = format!(
        "devrev-testkit serving {} operations of DevRev's API (every request checked against the spec) on {url}\n",
        devrev_testkit::operation_count()
    );
    banner += &format!("token: {token}\n");
    let mut curl = "curl -s".to_owned();
    if let Some(pem) = server.ca_pem() {
        if let Some(path) = &args.ca_file {
            if let Err(e) = std::fs::write(path, pem) {
                eprintln!("devrev-testkit: cannot write the certificate to {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            banner += &format!("certificate authority (PEM) written to {}\n", path.display());
            curl = format!("curl -s --cacert {}", path.display());
        }
        banner += "certificate authority to trust (PEM):\n";
        banner += pem;
    }
    banner += "\n";
    banner += &format!("  export DEVREV_BASE_URL={url} DEVREV_TOKEN={token}\n");
    banner += &format!(
        "  {curl} -X POST {url}/accounts.create -H \"Authorization: {token}\" -d '{{\"display_name\":\"Acme\"}}'\n"
    );
    banner += &format!("  {curl} \"{url}/rev-orgs.list?limit=5\" -H \"Authorization: Bearer {token}\"\n");
    banner += &format!("  {curl} -X POST {url}/tags.create -H \"Authorization: {token}\" -d '{{\"name\":\"vip\"}}'\n");
    banner += "\nCtrl-C stops it.\n";
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("devrev-testkit: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    drop(server);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        <Args as clap::CommandFactory>::command().debug_assert();
    }
}
