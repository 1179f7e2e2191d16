//! Webhooks: `webhooks.create`, `get`, `list`, `update`, `delete`, and the
//! deliveries, as DevRev makes them.
//!
//! - `webhooks.create` stores the URL and event types (none given: every
//!   type) and answers 201 with the webhook, its `secret` (generated unless
//!   given) and `status: "unverified"`. The server then POSTs a `verify`
//!   event; an answer of 200 with `{"challenge": "<the same>"}` makes the
//!   webhook `active`. A changed URL or secret makes it unverified again and
//!   sends a new challenge.
//! - Every change the server makes to an object afterwards (published on
//!   [`crate::events::Events`]) is delivered to each active webhook subscribed
//!   to its type (`<object>_created`, `_updated`, `_deleted`), as one JSON
//!   object signed with `X-DevRev-Signature` (lowercase hex HMAC-SHA256 of the
//!   body under the secret). The data under the type's name has the shape
//!   DevRev's spec gives the event (`webhook-event-request`): `work_created`
//!   holds `work`, `work_updated` `work` and `old_work`, `work_deleted` `id`
//!   and `old_work`, `timeline_entry_created` `entry`, and so on. A change of
//!   a type DevRev has no event for is not delivered.
//! - A delivery not answered 2xx within 3 seconds is retried after each of
//!   the retry delays: DevRev's are immediately, 30 s and 3 min;
//!   [`TestServerBuilder::webhook_retry_delays`](crate::TestServerBuilder::webhook_retry_delays)
//!   shortens them for tests. With
//!   [`webhook_duplicates`](crate::TestServerBuilder::webhook_duplicates),
//!   each accepted delivery is sent a second time, as DevRev may
//!   ([`webhook_redeliver`](crate::TestServerBuilder::webhook_redeliver) for
//!   more times, later).
//! - A secret sent to `webhooks.create` or `.update` must be 8 to 32 bytes
//!   (400 `invalid_field` otherwise); without one, `create` makes one up (32
//!   letters and digits) and answers it; `update` with an empty secret makes a
//!   new one.
//! - Deliveries run concurrently, so they are only roughly in order; the
//!   `timestamp`s order them. For tests of a receiver, the builder can
//!   [delay](crate::TestServerBuilder::webhook_delay) every event,
//!   [reorder](crate::TestServerBuilder::webhook_reorder) them (batches sent
//!   newest first) and
//!   [redeliver](crate::TestServerBuilder::webhook_redeliver) accepted ones;
//!   every attempt is recorded ([`WebhookDelivery`]) with its body,
//!   signature, attempt, redelivery, answer and timing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::broadcast;

use crate::error::ApiError;
use crate::events::{Change, Events, ObjectChange};
use crate::input::Input;
use crate::response::json_response;
use crate::spec::API;

type App = Arc<Webhooks>;

/// An endpoint: the request's fields in, the status and body out.
type Handler = fn(&App, Input) -> Result<(StatusCode, Value), ApiError>;

/// DevRev's retries of an unanswered delivery: immediately, after 30 s, after 3 min.
pub(crate) const DEVREV_RETRY_DELAYS: [Duration; 3] =
    [Duration::ZERO, Duration::from_secs(30), Duration::from_secs(180)];

/// How long a receiver has to answer one attempt.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// The DON prefix of webhooks and events.
const DON: &str = "don:integration:dvrv-us-1:devo/1:";

/// The delivery settings of a server.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) retry_delays: Vec<Duration>,
    /// Each accepted delivery is sent again this many times, this long after
    /// the previous acceptance.
    pub(crate) redeliver: (usize, Duration),
    /// How long an event waits before its first attempt.
    pub(crate) delay: Duration,
    /// Events of one webhook are sent in batches of this many, newest first
    /// (1: in order).
    pub(crate) reorder: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retry_delays: DEVREV_RETRY_DELAYS.to_vec(),
            redeliver: (0, Duration::ZERO),
            delay: Duration::ZERO,
            reorder: 1,
        }
    }
}

/// With reordering on, a batch that has not filled up is sent after this long without a new event.
pub(crate) const REORDER_FLUSH: Duration = Duration::from_millis(200);

/// The bytes a webhook secret may have (`webhooks.create` and `.update`).
pub(crate) const SECRET_BYTES: std::ops::RangeInclusive<usize> = 8..=32;

