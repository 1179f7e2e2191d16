//! A triage task across families: create a part and an issue in it, tag the
//! issue, comment on it, list the open issues of the part, close the issue.
//!
//! ```sh
//! cargo run --example triage --features works,parts,tags,timeline-entries,dev-users
//! ```
//!
//! Without `DEVREV_TOKEN` it runs against the embedded DevRev-compatible
//! server (`devrev-testkit`), which serves every operation of DevRev's API
//! and checks each request against DevRev's spec. With `DEVREV_TOKEN` (and
//! optionally `DEVREV_BASE_URL`) it runs against that DevRev, and deletes
//! what it created at the end, on error too, as far as it can.
//!
//! Exits 0 on success; on any error, prints it and exits 1.

use std::process::ExitCode;

use devrev::dev_users::DevUsersSelfRequest;
use devrev::models::{
    Part, PartsCreateRequestProduct, SetTagWithValue, StageFilter, StageInit, StageUpdate,
    TimelineEntriesCreateRequestTimelineComment, Work, WorksCreateRequestIssue, WorksUpdateRequestIssue,
    WorksUpdateRequestTags,
};
use devrev::parts::{PartsCreateRequest, PartsDeleteRequest};
use devrev::tags::{TagsCreateRequest, TagsDeleteRequest};
use devrev::timeline_entries::{TimelineEntriesCreateRequest, TimelineEntriesDeleteRequest};
use devrev::works::{WorksCreateRequest, WorksDeleteRequest, WorksListRequest, WorksUpdateRequest};
use devrev::Client;
use devrev_testkit::TestServer;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What this run created (DON IDs), so it deletes exactly that.
#[derive(Default)]
struct Created {
    part: Option<String>,
    tag: Option<String>,
    work: Option<String>,
    comment: Option<String>,
}

/// A work item's stage name ("" without one), whatever kind of work it is.
fn stage(work: &Work) -> &str {
    work.stage().map_or("", |s| s.name.as_str())
}

async fn triage(client: &Client, created: &mut Created) -> Result<(), BoxError> {
    let run = format!("{:06x}", std::process::id() ^ (std::time::UNIX_EPOCH.elapsed()?.subsec_nanos() & 0xff_ffff));
    let me = DevUsersSelfRequest::new().send(client).await?.dev_user;
    println!("0. acting as          {}", me.display_id.as_deref().unwrap_or(&me.id));

    let part = PartsCreateRequest::new(format!("Checkout {run}"), [me.id.clone()], PartsCreateRequestProduct::new())
        .description("created by the devrev crate's triage example")
        .send(client)
        .await?
        .part;
    let Part::Product(part) = part else { return Err("DevRev answered another kind of part".into()) };
    created.part = Some(part.id.clone());
    println!("1. created part       {} {:?}", part.display_id.as_deref().unwrap_or(&part.id), part.name);

    let title = format!("Payment page times out ({run})");
    let work = WorksCreateRequest::new(part.id.clone(), [me.id.clone()], title, WorksCreateRequestIssue::new())
        .body("Customers see a spinner after pressing Pay.")
        .stage(StageInit::new().name("triage"))
        .send(client)
        .await?
        .work;
    let work_id = work.id().to_owned();
    created.work = Some(work_id.clone());
    println!("2. created {:<10} {} {:?}", work.kind(), work.display_id().unwrap_or(&work_id), work.title());

    let tag = TagsCreateRequest::new(format!("payments-{run}")).send(client).await?.tag;
    created.tag = Some(tag.id.clone());
    WorksUpdateRequest::new(work_id.clone(), WorksUpdateRequestIssue::new())
        .tags(WorksUpdateRequestTags::new().set([SetTagWithValue::new(tag.id.clone())]))
        .send(client)
        .await?;
    println!("3. tagged it          {}", tag.name);

    let entry = TimelineEntriesCreateRequest::new(
        work_id.clone(),
        TimelineEntriesCreateRequestTimelineComment::new().body("Reproduced on staging; looking into the gateway."),
    )
    .send(client)
    .await?
    .timeline_entry;
    created.comment = Some(entry.id().to_owned());
    println!("4. commented          {}", entry.display_id().unwrap_or(entry.id()));

    let open = WorksListRequest::new()
        .applies_to_part([part.id.clone()])
        .stage(StageFilter::new().name(["triage"]))
        .limit(50)
        .send(client)
        .await?
        .works;
    println!("5. open issues in the part: {}", open.len());
    for work in &open {
        println!("     {} [{}] {}", work.display_id().unwrap_or(work.id()), stage(work), work.title());
    }

    let closed = WorksUpdateRequest::new(work_id, WorksUpdateRequestIssue::new())
        .stage(StageUpdate::new().name("completed"))
        .send(client)
        .await?
        .work;
    println!("6. closed             {} (stage {})", closed.display_id().unwrap_or(closed.id()), stage(&closed));
    Ok(())
}

/// Deletes what the run created, newest first; reports what it could not.
async fn clean_up(client: &Client, created: Created) -> bool {
    let mut ok = true;
    let mut report = |what: &str, result: devrev::Result<()>| {
        if let Err(e) = result {
            eprintln!("cleanup: could not delete the {what}: {e}");
            ok = false;
        }
    };
    if let Some(id) = created.comment {
        report("comment", TimelineEntriesDeleteRequest::new(id).send(client).await.map(drop));
    }
    if let Some(id) = created.work {
        report("issue", WorksDeleteRequest::new(id).send(client).await.map(drop));
    }
    if let Some(id) = created.tag {
        report("tag", TagsDeleteRequest::new(id).send(client).await.map(drop));
    }
    if let Some(id) = created.part {
        report("part", PartsDeleteRequest::new(id).send(client).await.map(drop));
    }
    if ok {
        println!("7. deleted what this run created");
    }
    ok
}

#[tokio::main]
async fn main() -> ExitCode {
    // Without a token, the embedded server; it lives until the end of main.
    let mut server = None;
    let client = if std::env::var_os("DEVREV_TOKEN").is_some() {
        Client::from_env()
    } else {
        let started = TestServer::start().await;
        println!("(no DEVREV_TOKEN: running against the embedded server at {})", started.base_url());
        let client = Client::builder().token(started.token()).base_url(started.base_url()).build();
        server = Some(started);
        client
    };
    let client = match client {
        Ok(client) => client,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut created = Created::default();
    let outcome = triage(&client, &mut created).await;
    let cleaned = clean_up(&client, created).await;
    drop(server);
    match outcome {
        Ok(()) if cleaned => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
