//! A webhook receiver: registers itself, answers DevRev's verify challenge,
//! and prints each verified event while it creates, updates and deletes a
//! work item (an issue in a part of its own); then deletes its webhook and
//! the part.
//!
//! ```sh
//! cargo run --example webhook_receiver --features works,parts,dev-users,axum
//! ```
//!
//! Without `DEVREV_TOKEN` it runs against the embedded server (devrev-testkit),
//! which delivers to this receiver on 127.0.0.1. With `DEVREV_TOKEN`, set
//! `WEBHOOK_PUBLIC_URL` to a URL DevRev can reach that forwards to this
//! process (a tunnel), and optionally `WEBHOOK_LISTEN` (default `127.0.0.1:8080`).
//! It deletes what it created at the end, on error too, as far as it can.
//! `WEBHOOK_MODE=ack-first` answers each delivery before handling it (at most
//! once) instead of after (at least once, the default); see `main`.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use devrev::dev_users::DevUsersSelfRequest;
use devrev::models::{
    Part, PartsCreateRequestProduct, WebhookEventType, WebhookStatus, Work, WorksCreateRequestIssue,
    WorksUpdateRequestIssue,
};
use devrev::parts::{PartsCreateRequest, PartsDeleteRequest};
use devrev::webhooks::{
    axum::Receiver, Event, EventKind, Verifier, WebhookSecret, WebhooksCreateRequest, WebhooksDeleteRequest,
    WebhooksGetRequest,
};
use devrev::works::{WorksCreateRequest, WorksDeleteRequest, WorksUpdateRequest};
use devrev::Client;
use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A work item's display ID (or ID) and title.
fn describe(work: &Work) -> String {
    let (id, display_id, title) = match work {
        Work::Issue(w) => (&w.id, &w.display_id, &w.title),
        Work::Ticket(w) => (&w.id, &w.display_id, &w.title),
        Work::Task(w) => (&w.id, &w.display_id, &w.title),
        Work::Opportunity(w) => (&w.id, &w.display_id, &w.title),
        _ => return "a work item of a type this version does not know".to_owned(),
    };
    format!("{} {title:?}", display_id.as_deref().unwrap_or(id))
}

/// A work item's DON ID.
fn work_id(work: &Work) -> Option<&str> {
    match work {
        Work::Issue(w) => Some(&w.id),
        Work::Ticket(w) => Some(&w.id),
        Work::Task(w) => Some(&w.id),
        Work::Opportunity(w) => Some(&w.id),
        _ => None,
    }
}

/// What the run created (DON IDs), so it deletes exactly that.
#[derive(Default)]
struct Created {
    webhook: Option<String>,
    part: Option<String>,
    work: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let remote = std::env::var("DEVREV_TOKEN").is_ok();
    // The embedded server lives as long as `main`.
    let mut _server = None;
    let (client, listen, public_url) = if remote {
        let public = std::env::var("WEBHOOK_PUBLIC_URL").map_err(|_| "with DEVREV_TOKEN, set WEBHOOK_PUBLIC_URL")?;
        let listen = std::env::var("WEBHOOK_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
        (Client::from_env()?, listen, Some(public))
    } else {
        let server = devrev_testkit::TestServer::builder()
            .webhook_retry_delays([Duration::ZERO, Duration::from_secs(1)])
            .start()
            .await?;
        let client = Client::builder().token(server.token()).base_url(server.base_url()).build()?;
        println!("embedded DevRev server at {}", server.base_url());
        _server = Some(server);
        (client, "127.0.0.1:0".to_owned(), None)
    };

    // The receiver: verifies, answers the challenge itself, hands on the rest,
    // in one of its two modes (`WEBHOOK_MODE`):
    // - `at-least-once` (the default): the handler runs before the answer, within
    //   2.5 s; an `Err`, a panic or a timeout answers 500, so DevRev retries and
    //   the retry is handled (the de-duplication forgets the failed event);
    // - `ack-first`: 200 at once, the handler runs afterwards (at most once:
    //   a failure loses the event; for quick or durable work such as a queue).
    let secret = random_secret();
    let verifier = Verifier::new(WebhookSecret::new(secret.clone())).dedupe(1_000);
    let (tx, mut events) = mpsc::unbounded_channel::<Event>();
    let receiver = Receiver::new(verifier); // reads deliveries up to 32 MiB; `.body_limit(n)` to change
    let route = if std::env::var("WEBHOOK_MODE").as_deref() == Ok("ack-first") {
        println!("mode: acknowledge first (at most once)");
        receiver.acknowledge_first(move |event: Event| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(event);
            }
        })
    } else {
        println!("mode: at least once");
        receiver.at_least_once(move |event: Event| {
            let tx = tx.clone();
            async move { tx.send(event).map_err(|_| "the example stopped listening") }
        })
    };
    let app = axum::Router::new().route("/devrev-webhook", route);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let local = format!("http://{}/devrev-webhook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = public_url.unwrap_or(local);
    println!("receiving at {url}");

    let mut created = Created::default();
    let outcome = run(&client, url, secret, &mut events, remote, &mut created).await;
    let cleaned = clean_up(&client, created).await;
    outcome?;
    if !cleaned {
        return Err("could not delete everything this run created".into());
    }
    Ok(())
}