/// One attempt to deliver an event, as [`TestServer::webhook_deliveries`](crate::TestServer::webhook_deliveries) reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The webhook's ID.
    pub webhook_id: String,
    /// The event's ID (the same on retries and duplicates).
    pub event_id: String,
    /// The event type, such as `account_created` or `verify`.
    pub event_type: String,
    /// 1 for the first attempt, 2 for the first retry, ... (counted again
    /// from 1 for each redelivery).
    pub attempt: usize,
    /// 0 for the delivery itself, 1 for its first redelivery (after it was
    /// accepted: `webhook_duplicates`, `webhook_redeliver`), ...
    pub redelivery: usize,
    /// The receiver's answer, or `None` when it did not answer in time or
    /// could not be reached.
    pub status: Option<u16>,
    /// The exact body sent (the same on every attempt of an event).
    pub body: String,
    /// The `X-DevRev-Signature` sent with it.
    pub signature: String,
    /// When the attempt was sent.
    pub sent_at: DateTime<Utc>,
    /// How long the receiver took to answer (or until the attempt failed).
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
struct Hook {
    id: String,
    url: String,
    /// Empty: every type.
    event_types: Vec<String>,
    secret: String,
    status: &'static str,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
}

impl Hook {
    fn render(&self) -> Value {
        json!({
            "id": self.id,
            "display_id": self.id.rsplit('/').next().unwrap_or_default(),
            "url": self.url,
            "event_types": self.event_types,
            "secret": self.secret,
            "status": self.status,
            "created_date": crate::clock::format(self.created),
            "modified_date": crate::clock::format(self.modified),
        })
    }

    fn wants(&self, event_type: &str) -> bool {
        self.status == "active" && (self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type))
    }
}

/// The webhooks of a server and their deliveries.
#[derive(Debug)]
pub(crate) struct Webhooks {
    settings: Settings,
    client: reqwest::Client,
    hooks: Mutex<BTreeMap<String, Hook>>,
    log: Mutex<Vec<WebhookDelivery>>,
    seq: AtomicU64,
    /// The server's one clock.
    time: Arc<crate::clock::Time>,
}

impl Webhooks {
    pub(crate) fn new(settings: Settings, time: Arc<crate::clock::Time>) -> Self {
        Webhooks {
            settings,
            // Loopback receivers in tests; no proxy from the environment.
            client: reqwest::Client::builder().no_proxy().build().unwrap_or_default(),
            hooks: Mutex::new(BTreeMap::new()),
            log: Mutex::new(Vec::new()),
            seq: AtomicU64::new(0),
            time,
        }
    }

    /// Every delivery attempt so far, in the order they finished.
    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn next_key(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let random: String = std::iter::repeat_with(fastrand::alphanumeric).take(6).collect();
        format!("{n}{random}")
    }

    /// Now, from the server's one clock: strictly later than the last time
    /// given, so timestamps order events.
    fn now(&self) -> DateTime<Utc> {
        self.time.tick()
    }

    fn hook(&self, id: &str) -> Option<Hook> {
        self.hooks.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    /// An event's body: the envelope and the data under the type's name.
    fn event(&self, webhook_id: &str, event_type: &str, data: Value) -> (String, String) {
        let id = format!("{DON}event/{}", self.next_key());
        let timestamp = self.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let body = json!({
            "id": id,
            "webhook_id": webhook_id,
            "timestamp": timestamp,
            "type": event_type,
            event_type: data,
        });
        (id, body.to_string())
    }
}

/// The lowercase hex HMAC-SHA256 of `body` under `secret`.
fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The webhook endpoints, serving `webhooks`, and starts delivering the
/// object changes published on `events`; the delivery task ends when the
/// server's event channel closes.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(webhooks: &App, events: &Events) -> Router<S> {
    tokio::spawn(listen(Arc::clone(webhooks), events.subscribe()));
    let body_handler = |f: Handler| {
        move |State(app): State<App>, method: Method, query: axum::extract::RawQuery, body: Bytes| async move {
            let input = if method == Method::POST {
                Input::from_body(&body)
            } else {
                Ok(Input::from_query(query.0.as_deref(), &[]))
            };
            match input.and_then(|input| f(&app, input)) {
                Ok((status, body)) => json_response(status, &body),
                Err(e) => e.into_response(),
            }
        }
    };
    Router::new()
        .route("/webhooks.create", post(body_handler(create)))
        .route("/webhooks.get", get(body_handler(get_one)).post(body_handler(get_one)))
        .route("/webhooks.list", get(body_handler(list)).post(body_handler(list)))
        .route("/webhooks.update", post(body_handler(update)))
        .route("/webhooks.delete", post(body_handler(delete)))
        .with_state(Arc::clone(webhooks))
}

fn event_types(input: &Input, name: &str) -> Result<Option<Vec<String>>, ApiError> {
    input.strings(name)
}

