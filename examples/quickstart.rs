//! The whole rev-org lifecycle, one line per step.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Without `DEVREV_TOKEN` it starts the embedded DevRev-compatible server
//! (`devrev-testkit`) in-process and runs against it, so it works on a fresh
//! machine with no account anywhere. With `DEVREV_TOKEN` (and, optionally,
//! `DEVREV_BASE_URL`) it runs against that DevRev: it creates an account and a
//! rev org, and deletes exactly those at the end (on error too, as far as it
//! can).
//!
//! Exits 0 on success; on any error, prints it and exits 1.

use std::process::ExitCode;

use devrev::accounts::{AccountsCreateRequest, AccountsDeleteRequest};
use devrev::models::OrgEnvironment;
use devrev::rev_orgs::{
    RevOrgsCreateRequest, RevOrgsDeleteRequest, RevOrgsGetRequest, RevOrgsListRequest, RevOrgsUpdateRequest,
};
use devrev::Client;
use devrev_testkit::TestServer;

/// What this run created, so it deletes exactly that.
#[derive(Default)]
struct Created {
    /// The account's ID and display ID; deleting it also deletes its default rev org.
    account: Option<(String, String)>,
    /// The rev org's ID and display ID.
    rev_org: Option<(String, String)>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The name to show for an object: its display ID, else its DON ID.
fn shown<'a>(display_id: &'a Option<String>, id: &'a str) -> &'a str {
    display_id.as_deref().unwrap_or(id)
}

async fn lifecycle(client: &Client, created: &mut Created) -> Result<(), BoxError> {
    // Unique per run, so runs against a real DevRev never collide.
    let run = format!("{:08x}", run_tag());

    let answer = AccountsCreateRequest::new(format!("Quickstart Co {run}"))
        .description("created by the devrev crate's quickstart")
        .send(client)
        .await?;
    let account = answer.account;
    let account_id = shown(&account.display_id, &account.id).to_owned();
    created.account = Some((account.id.clone(), account_id.clone()));
    println!(
        "1. created account   {account_id} {:?} (with default rev org {})",
        account.display_name.as_deref().unwrap_or(""),
        shown(&answer.default_rev_org.display_id, &answer.default_rev_org.id),
    );

    let org = RevOrgsCreateRequest::new(account_id.clone(), format!("Quickstart Staging {run}"))
        .environment(OrgEnvironment::Staging)
        .external_ref(format!("quickstart-{run}"))
        .description("first description")
        .send(client)
        .await?
        .rev_org;
    let org_id = shown(&org.display_id, &org.id).to_owned();
    created.rev_org = Some((org.id.clone(), org_id.clone()));
    println!(
        "2. created rev org   {org_id} {:?} in {account_id}, external ref {:?}",
        org.display_name.as_deref().unwrap_or(""),
        org.external_ref.as_deref().unwrap_or(""),
    );

    let read = RevOrgsGetRequest::by_id(org.id.clone()).send(client).await?.rev_org;
    println!(
        "3. read back         {} {:?}, created by {}",
        shown(&read.display_id, &read.id),
        read.display_name.as_deref().unwrap_or(""),
        read.created_by.as_ref().and_then(|u| u.display_name()).unwrap_or("?"),
    );

    let new_description = "updated by the quickstart";
    let updated = RevOrgsUpdateRequest::new(org.id.clone()).description(new_description).send(client).await?.rev_org;
    println!(
        "4. updated           {org_id} description {:?} -> {:?}",
        read.description.as_deref().unwrap_or(""),
        updated.description.as_deref().unwrap_or(""),
    );

    // The account's rev orgs, two per page, through the item stream.
    let mut items = RevOrgsListRequest::new().account([account_id.clone()]).limit(2).items(client);
    let mut listed = Vec::new();
    while let Some(item) = items.try_next().await? {
        listed.push(format!("{} {:?}", shown(&item.display_id, &item.id), item.display_name.as_deref().unwrap_or("")));
    }
    println!("5. listed            {} rev orgs of {account_id}: {}", listed.len(), listed.join(", "));
    if !listed.iter().any(|l| l.starts_with(&org_id)) {
        return Err(format!("the listing of {account_id} does not hold {org_id}").into());
    }

    delete_created(client, created).await
}

/// Deletes what this run created, rev org first, then the account.
async fn delete_created(client: &Client, created: &mut Created) -> Result<(), BoxError> {
    if let Some((id, shown)) = created.rev_org.take() {
        RevOrgsDeleteRequest::new(id).send(client).await?;
        println!("6. deleted rev org   {shown}");
    }
    if let Some((id, shown)) = created.account.take() {
        AccountsDeleteRequest::new(id).send(client).await?;
        println!("7. deleted account   {shown} (and its default rev org)");
    }
    Ok(())
}

/// A random number for unique names, without another dependency.
fn run_tag() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    RandomState::new().hash_one(nanos) as u32
}

#[tokio::main]
async fn main() -> ExitCode {
    // Keeps the embedded server alive until the end of main.
    let mut _server = None;
    let client = if std::env::var("DEVREV_TOKEN").is_ok_and(|t| !t.trim().is_empty()) {
        match Client::from_env() {
            Ok(client) => {
                println!("DEVREV_TOKEN is set: using the DevRev API at {}", client.base_url());
                client
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        let server = match TestServer::builder().start().await {
            Ok(server) => server,
            Err(e) => {
                eprintln!("error: cannot start the embedded server: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "DEVREV_TOKEN is not set: using an embedded DevRev-compatible server at {} (set DEVREV_TOKEN to use DevRev)",
            server.base_url()
        );
        let client = Client::builder().token(server.token()).base_url(server.base_url()).build();
        _server = Some(server);
        match client {
            Ok(client) => client,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    };

    let mut created = Created::default();
    match lifecycle(&client, &mut created).await {
        Ok(()) => {
            println!("done: every step succeeded, and everything created was deleted");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            if created.account.is_some() || created.rev_org.is_some() {
                eprintln!("cleaning up what this run created...");
                if let Err(cleanup) = delete_created(&client, &mut created).await {
                    eprintln!("error while cleaning up: {cleanup}");
                }
            }
            ExitCode::FAILURE
        }
    }
}
