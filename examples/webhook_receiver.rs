//! A webhook receiver: registers itself, answers DevRev's verify challenge,
//! and prints each verified event while it creates, updates and deletes an
//! account; then deletes its webhook.
//!
//! ```sh
//! cargo run --example webhook_receiver --features axum
//! ```
//!
//! Without `DEVREV_TOKEN` it runs against the embedded server (devrev-testkit),
//! which delivers to this receiver on 127.0.0.1. With `DEVREV_TOKEN`, set
//! `WEBHOOK_PUBLIC_URL` to a URL DevRev can reach that forwards to this
//! process (a tunnel), and optionally `WEBHOOK_LISTEN` (default `127.0.0.1:8080`).

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use devrev::accounts::{AccountsCreateRequest, AccountsDeleteRequest, AccountsUpdateRequest};
use devrev::models::{WebhookEventType, WebhookStatus};
use devrev::webhooks::{
    axum::receiver, Event, EventKind, Verifier, WebhookSecret, WebhooksCreateRequest, WebhooksDeleteRequest,
    WebhooksGetRequest,
};
use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let remote = std::env::var("DEVREV_TOKEN").is_ok();
    // The embedded server lives as long as `main`.
    let mut _server = None;
    let (client, listen, public_url) = if remote {
        let public = std::env::var("WEBHOOK_PUBLIC_URL").map_err(|_| "with DEVREV_TOKEN, set WEBHOOK_PUBLIC_URL")?;
        let listen = std::env::var("WEBHOOK_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
        (devrev::Client::from_env()?, listen, Some(public))
    } else {
        let server = devrev_testkit::TestServer::builder()
            .webhook_retry_delays([Duration::ZERO, Duration::from_secs(1)])
            .start()
            .await?;
        let client = devrev::Client::builder().token(server.token()).base_url(server.base_url()).build()?;
        println!("embedded DevRev server at {}", server.base_url());
        _server = Some(server);
        (client, "127.0.0.1:0".to_owned(), None)
    };

    // The receiver: verifies, answers the challenge itself, hands on the rest.
    let secret = random_secret();
    let verifier = Verifier::new(WebhookSecret::new(secret.clone())).dedupe(1_000);
    let (tx, mut events) = mpsc::unbounded_channel::<Event>();
    let app = axum::Router::new().route(
        "/devrev-webhook",
        receiver(verifier, move |event: Event| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(event);
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let local = format!("http://{}/devrev-webhook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = public_url.unwrap_or(local);
    println!("receiving at {url}");

    // Register, and wait for DevRev to verify us.
    let webhook = WebhooksCreateRequest::new(url)
        .secret(secret)
        .event_types([
            WebhookEventType::AccountCreated,
            WebhookEventType::AccountUpdated,
            WebhookEventType::AccountDeleted,
        ])
        .send(&client)
        .await?
        .webhook;
    println!("registered webhook {} ({})", webhook.id, webhook.status);
    let mut status = webhook.status;
    for _ in 0..300 {
        if status == WebhookStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = WebhooksGetRequest::new(webhook.id.clone()).send(&client).await?.webhook.status;
    }
    println!("webhook is {status}");
    if status != WebhookStatus::Active {
        WebhooksDeleteRequest::new(webhook.id).send(&client).await?;
        return Err("the webhook was not verified (is the receiver reachable at the URL?)".into());
    }

    // Changes to watch: an account created, renamed, deleted.
    let account = AccountsCreateRequest::new("Webhook Example Co").send(&client).await?.account;
    println!("created account {}", account.id);
    AccountsUpdateRequest::new(account.id.clone()).display_name("Webhook Example Inc").send(&client).await?;
    println!("renamed it");
    AccountsDeleteRequest::new(account.id.clone()).send(&client).await?;
    println!("deleted it");

    let mut received = 0;
    while received < 3 {
        let wait = if remote { 60 } else { 10 };
        let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(wait), events.recv()).await else {
            break;
        };
        received += 1;
        let what = match &event.kind {
            EventKind::AccountCreated(e) => format!("account {} created", e.account.id),
            EventKind::AccountUpdated(e) => {
                format!("account {} renamed to {:?}", e.account.id, e.account.display_name.as_deref().unwrap_or(""))
            }
            EventKind::AccountDeleted(e) => format!("account {} deleted", e.id),
            other => format!("{} event", other.event_type()),
        };
        let at = event.timestamp.map(|t| t.to_rfc3339()).unwrap_or_default();
        println!("verified event {} at {at}: {what}", event.id);
    }

    WebhooksDeleteRequest::new(webhook.id.clone()).send(&client).await?;
    println!("deleted webhook {}", webhook.id);
    if received < 3 {
        return Err(format!("received {received} of 3 events").into());
    }
    Ok(())
}

/// 32 random hex digits (DevRev takes secrets of 8 to 32 bytes).
fn random_secret() -> String {
    let a = RandomState::new().hash_one(std::process::id());
    let b = RandomState::new().hash_one(std::time::SystemTime::now());
    format!("{a:016x}{b:016x}")
}