fn create(app: &App, input: Input) -> Result<(StatusCode, Value), ApiError> {
    let url = input.required_string("url")?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ApiError::invalid_field("url", "the URL must be http:// or https://"));
    }
    let event_types = event_types(&input, "event_types")?.unwrap_or_default();
    let secret = match input.string("secret")? {
        Some(secret) => checked_secret(secret)?,
        None => new_secret(),
    };
    let hooks = app;
    let now = hooks.now();
    let hook = Hook {
        id: format!("{DON}webhook/{}", hooks.next_key()),
        url,
        event_types,
        secret,
        status: "unverified",
        created: now,
        modified: now,
    };
    hooks.hooks.lock().unwrap_or_else(|e| e.into_inner()).insert(hook.id.clone(), hook.clone());
    tokio::spawn(challenge(Arc::clone(hooks), hook.id.clone()));
    Ok((StatusCode::CREATED, json!({ "webhook": hook.render() })))
}

/// A secret the server makes up: 32 bytes (the most the spec allows), letters and digits.
fn new_secret() -> String {
    std::iter::repeat_with(fastrand::alphanumeric).take(*SECRET_BYTES.end()).collect()
}

/// A secret a request sent, held to the spec: 8 to 32 bytes.
fn checked_secret(secret: String) -> Result<String, ApiError> {
    if SECRET_BYTES.contains(&secret.len()) {
        Ok(secret)
    } else {
        Err(ApiError::invalid_field(
            "secret",
            format!("the secret must be 8 to 32 bytes; it is {} bytes", secret.len()),
        ))
    }
}

fn find(app: &App, input: &Input) -> Result<Hook, ApiError> {
    let id = input.required_string("id")?;
    app.hook(&id).ok_or_else(|| ApiError::not_found("webhook", &id))
}

fn get_one(app: &App, input: Input) -> Result<(StatusCode, Value), ApiError> {
    Ok((StatusCode::OK, json!({ "webhook": find(app, &input)?.render() })))
}

fn list(app: &App, _input: Input) -> Result<(StatusCode, Value), ApiError> {
    let hooks = app.hooks.lock().unwrap_or_else(|e| e.into_inner());
    Ok((StatusCode::OK, json!({ "webhooks": hooks.values().map(Hook::render).collect::<Vec<_>>() })))
}

fn update(app: &App, input: Input) -> Result<(StatusCode, Value), ApiError> {
    let mut hook = find(app, &input)?;
    let url = input.string("url")?;
    // An empty secret asks for a new one.
    let secret = match input.string("secret")? {
        Some(secret) if secret.is_empty() => Some(new_secret()),
        Some(secret) => Some(checked_secret(secret)?),
        None => None,
    };
    let reverify = url.as_ref().is_some_and(|u| *u != hook.url) || secret.is_some();
    if let Some(url) = url {
        hook.url = url;
    }
    if let Some(secret) = secret {
        hook.secret = secret;
    }
    if let Some(changes) = input.object("event_types")? {
        let changes = Input::from_body(Value::Object(changes).to_string().as_bytes())?;
        if let Some(set) = event_types(&changes, "set")? {
            hook.event_types = set;
        }
        for add in event_types(&changes, "add")?.unwrap_or_default() {
            if !hook.event_types.contains(&add) {
                hook.event_types.push(add);
            }
        }
        let remove = event_types(&changes, "remove")?.unwrap_or_default();
        hook.event_types.retain(|t| !remove.contains(t));
    }
    match input.one_of("action", &["activate", "deactivate"])?.as_deref() {
        Some("deactivate") => hook.status = "inactive",
        Some("activate") if hook.status == "inactive" => hook.status = "unverified",
        _ => {}
    }
    let reverify = reverify || hook.status == "unverified";
    if reverify && hook.status != "inactive" {
        hook.status = "unverified";
    }
    hook.modified = app.now();
    app.hooks.lock().unwrap_or_else(|e| e.into_inner()).insert(hook.id.clone(), hook.clone());
    if reverify && hook.status == "unverified" {
        tokio::spawn(challenge(Arc::clone(app), hook.id.clone()));
    }
    Ok((StatusCode::OK, json!({ "webhook": hook.render() })))
}

fn delete(app: &App, input: Input) -> Result<(StatusCode, Value), ApiError> {
    let hook = find(app, &input)?;
    app.hooks.lock().unwrap_or_else(|e| e.into_inner()).remove(&hook.id);
    Ok((StatusCode::OK, json!({})))
}

