//! Creates a rev org and prints it.
//!
//! ```sh
//! DEVREV_TOKEN=... cargo run --example create_rev_org -- ACC-12345 "Acme Staging"
//! ```
//!
//! `DEVREV_BASE_URL` points it at another server (such as the embedded test
//! server); without a token it prints the configuration error ("no DevRev
//! token: set DEVREV_TOKEN or call ClientBuilder::token") and exits 1.

use std::process::ExitCode;

use devrev::rev_orgs::RevOrgsCreateRequest;

async fn run() -> devrev::Result<()> {
    let mut args = std::env::args().skip(1);
    let account = args.next().unwrap_or_else(|| "ACC-12345".to_owned());
    let name = args.next().unwrap_or_else(|| "Example rev org".to_owned());

    let client = devrev::Client::from_env()?;
    let created = RevOrgsCreateRequest::new(account, name)
        .description("Created by the devrev crate's example")
        .send(&client)
        .await?;
    let org = created.rev_org;
    println!(
        "created {} {:?} in account {}",
        org.display_id.as_deref().unwrap_or(&org.id),
        org.display_name.as_deref().unwrap_or(""),
        org.account.as_ref().and_then(|a| a.display_id.as_deref()).unwrap_or("?"),
    );
    Ok(())
}

// `main` prints the error's `Display` (what went wrong, and what to do), not
// the `Debug` a `main` returning `Result` would print.
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
