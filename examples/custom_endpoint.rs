//! Calls an endpoint the crate does not ship: `GET /dev-users.self`, declared
//! here in a few lines, with the same `send`, typed errors and retries as the
//! built-in endpoints.
//!
//! ```sh
//! DEVREV_TOKEN=... cargo run --example custom_endpoint
//! ```
//!
//! `DEVREV_BASE_URL` points it at another server; without a token it says so
//! and exits with status 2.

use std::process::ExitCode;

use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

/// Who the token belongs to. No parameters, so a unit struct; the answer's
/// type is inferred from the name: `DevUsersSelfResponse`.
#[devrev_endpoint(GET, "/dev-users.self")]
#[derive(Debug, Serialize)]
struct DevUsersSelfRequest;

#[derive(Debug, Deserialize)]
struct DevUsersSelfResponse {
    dev_user: DevUser,
}

/// Only the fields this program prints; DevRev's others are ignored.
#[derive(Debug, Deserialize)]
struct DevUser {
    id: String,
    display_id: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let client = match devrev::Client::from_env() {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err}");
            eprintln!("usage: DEVREV_TOKEN=<personal access token> cargo run --example custom_endpoint");
            return ExitCode::from(2);
        }
    };

    match DevUsersSelfRequest.send(&client).await {
        Ok(DevUsersSelfResponse { dev_user: me }) => {
            println!(
                "signed in as {} ({}), {}",
                me.display_name.as_deref().unwrap_or("?"),
                me.display_id.as_deref().unwrap_or(&me.id),
                me.email.as_deref().unwrap_or("no email"),
            );
            ExitCode::SUCCESS
        }
        Err(err) if err.status() == Some(401) => {
            eprintln!("DevRev refused the token: {err}");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("dev-users.self failed: {err}");
            ExitCode::FAILURE
        }
    }
}