/// Sends the `verify` event and activates the webhook when it is echoed.
async fn challenge(hooks: Arc<Webhooks>, id: String) {
    let Some(hook) = hooks.hook(&id) else { return };
    let challenge: String = std::iter::repeat_with(fastrand::alphanumeric).take(32).collect();
    let (event_id, body) = hooks.event(&hook.id, "verify", json!({ "challenge": challenge }));
    let expected = json!({ "challenge": challenge });
    let echoed = move |answer: &[u8]| serde_json::from_slice::<Value>(answer).is_ok_and(|v| v == expected);
    let out = Outgoing { hook: hook.clone(), event_id, event_type: "verify".to_owned(), body };
    if deliver(&hooks, &out, &echoed, 0, 1).await {
        let mut all = hooks.hooks.lock().unwrap_or_else(|e| e.into_inner());
        // Still the same URL and secret the challenge went to.
        if let Some(current) = all.get_mut(&id).filter(|h| h.url == hook.url && h.secret == hook.secret) {
            if current.status == "unverified" {
                current.status = "active";
            }
        }
    }
}

/// One event on its way to one webhook.
struct Outgoing {
    hook: Hook,
    event_id: String,
    event_type: String,
    body: String,
}

/// Delivers object changes until the server's event channel closes.
async fn listen(hooks: Arc<Webhooks>, mut changes: broadcast::Receiver<ObjectChange>) {
    // With reordering on: each webhook's events not sent yet.
    let mut queues: BTreeMap<String, Vec<Outgoing>> = BTreeMap::new();
    loop {
        let waiting = queues.values().any(|q| !q.is_empty());
        let received = if waiting {
            tokio::time::timeout(REORDER_FLUSH, changes.recv()).await.ok()
        } else {
            Some(changes.recv().await)
        };
        let change = match received {
            Some(Ok(change)) => change,
            Some(Err(broadcast::error::RecvError::Lagged(_))) => continue,
            closed_or_quiet => {
                // Quiet for a while (or closing): send the batches that did not fill up.
                for (_, batch) in std::mem::take(&mut queues) {
                    send_batch(&hooks, batch);
                }
                if closed_or_quiet.is_some() {
                    return;
                }
                continue;
            }
        };
        let Some((event_type, data)) = event_data(&change) else { continue };
        let targets: Vec<Hook> = hooks
            .hooks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|h| h.wants(&event_type))
            .cloned()
            .collect();
        for hook in targets {
            let (event_id, body) = hooks.event(&hook.id, &event_type, data.clone());
            let out = Outgoing { hook, event_id, event_type: event_type.clone(), body };
            if hooks.settings.reorder <= 1 {
                send_batch(&hooks, vec![out]);
                continue;
            }
            let queue = queues.entry(out.hook.id.clone()).or_default();
            queue.push(out);
            if queue.len() >= hooks.settings.reorder {
                send_batch(&hooks, std::mem::take(queue));
            }
        }
    }
}

/// Sends a batch of one webhook's events, newest first, after the delay:
/// the first attempts one after another in that order, then each event's
/// retries and redeliveries on a task of its own.
fn send_batch(hooks: &Arc<Webhooks>, mut batch: Vec<Outgoing>) {
    if batch.is_empty() {
        return;
    }
    batch.reverse();
    let hooks = Arc::clone(hooks);
    tokio::spawn(async move {
        tokio::time::sleep(hooks.settings.delay).await;
        for out in batch {
            let accepted = attempt(&hooks, &out, &|_: &[u8]| true, 0, 1).await;
            let hooks = Arc::clone(&hooks);
            tokio::spawn(async move {
                let accepted = accepted || deliver(&hooks, &out, &|_: &[u8]| true, 0, 2).await;
                let (times, after) = hooks.settings.redeliver;
                if accepted {
                    for redelivery in 1..=times {
                        tokio::time::sleep(after).await;
                        if !deliver(&hooks, &out, &|_: &[u8]| true, redelivery, 1).await {
                            break;
                        }
                    }
                }
            });
        }
    });
}

