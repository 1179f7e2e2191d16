//! The README's "Add your own endpoint" program, verbatim: `tests/downstream`'s
//! `Cargo.toml` has the README's dependency lines, so this building proves them.
//!
//! ```sh
//! DEVREV_TOKEN=... cargo run -p devrev-downstream-example --example readme
//! ```

use std::process::ExitCode;

use serde::{Deserialize, Serialize};

#[devrev::devrev_endpoint(POST, "/tags.create", builder)] // GET/DELETE: the fields become the query string
#[derive(Debug, Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

// The answer's type is inferred from the request's name; or write `response = T`.
#[derive(Debug, Deserialize)]
pub struct TagsCreateResponse {
    pub tag: Tag,
}

#[derive(Debug, Deserialize)]
pub struct Tag {
    pub id: String,
    pub name: String,
}

async fn run() -> devrev::Result<()> {
    let client = devrev::Client::from_env()?; // DEVREV_TOKEN, optional DEVREV_BASE_URL
    let created = TagsCreateRequest::new("vip").description("Our best customers").send(&client).await?;
    println!("created tag {} ({})", created.tag.name, created.tag.id);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}"); // e.g. "no DevRev token: set DEVREV_TOKEN or call ClientBuilder::token"
            ExitCode::FAILURE
        }
    }
}
