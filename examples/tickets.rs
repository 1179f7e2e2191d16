//! Works and tickets, the README's section of that name: create a ticket in a
//! part, list the open tickets of the part by stage and severity, update the
//! ticket, comment on it.
//!
//! ```sh
//! cargo run --example tickets --features works,parts,timeline-entries,dev-users
//! ```
//!
//! Without `DEVREV_TOKEN` it runs against the embedded DevRev-compatible
//! server (`devrev-testkit`), which checks each request against DevRev's
//! spec; with `DEVREV_TOKEN` (and optionally `DEVREV_BASE_URL`), against that
//! DevRev (it then leaves the part and the ticket it created). CI runs it
//! against the embedded server: it checks what each step answered and exits 1
//! on any error or surprise.

use std::process::ExitCode;

use devrev_testkit::TestServer;

// README: works and tickets (begin)
use devrev::dev_users::DevUsersSelfRequest;
use devrev::models::{
    Part, PartsCreateRequestProduct, StageFilter, StageInit, StageUpdate, TicketSeverity,
    TimelineEntriesCreateRequestTimelineComment, TimelineEntry, Work, WorkType, WorksCreateRequestTicket,
    WorksUpdateRequestTicket,
};
use devrev::parts::PartsCreateRequest;
use devrev::timeline_entries::TimelineEntriesCreateRequest;
use devrev::works::{WorksCreateRequest, WorksListRequest, WorksUpdateRequest};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn tickets(client: &devrev::Client) -> Result<(), BoxError> {
    // Who is calling: the owner of what follows. A request without fields is a unit struct.
    let me = DevUsersSelfRequest.send(client).await?.dev_user;

    // A part to file tickets against: a product.
    let Part::Product(part) =
        PartsCreateRequest::new("Billing", [me.id.clone()], PartsCreateRequestProduct::new()).send(client).await?.part
    else {
        return Err("DevRev answered another kind of part".into());
    };

    // A ticket in that part; the ticket's own fields go in its variant.
    let created = WorksCreateRequest::new(
        part.id.clone(),
        [me.id.clone()],
        "Invoice PDF is blank",
        WorksCreateRequestTicket::new().severity(TicketSeverity::High),
    )
    .body("Customers on the yearly plan download an empty PDF.")
    .stage(StageInit::new().name("queued"))
    .send(client)
    .await?
    .work;
    let Work::Ticket(ticket) = created else { return Err("DevRev answered another kind of work".into()) };
    println!("created {} {:?}", ticket.display_id.as_deref().unwrap_or(&ticket.id), ticket.title);

    // The open tickets of the part: filtered by type, part and stage on the
    // server, read page by page, grouped by severity here.
    let mut open = WorksListRequest::new()
        .r#type([WorkType::Ticket])
        .applies_to_part([part.id.clone()])
        .stage(StageFilter::new().name(["queued", "work_in_progress"]))
        .limit(50)
        .items(client);
    let mut by_severity = std::collections::BTreeMap::<String, Vec<String>>::new();
    while let Some(work) = open.try_next().await? {
        if let Work::Ticket(t) = work {
            let severity = t.severity.map_or("none".to_owned(), |s| s.to_string());
            by_severity.entry(severity).or_default().push(t.title);
        }
    }
    for (severity, titles) in &by_severity {
        println!("open, {severity}: {}", titles.join("; "));
    }

    // Raise the severity and start work on it.
    let updated =
        WorksUpdateRequest::new(ticket.id.clone(), WorksUpdateRequestTicket::new().severity(TicketSeverity::Blocker))
            .stage(StageUpdate::new().name("work_in_progress"))
            .send(client)
            .await?
            .work;
    let Work::Ticket(updated) = updated else { return Err("DevRev answered another kind of work".into()) };
    println!("now {:?}, stage {:?}", updated.severity, updated.stage.as_ref().map(|s| &s.name));

    // A comment on the ticket's timeline.
    let entry = TimelineEntriesCreateRequest::new(
        ticket.id.clone(),
        TimelineEntriesCreateRequestTimelineComment::new().body("Reproduced; the fix is in review."),
    )
    .send(client)
    .await?
    .timeline_entry;
    if let TimelineEntry::TimelineComment(comment) = &entry {
        println!("commented {}", comment.id);
    }
    // README: works and tickets (end)

    // What CI checks, against the embedded server: each step's answer.
    check(
        by_severity.get("high").is_some_and(|t| t == &["Invoice PDF is blank"]),
        "the new ticket is listed as open, high",
    )?;
    check(updated.severity == Some(TicketSeverity::Blocker), "the update raised the severity")?;
    check(updated.stage.as_ref().is_some_and(|s| s.name == "work_in_progress"), "the update moved the stage")?;
    check(matches!(entry, TimelineEntry::TimelineComment(_)), "the comment is a comment")?;
    Ok(())
}

fn check(ok: bool, what: &str) -> Result<(), BoxError> {
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected answer: expected that {what}").into())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // Without a token, the embedded server; it lives until the end of main.
    let mut server = None;
    let client = if std::env::var_os("DEVREV_TOKEN").is_some() {
        devrev::Client::from_env()
    } else {
        let started = TestServer::start().await;
        println!("(no DEVREV_TOKEN: running against the embedded server at {})", started.base_url());
        let client = devrev::Client::builder().token(started.token()).base_url(started.base_url()).build();
        server = Some(started);
        client
    };
    let outcome = match client {
        Ok(client) => tickets(&client).await,
        Err(err) => Err(err.into()),
    };
    drop(server);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