/// The event a change is delivered as: its type (`work_updated`) and the
/// data under the type's name, shaped as the spec's `webhook-event-request`
/// field of that name: the object under the event's required field other
/// than `id` (`work`, `entry`), the object before an update or delete under
/// its `old_` field (`old_work`) where the event has one, and a delete's
/// `id`. `None` for a type the spec has no event for.
fn event_data(change: &ObjectChange) -> Option<(String, Value)> {
    let suffix = match change.change {
        Change::Created => "created",
        Change::Updated => "updated",
        Change::Deleted => "deleted",
    };
    let event_type = format!("{}_{suffix}", change.object_type);
    let request = API.definitions.get("webhook-event-request")?;
    let schema = API.resolve(API.property(request, &event_type)?);
    let fields = schema.get("properties")?.as_object()?;
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let current = required.iter().find(|name| **name != "id");
    let old = fields.keys().find(|name| name.starts_with("old_"));
    let mut data = serde_json::Map::new();
    match change.change {
        Change::Created | Change::Updated => {
            data.insert((*current?).to_owned(), change.object.clone());
            if let (Some(old), Some(before)) = (old, &change.old) {
                data.insert(old.clone(), before.clone());
            }
        }
        Change::Deleted => {
            data.insert("id".into(), change.object.get("id").cloned().unwrap_or(Value::Null));
            if let Some(old) = old {
                data.insert(old.clone(), change.object.clone());
            }
        }
    }
    Some((event_type, Value::Object(data)))
}

/// The answer a delivery must get to count as accepted (besides a 2xx status).
type Accept = dyn Fn(&[u8]) -> bool + Send + Sync;

/// POSTs the event to its webhook, signed, from attempt `from` on (1: the
/// first; 2: the first retry, ...), retrying on the schedule until an answer
/// is 2xx and `accept`s its body; whether one was.
async fn deliver(hooks: &Webhooks, out: &Outgoing, accept: &Accept, redelivery: usize, from: usize) -> bool {
    let delays = std::iter::once(Duration::ZERO).chain(hooks.settings.retry_delays.iter().copied());
    for (n, delay) in delays.enumerate().skip(from.saturating_sub(1)) {
        tokio::time::sleep(delay).await;
        if attempt(hooks, out, accept, redelivery, n + 1).await {
            return true;
        }
    }
    false
}

/// One attempt: POSTs the event, signed, and records it; whether it was accepted.
async fn attempt(hooks: &Webhooks, out: &Outgoing, accept: &Accept, redelivery: usize, attempt: usize) -> bool {
    let signature = sign(&out.hook.secret, out.body.as_bytes());
    let sent_at = Utc::now();
    let started = std::time::Instant::now();
    let sent = hooks
        .client
        .post(&out.hook.url)
        .header("content-type", "application/json")
        .header("x-devrev-signature", &signature)
        .timeout(ANSWER_WITHIN)
        .body(out.body.clone())
        .send()
        .await;
    let (status, ok) = match sent {
        Ok(response) => {
            let status = response.status();
            let answer = response.bytes().await.unwrap_or_default();
            (Some(status.as_u16()), status.is_success() && accept(&answer))
        }
        Err(_) => (None, false),
    };
    hooks.log.lock().unwrap_or_else(|e| e.into_inner()).push(WebhookDelivery {
        webhook_id: out.hook.id.clone(),
        event_id: out.event_id.clone(),
        event_type: out.event_type.clone(),
        attempt,
        redelivery,
        status,
        body: out.body.clone(),
        signature,
        sent_at,
        elapsed: started.elapsed(),
    });
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(change: Change, object_type: &str, old: Option<Value>) -> ObjectChange {
        ObjectChange { change, object_type: object_type.to_owned(), object: json!({"id": "x", "n": 2}), old }
    }

    #[test]
    fn events_have_the_spec_shape() {
        let old = Some(json!({"id": "x", "n": 1}));
        let (t, data) = event_data(&change(Change::Created, "work", None)).unwrap();
        assert_eq!((t.as_str(), data), ("work_created", json!({"work": {"id": "x", "n": 2}})));
        let (t, data) = event_data(&change(Change::Updated, "work", old.clone())).unwrap();
        assert_eq!(
            (t.as_str(), data),
            ("work_updated", json!({"work": {"id": "x", "n": 2}, "old_work": {"id": "x", "n": 1}}))
        );
        let (t, data) = event_data(&change(Change::Deleted, "work", None)).unwrap();
        assert_eq!((t.as_str(), data), ("work_deleted", json!({"id": "x", "old_work": {"id": "x", "n": 2}})));
        // Not named after the type: a timeline entry is `entry`.
        let (_, data) = event_data(&change(Change::Updated, "timeline_entry", old)).unwrap();
        assert_eq!(data, json!({"entry": {"id": "x", "n": 2}, "old_entry": {"id": "x", "n": 1}}));
        // A link's delete has only its ID.
        assert_eq!(event_data(&change(Change::Deleted, "link", None)).unwrap().1, json!({"id": "x"}));
        // No such event in DevRev's spec: not delivered.
        assert!(event_data(&change(Change::Created, "uom", None)).is_none());
    }
}