async fn run(
    client: &Client,
    url: String,
    secret: String,
    events: &mut mpsc::UnboundedReceiver<Event>,
    remote: bool,
    created: &mut Created,
) -> Result<(), BoxError> {
    // Register, and wait for DevRev to verify us.
    let webhook = WebhooksCreateRequest::new(url)
        .secret(secret)
        .event_types([WebhookEventType::WorkCreated, WebhookEventType::WorkUpdated, WebhookEventType::WorkDeleted])
        .send(client)
        .await?
        .webhook;
    created.webhook = Some(webhook.id.clone());
    println!("registered webhook {} ({})", webhook.id, webhook.status);
    let mut status = webhook.status;
    for _ in 0..300 {
        if status == WebhookStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = WebhooksGetRequest::new(webhook.id.clone()).send(client).await?.webhook.status;
    }
    println!("webhook is {status}");
    if status != WebhookStatus::Active {
        return Err("the webhook was not verified (is the receiver reachable at the URL?)".into());
    }

    // Changes to watch: an issue created, renamed, deleted, in a part of its own.
    let me = DevUsersSelfRequest::new().send(client).await?.dev_user;
    // A name of its own per run: DevRev keeps part names unique.
    let name = format!("Webhook example {}", &random_secret()[..6]);
    let part =
        PartsCreateRequest::new(name, [me.id.clone()], PartsCreateRequestProduct::new()).send(client).await?.part;
    let Part::Product(part) = part else { return Err("DevRev answered another kind of part".into()) };
    created.part = Some(part.id.clone());
    let work =
        WorksCreateRequest::new(part.id.clone(), [me.id], "Webhook example issue", WorksCreateRequestIssue::new())
            .send(client)
            .await?
            .work;
    let id = work_id(&work).ok_or("DevRev answered an unknown work type")?.to_owned();
    created.work = Some(id.clone());
    println!("created {}", describe(&work));
    let renamed = WorksUpdateRequest::new(id.clone(), WorksUpdateRequestIssue::new())
        .title("Webhook example issue (renamed)")
        .send(client)
        .await?
        .work;
    println!("renamed it: {}", describe(&renamed));
    WorksDeleteRequest::new(id.clone()).send(client).await?;
    created.work = None;
    println!("deleted it");

    let mut received = 0;
    while received < 3 {
        let wait = if remote { 60 } else { 10 };
        let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(wait), events.recv()).await else {
            break;
        };
        received += 1;
        let what = match &event.kind {
            EventKind::WorkCreated(e) => format!("created {}", describe(&e.work)),
            EventKind::WorkUpdated(e) => match &e.old_work {
                Some(old) => format!("updated {}, was {}", describe(&e.work), describe(old)),
                None => format!("updated {}", describe(&e.work)),
            },
            EventKind::WorkDeleted(e) => format!("deleted {}", e.id),
            other => format!("{} event", other.event_type()),
        };
        let at = event.timestamp.map(|t| t.to_rfc3339()).unwrap_or_default();
        println!("verified event {} at {at}: {what}", event.id);
    }
    if received < 3 {
        return Err(format!("received {received} of 3 events").into());
    }
    Ok(())
}

/// Deletes what the run created: the work item if still there, the part, the webhook.
async fn clean_up(client: &Client, created: Created) -> bool {
    let mut ok = true;
    let mut report = |what: &str, result: devrev::Result<()>| {
        if let Err(e) = result {
            eprintln!("cleanup: could not delete the {what}: {e}");
            ok = false;
        }
    };
    if let Some(id) = created.work {
        report("work item", WorksDeleteRequest::new(id).send(client).await.map(drop));
    }
    if let Some(id) = created.part {
        report("part", PartsDeleteRequest::new(id).send(client).await.map(drop));
    }
    if let Some(id) = created.webhook {
        let deleted = WebhooksDeleteRequest::new(id.clone()).send(client).await.map(drop);
        if deleted.is_ok() {
            println!("deleted webhook {id}");
        }
        report("webhook", deleted);
    }
    ok
}

/// 32 random hex digits (DevRev takes secrets of 8 to 32 bytes).
fn random_secret() -> String {
    let a = RandomState::new().hash_one(std::process::id());
    let b = RandomState::new().hash_one(std::time::SystemTime::now());
    format!("{a:016x}{b:016x}")
}
