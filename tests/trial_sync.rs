//! A trial in the style of a new user's: a small issue-sync service (issues
//! from another tracker become DevRev issues in a part, with tags and
//! comments; reruns change nothing; a changed issue is one update) and its
//! integration test, against the embedded server alone (no wiremock):
//! request bodies asserted from the request log, a transient fault, a 429,
//! a permanent 400, the service's own endpoint (declared with
//! `#[devrev_endpoint]`, not shipped by the crate) served by a custom route,
//! a typed fixture (a teammate's issue, put in the store without a request),
//! and a time-based query ("modified since the last sync") on the server's
//! fixed clock, moved with `advance`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use devrev::models::WorksCreateRequestIssue;
use devrev::testing::RecordingSleeper;
use devrev::works::WorksCreateRequest;
use devrev_testkit::{Clock, Fault, RecordedRequest, Reply, TestServer, DEFAULT_USER, REDACTED};
use serde_json::json;

/// The service under test, as a user would write it.
mod sync {
    use std::collections::HashMap;

    use devrev::bulk::{Lookup, Reconciled};
    use devrev::dev_users::DevUsersSelfQueryRequest;
    use devrev::devrev_endpoint;
    use devrev::models::{
        DateTimeFilter, Part, PartsCreateRequestProduct, SetTagWithValue, TimelineEntriesCreateRequestTimelineComment,
        TimelineEntry, Timestamp, Work, WorksCreateRequestIssue, WorksUpdateRequestIssue,
    };
    use devrev::parts::{PartsCreateRequest, PartsListRequest};
    use devrev::tags::{TagsCreateRequest, TagsListQueryRequest};
    use devrev::timeline_entries::{TimelineEntriesCreateRequest, TimelineEntriesListQueryRequest};
    use devrev::works::{WorksCreateRequest, WorksListRequest, WorksUpdateRequest};
    use devrev::{Client, Error};
    use serde::{Deserialize, Serialize};

