//! Typed custom fields: declare a ticket's tenant fields as a Rust struct,
//! apply them as a schema fragment, create a ticket with them, read them back
//! typed, clear a field, and see the typed errors for a value that does not
//! fit, on both sides (the server's 400, the client's decode error).
//!
//! ```sh
//! cargo run --example custom_fields --features works,parts,dev-users
//! ```
//!
//! It runs against the embedded DevRev-compatible server (`devrev-testkit`),
//! which enforces fragments as DevRev does: applying a fragment changes an
//! organisation's schema, so this example never runs against a real one.
//!
//! Exits 0 on success; on any error, prints it and exits 1.

use std::process::ExitCode;

use devrev::custom_fields::{CustomFields, GetFragment, Patch};
use devrev::dev_users::DevUsersSelfRequest;
use devrev::models::{Part, PartsCreateRequestProduct, WorksCreateRequestTicket, WorksUpdateRequestTicket};
use devrev::parts::PartsCreateRequest;
use devrev::works::{WorksCreateRequest, WorksGetRequest, WorksUpdateRequest};
use devrev::{Client, ErrorKind};
use devrev_testkit::TestServer;
use serde_json::{json, Map};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A custom `enum` field: each variant is one allowed value.
#[derive(Debug, Clone, PartialEq, devrev::CustomEnum)]
enum Impact {
    #[custom(rename = "low")]
    Low,
    #[custom(rename = "high")]
    High,
}

/// The tenant fields of tickets (`tnt__impact`, ... on the wire).
#[derive(Debug, Clone, PartialEq, devrev::CustomFields)]
#[custom(leaf = "ticket")]
struct TicketFields {
    /// Required: not an `Option`.
    impact: Impact,
    affected_users: Option<i64>,
    #[custom(filterable)]
    regions: Option<Vec<String>>,
    due: Option<chrono::NaiveDate>,
}

async fn run(client: &Client) -> Result<(), BoxError> {
    // 1. The schema, from the code: the `schemas.custom.set` request, applied.
    let fragment = TicketFields::fragment();
    println!("1. fragment           {}", fragment.to_json());
    let id = fragment.send(client).await?.id;
    let live = GetFragment::new(&id).send(client).await?.fragment;
    let diff = TicketFields::diff(&live);
    println!("   applied            {id} ({} difference(s) from the struct)", diff.len());
    if !diff.is_empty() {
        return Err(format!("the live fragment differs: {diff:?}").into());
    }

    // 2. A ticket with typed fields.
    let me = DevUsersSelfRequest::new().send(client).await?.dev_user.id;
    let Part::Product(part) =
        PartsCreateRequest::new("Checkout", [me.clone()], PartsCreateRequestProduct::new()).send(client).await?.part
    else {
        return Err("the server answered another kind of part".into());
    };
    let fields = TicketFields {
        impact: Impact::High,
        affected_users: Some(1200),
        regions: Some(vec!["eu".into(), "us".into()]),
        due: chrono::NaiveDate::from_ymd_opt(2026, 12, 24),
    };
    let work = WorksCreateRequest::new(part.id.clone(), [me.clone()], "Checkout down", WorksCreateRequestTicket::new())
        .custom(&fields)
        .send(client)
        .await?
        .work;
    let ticket_id = match &work {
        devrev::models::Work::Ticket(t) => t.id.clone(),
        _ => return Err("the server answered another kind of work".into()),
    };
    println!("2. created ticket     {ticket_id}");

    // 3. Read back, typed.
    let read: TicketFields = WorksGetRequest::new(ticket_id.clone()).send(client).await?.work.custom()?;
    println!("3. read back          {read:?}");
    if read != fields {
        return Err("the fields read back differ from the ones sent".into());
    }

    // 3b. Clear a field: a `Patch` sends it as `null` (a field left `None` is not sent at all).
    let patch = Patch::<TicketFields>::new().clear("due")?;
    let updated: TicketFields = WorksUpdateRequest::new(ticket_id, WorksUpdateRequestTicket::new())
        .custom(&patch)
        .send(client)
        .await?
        .work
        .custom()?;
    println!("   cleared `due`      {updated:?}");
    if updated != (TicketFields { due: None, ..fields.clone() }) {
        return Err("clearing `due` changed other fields, or left it".into());
    }

    // 4. A value outside the enum: the server's typed 400 names the field.
    let bad = Map::from_iter([("tnt__impact".to_owned(), json!("urgent"))]);
    let refused = WorksCreateRequest::new(part.id, [me], "Bad impact", WorksCreateRequestTicket::new())
        .custom_fields(bad.clone())
        .send(client)
        .await;
    match refused {
        Err(err) => match err.kind() {
            Some(ErrorKind::CustomizationValidationError { subtype, field_name, .. }) => {
                println!("4. server refused     {subtype} on {}", field_name.as_deref().unwrap_or("?"));
            }
            _ => return Err(err.into()),
        },
        Ok(_) => return Err("the server accepted a value outside the enum".into()),
    }

    // 5. The same value read by the client: a typed decode error naming the field.
    match TicketFields::from_custom_fields(&bad) {
        Err(err) => println!("5. client refused     {err}"),
        Ok(_) => return Err("the client decoded a value outside the enum".into()),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let server = TestServer::start().await;
    println!("(running against the embedded server at {})", server.base_url());
    let client = match Client::builder().token(server.token()).base_url(server.base_url()).build() {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match run(&client).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