    /// The service's own endpoint: where it keeps its sync cursor. DevRev
    /// does not have it; the crate does not ship it.
    #[devrev_endpoint(POST, "/sync-state.set", builder)]
    #[derive(Debug, Clone, Serialize)]
    pub struct SyncStateSetRequest {
        pub name: String,
        pub cursor: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub synced: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    pub struct SyncStateSetResponse {
        pub state: SyncState,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct SyncState {
        pub name: String,
        pub cursor: String,
        pub synced: Option<u32>,
    }

    /// An issue of the other tracker.
    #[derive(Debug, Clone)]
    pub struct Issue {
        pub key: String,
        pub title: String,
        pub body: String,
        pub labels: Vec<String>,
        /// (key, body) of each comment.
        pub comments: Vec<(String, String)>,
    }

    /// What one run did.
    #[derive(Debug, Default)]
    pub struct Report {
        pub works_created: Vec<String>,
        pub works_already_present: Vec<String>,
        pub works_updated: Vec<String>,
        pub tags_created: Vec<String>,
        pub comments_created: Vec<String>,
        /// Issues the server refused: fix them, retrying will not help.
        pub rejected: Vec<(String, Error)>,
        /// Issues that failed for now: the next run tries again.
        pub postponed: Vec<(String, Error)>,
        /// The sync state as the service's endpoint saved it.
        pub saved: Option<SyncState>,
    }

    fn marker(key: &str) -> String {
        format!("[{key}]")
    }

    fn title(issue: &Issue) -> String {
        format!("{} {}", marker(&issue.key), issue.title)
    }

    /// The issues in the part, by their tracker key.
    async fn works_by_key(client: &Client, part: &str) -> devrev::Result<HashMap<String, (String, String, String)>> {
        let works = WorksListRequest::new().applies_to_part([part]).limit(100).send(client).await?.works;
        Ok(works
            .into_iter()
            .filter_map(|work| match work {
                Work::Issue(w) => {
                    let key = w.title.strip_prefix('[')?.split_once(']')?.0.to_owned();
                    Some((key, (w.id, w.title, w.body.unwrap_or_default())))
                }
                _ => None,
            })
            .collect())
    }

    /// Runs one sync of `issues` into the part `part_name`.
    pub async fn run(client: &Client, part_name: &str, issues: &[Issue], cursor: &str) -> devrev::Result<Report> {
        let mut report = Report::default();
        let me = DevUsersSelfQueryRequest::new().send(client).await?.dev_user.id;

        let found = PartsListRequest::new().name([part_name]).limit(1).send(client).await?.parts;
        let part = match found.into_iter().next() {
            Some(Part::Product(p)) => p.id,
            _ => match PartsCreateRequest::new(part_name, [me.clone()], PartsCreateRequestProduct::new())
                .send(client)
                .await?
                .part
            {
                Part::Product(p) => p.id,
                other => return Err(Error::Encode(format!("unexpected part {other:?}"))),
            },
        };

        let mut tags = HashMap::new();
        for label in issues.iter().flat_map(|i| &i.labels) {
            if tags.contains_key(label) {
                continue;
            }
            let id =
                match TagsListQueryRequest::new().name([label.as_str()]).send(client).await?.tags.into_iter().next() {
                    Some(tag) => tag.id,
                    None => {
                        report.tags_created.push(label.clone());
                        TagsCreateRequest::new(label.as_str()).send(client).await?.tag.id
                    }
                };
            tags.insert(label.clone(), id);
        }

        let existing = works_by_key(client, &part).await?;
        let mut synced = 0;
        for issue in issues {
            let work = match existing.get(&issue.key) {
                Some((id, current_title, current_body)) => {
                    // Send only what changed.
                    let mut update = WorksUpdateRequest::new(id.clone(), WorksUpdateRequestIssue::new());
                    let mut changed = false;
                    if *current_title != title(issue) {
                        update = update.title(title(issue));
                        changed = true;
                    }
                    if *current_body != issue.body {
                        update = update.body(issue.body.clone());
                        changed = true;
                    }
                    if changed {
                        if let Err(e) = update.send(client).await {
                            sort_failure(&mut report, &issue.key, e);
                            continue;
                        }
                        report.works_updated.push(issue.key.clone());
                    }
                    id.clone()
                }
                None => {
                    let create = WorksCreateRequest::new(
                        part.clone(),
                        [me.clone()],
                        title(issue),
                        WorksCreateRequestIssue::new(),
                    )
                    .body(issue.body.clone())
                    .tags(issue.labels.iter().map(|l| SetTagWithValue::new(tags[l].clone())));
                    // A create whose outcome is unknown is looked up by its marker before it is resent.
                    let (part, key) = (part.clone(), issue.key.clone());
                    let created = client
                        .send_reconciled_with(&create, move |client, _request: WorksCreateRequest| {
                            let (part, key) = (part.clone(), key.clone());
                            async move {
                                let works =
                                    WorksListRequest::new().applies_to_part([part]).limit(100).send(&client).await?;
                                let found = works.works.into_iter().find(|w| match w {
                                    Work::Issue(w) => w.title.starts_with(&marker(&key)),
                                    _ => false,
                                });
                                Ok(found.map_or(Lookup::Absent, Lookup::Found))
                            }
                        })
                        .await;
                    let work = match created {
                        Ok(Reconciled::Sent(created)) => {
                            report.works_created.push(issue.key.clone());
                            created.work
                        }
                        Ok(Reconciled::AlreadyPresent(work)) => {
                            report.works_already_present.push(issue.key.clone());
                            work
                        }
                        Ok(other) => return Err(Error::Encode(format!("unexpected outcome {other:?}"))),
                        Err(e) => {
                            sort_failure(&mut report, &issue.key, e);
                            continue;
                        }
                    };
                    match work {
                        Work::Issue(w) => w.id,
                        other => return Err(Error::Encode(format!("unexpected work {other:?}"))),
                    }
                }
            };

            let entries = TimelineEntriesListQueryRequest::new(work.clone()).send(client).await?.timeline_entries;
            let present: Vec<String> = entries
                .iter()
                .filter_map(|e| match e {
                    TimelineEntry::TimelineComment(c) => c.external_ref.clone(),
                    _ => None,
                })
                .collect();
            for (key, body) in &issue.comments {
                let external_ref = format!("{}-{key}", issue.key);
                if present.contains(&external_ref) {
                    continue;
                }
                TimelineEntriesCreateRequest::new(
                    work.clone(),
                    TimelineEntriesCreateRequestTimelineComment::new()
                        .body(body.clone())
                        .external_ref(external_ref.clone()),
                )
                .send(client)
                .await?;
                report.comments_created.push(external_ref);
            }
            synced += 1;
        }

        report.saved = Some(SyncStateSetRequest::new("tracker", cursor).synced(synced).send(client).await?.state);
        Ok(report)
    }

    /// The titles of the issues in the part changed since `last_sync`, by
    /// anyone (created or updated), oldest first: what a two-way sync copies
    /// back to the other tracker.
    pub async fn modified_since(client: &Client, part: &str, last_sync: Timestamp) -> devrev::Result<Vec<String>> {
        let works = WorksListRequest::new()
            .applies_to_part([part])
            .modified_date(DateTimeFilter::new().after(last_sync))
            .limit(100)
            .send(client)
            .await?
            .works;
        Ok(works
            .into_iter()
            .filter_map(|work| match work {
                Work::Issue(w) => Some(w.title),
                _ => None,
            })
            .collect())
    }

    fn sort_failure(report: &mut Report, key: &str, error: Error) {
        if error.is_permanent() {
            report.rejected.push((key.to_owned(), error));
        } else {
            report.postponed.push((key.to_owned(), error));
        }
    }
}

use sync::Issue;

fn issue(key: &str, title: &str, body: &str, labels: &[&str], comments: &[(&str, &str)]) -> Issue {
    Issue {
        key: key.into(),
        title: title.into(),
        body: body.into(),
        labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        comments: comments.iter().map(|(k, b)| ((*k).to_owned(), (*b).to_owned())).collect(),
    }
}

/// The operations of a run's requests that wrote something.
fn writes(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter_map(|r| r.operation.clone())
        .filter(|op| [".create", ".update", ".delete", ".set"].iter().any(|w| op.ends_with(w)))
        .collect()
}

fn bodies(requests: &[RecordedRequest], operation: &str) -> Vec<serde_json::Value> {
    requests.iter().filter(|r| r.is(operation)).map(|r| r.body.clone().unwrap_or_default()).collect()
}

#[tokio::test]
async fn an_issue_sync_against_the_embedded_server() {
    // A fixed clock: every date is known, and only `advance` moves it.
    let nine = "2026-01-05T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
    let server = TestServer::builder().clock(Clock::fixed(nine)).start().await.unwrap();
    // The service's own endpoint, on the same server, behind the same token.
    let states: Arc<Mutex<HashMap<String, serde_json::Value>>> = Arc::default();
    let kept = Arc::clone(&states);
    server.route("/sync-state.set", move |request| {
        let Some(body) = request.body.clone() else { return Reply::error(400, "bad_request", "a JSON body") };
        let name = body["name"].as_str().unwrap_or_default().to_owned();
        kept.lock().unwrap().insert(name, body.clone());
        Reply::ok(json!({"state": body}))
    });
    let sleeper = RecordingSleeper::new();
    let client = devrev::Client::builder()
        .token(server.token())
        .base_url(server.base_url())
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    let mut issues = vec![
        issue("GH-1", "Crash on save", "Steps: open, save.", &["bug"], &[("c1", "Seen on 1.2"), ("c2", "Also on 1.3")]),
        issue("GH-2", "Slow search", "Takes 5 s.", &["perf", "bug"], &[]),
        issue("GH-3", "Dark mode", "Please.", &["feature"], &[("c1", "+1")]),
    ];

    // First run: everything is created, once.
    let report = sync::run(&client, "Checkout", &issues, "c-1").await.unwrap();
    assert_eq!(report.works_created, ["GH-1", "GH-2", "GH-3"]);
    assert_eq!(report.tags_created, ["bug", "perf", "feature"]);
    assert_eq!(report.comments_created, ["GH-1-c1", "GH-1-c2", "GH-3-c1"]);
    assert!(report.rejected.is_empty() && report.postponed.is_empty(), "{report:?}");
    let saved = sync::SyncState { name: "tracker".into(), cursor: "c-1".into(), synced: Some(3) };
    assert_eq!(report.saved, Some(saved));
    let run1 = server.take_requests();
    assert!(run1.iter().all(|r| r.status.is_some_and(|s| s < 300)), "{run1:#?}");
    let part = run1.iter().find(|r| r.is("parts.create")).and_then(|r| r.body.clone()).unwrap();
    let me = part["owned_by"][0].as_str().unwrap().to_owned();
    assert_eq!(part, json!({"name": "Checkout", "owned_by": [me], "type": "product"}));
    let works = bodies(&run1, "works.create");
    assert_eq!(works.len(), 3);
    let part_id = works[0]["applies_to_part"].as_str().unwrap().to_owned();
    assert_eq!(works[0]["title"], "[GH-1] Crash on save");
    assert_eq!(works[0]["body"], "Steps: open, save.");
    assert_eq!(works[0]["owned_by"], json!([me]));
    assert_eq!(works[0]["type"], "issue");
    assert_eq!(works[1]["tags"].as_array().map(Vec::len), Some(2), "perf and bug: {}", works[1]);
    assert_eq!(
        works[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["applies_to_part", "body", "owned_by", "tags", "title", "type"]
    );
    let comments = bodies(&run1, "timeline-entries.create");
    assert_eq!(comments[0]["body"], "Seen on 1.2");
    assert_eq!(comments[0]["external_ref"], "GH-1-c1");
    assert_eq!(comments[0]["type"], "timeline_comment");
    assert!(comments[0]["object"].as_str().is_some_and(|o| o.contains(":issue/")), "{}", comments[0]);
    // The service's own endpoint: typed request, the integer literal inferred as u32, logged like the rest.
    let set = run1.iter().find(|r| r.is("sync-state.set")).unwrap();
    assert_eq!(set.body, Some(json!({"name": "tracker", "cursor": "c-1", "synced": 3})));
    assert_eq!((set.user.as_deref(), set.header("authorization")), (Some(DEFAULT_USER), Some(REDACTED)));
    assert_eq!(states.lock().unwrap()["tracker"]["cursor"], "c-1");
    assert!(sleeper.waits().is_empty(), "nothing failed, nothing waited");

    // A rerun with nothing changed writes nothing (but the cursor).
    let report = sync::run(&client, "Checkout", &issues, "c-2").await.unwrap();
    assert!(report.works_created.is_empty() && report.works_updated.is_empty() && report.comments_created.is_empty());
    assert_eq!(writes(&server.take_requests()), ["sync-state.set"]);

    // An hour later: the last sync's mark, on the server's clock.
    server.advance(TimeDelta::hours(1));
    let last_sync = server.now();
    assert_eq!(last_sync, "2026-01-05T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
    // Meanwhile a teammate files an issue in the part, in DevRev: a typed fixture, stored
    // as a create would store it (dated by the clock), without a request of the service.
    let filed =
        WorksCreateRequest::new(part_id.clone(), [me.clone()], "Button misaligned", WorksCreateRequestIssue::new());
    let filed = server.insert_request(&filed).unwrap().work;
    let devrev::models::Work::Issue(filed) = filed else { panic!("{filed:?}") };
    assert_eq!(filed.created_date, Some(last_sync));
    assert!(server.requests().is_empty(), "a fixture is not a request");

    // One change: one update, carrying only the body.
    issues[1].body = "Takes 5 s on large accounts.".into();
    let report = sync::run(&client, "Checkout", &issues, "c-3").await.unwrap();
    assert_eq!(report.works_updated, ["GH-2"]);
    let run3 = server.take_requests();
    assert_eq!(writes(&run3), ["works.update", "sync-state.set"], "the teammate's issue is not the service's");
    let update = &bodies(&run3, "works.update")[0];
    let id = update["id"].as_str().unwrap();
    assert_eq!(*update, json!({"id": id, "type": "issue", "body": "Takes 5 s on large accounts."}));

    // Modified since the last sync: the teammate's issue and GH-2, not the works of the
    // runs before the mark; the filter on the wire as DevRev reads it.
    let changed = sync::modified_since(&client, &part_id, last_sync).await.unwrap();
    assert_eq!(changed, ["[GH-2] Slow search", "Button misaligned"]);
    let query = server.take_requests().pop().unwrap();
    assert!(query.is("works.list") && query.method == "POST", "{query:?}");
    assert_eq!(
        query.body,
        Some(json!({
            "applies_to_part": [part_id],
            "modified_date": {"type": "range", "after": "2026-01-05T10:00:00Z"},
            "limit": 100,
        }))
    );
    // Since the first run: every issue.
    assert_eq!(sync::modified_since(&client, &part_id, nine).await.unwrap().len(), 4);
    server.take_requests();

    // A transient fault: the create of GH-4 is applied but its connection drops,
    // and a read fails once with 503. The create is looked up, not resent; the read is retried.
    issues.push(issue("GH-4", "Export to CSV", "As a file.", &["feature"], &[]));
    server.inject_operation("works.create", Fault::drop_connection().after_applying());
    server.inject_operation("parts.list", Fault::json(503, json!({"type": "service_unavailable"})));
    let report = sync::run(&client, "Checkout", &issues, "c-4").await.unwrap();
    assert_eq!(report.works_already_present, ["GH-4"], "{report:?}");
    assert!(report.works_created.is_empty());
    let run4 = server.take_requests();
    assert_eq!(writes(&run4), ["works.create", "sync-state.set"], "one create, not resent");
    assert_eq!(
        run4.iter().filter(|r| r.is("parts.list")).map(|r| r.status).collect::<Vec<_>>(),
        [Some(503), Some(200)]
    );
    assert_eq!(sleeper.take_waits().len(), 1, "the 503's backoff, recorded, not slept");

    // A 429 on a tag create: waited out as the server asked (recorded), then created once.
    issues.push(issue("GH-5", "Typo in footer", "Teh.", &["docs"], &[]));
    server.inject_operation(
        "tags.create",
        Fault::json(429, json!({"type": "too_many_requests", "retry_after": 3})).header("retry-after", "3"),
    );
    let report = sync::run(&client, "Checkout", &issues, "c-5").await.unwrap();
    assert_eq!(
        (report.tags_created.clone(), report.works_created.clone()),
        (vec!["docs".to_owned()], vec!["GH-5".to_owned()])
    );
    assert_eq!(sleeper.take_waits(), [Duration::from_secs(3)]);
    let run5 = server.take_requests();
    assert_eq!(
        run5.iter().filter(|r| r.is("tags.create")).map(|r| r.status).collect::<Vec<_>>(),
        [Some(429), Some(201)]
    );
    assert_eq!(bodies(&run5, "tags.create"), [json!({"name": "docs"}), json!({"name": "docs"})]);

    // A permanent 400 for one issue's create: reported, not retried, the others go on.
    issues.push(issue("GH-6", "Broken import", "x", &[], &[]));
    issues.push(issue("GH-7", "Fine import", "y", &[], &[("c1", "ok")]));
    server.inject_operation(
        "works.create",
        Fault::json(400, json!({"type": "bad_request", "message": "title rejected"}))
            .when_body(|b| b["title"].as_str().is_some_and(|t| t.starts_with("[GH-6]"))),
    );
    let report = sync::run(&client, "Checkout", &issues, "c-6").await.unwrap();
    assert_eq!(report.works_created, ["GH-7"]);
    assert_eq!(report.comments_created, ["GH-7-c1"]);
    let (key, error) = &report.rejected[0];
    assert_eq!((key.as_str(), error.status(), error.is_permanent()), ("GH-6", Some(400), true));
    let run6 = server.take_requests();
    let creates: Vec<_> = run6
        .iter()
        .filter(|r| r.is("works.create"))
        .map(|r| (r.body.clone().unwrap()["title"].clone(), r.status))
        .collect();
    assert_eq!(creates, [(json!("[GH-6] Broken import"), Some(400)), (json!("[GH-7] Fine import"), Some(201))]);
    assert!(sleeper.waits().is_empty(), "a 400 is not retried");
    assert_eq!(states.lock().unwrap()["tracker"]["synced"], 6, "GH-6 not synced");

    // Fixed on the next run: created; every issue exactly once in the part.
    let report = sync::run(&client, "Checkout", &issues, "c-7").await.unwrap();
    assert_eq!(report.works_created, ["GH-6"]);
    server.take_requests();
    let listed =
        devrev::works::WorksListRequest::new().applies_to_part([part_id]).limit(100).send(&client).await.unwrap();
    let mut titles: Vec<String> = listed
        .works
        .iter()
        .filter_map(|w| match w {
            devrev::models::Work::Issue(w) => Some(w.title.clone()),
            _ => None,
        })
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Button misaligned",
            "[GH-1] Crash on save",
            "[GH-2] Slow search",
            "[GH-3] Dark mode",
            "[GH-4] Export to CSV",
            "[GH-5] Typo in footer",
            "[GH-6] Broken import",
            "[GH-7] Fine import",
        ]
    );
}
