//! Cursor pagination against a mock server: `pages` and `items` follow
//! `next_cursor` to the end, carry the caller's own cursor and the other
//! fields on every page, yield an error once and stop, refuse a repeated
//! cursor, and resume from a saved cursor. The same holds for a list
//! endpoint declared in this file.

use crate::common;

use common::client;
use devrev::accounts::AccountsListRequest;
use devrev::models::ListMode;
use devrev::rev_orgs::RevOrgsListQueryRequest;
use devrev::{devrev_endpoint, Error, PaginationError};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The `cursor` a request carried: from the query string, or the JSON body.
fn cursor_of(request: &Request) -> Option<String> {
    if request.method.as_str() == "GET" {
        request.url.query_pairs().find(|(k, _)| k == "cursor").map(|(_, v)| v.into_owned())
    } else {
        let body: Value = serde_json::from_slice(&request.body).ok()?;
        body.get("cursor")?.as_str().map(str::to_owned)
    }
}

/// Answers each request with the page registered for its cursor (`None`:
/// the first page), and with 418 for a cursor it does not know.
struct Pager(Vec<(Option<&'static str>, ResponseTemplate)>);

impl Respond for Pager {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let cursor = cursor_of(request);
        self.0
            .iter()
            .find(|(c, _)| c.map(str::to_owned) == cursor)
            .map_or_else(|| ResponseTemplate::new(418), |(_, page)| page.clone())
    }
}

/// A `rev-orgs.list` page holding rev orgs with these IDs.
fn page(ids: &[&str], next: Option<&str>) -> ResponseTemplate {
    let orgs: Vec<Value> = ids.iter().map(|id| json!({"id": id, "display_name": format!("org {id}")})).collect();
    let mut body = json!({"rev_orgs": orgs, "prev_cursor": "ignored"});
    if let Some(next) = next {
        body["next_cursor"] = json!(next);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

async fn serve(server: &MockServer, verb: &str, endpoint: &str, pager: Pager) {
    Mock::given(method(verb)).and(path(endpoint)).respond_with(pager).mount(server).await;
}

/// The query string of every request received, in order.
async fn queries(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap();
    requests.iter().map(|r| r.url.query().unwrap_or("").to_owned()).collect()
}

fn three_pages() -> Pager {
    Pager(vec![
        (None, page(&["r1", "r2"], Some("c2"))),
        (Some("c2"), page(&["r3", "r4"], Some("c3"))),
        (Some("c3"), page(&["r5"], None)),
    ])
}

#[tokio::test]
async fn items_follow_three_pages_to_the_end() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/rev-orgs.list", three_pages()).await;

    let request = RevOrgsListQueryRequest::new().limit(2).mode(ListMode::After);
    let mut items = request.items(&client(server.uri()));
    let mut ids = Vec::new();
    let mut buffered = Vec::new();
    while let Some(org) = items.try_next().await.unwrap() {
        ids.push(org.id);
        buffered.push(items.buffered());
    }

    assert_eq!(ids, ["r1", "r2", "r3", "r4", "r5"]);
    // One page is held at a time: what is left of the current page, no more.
    assert_eq!(buffered, [1, 0, 1, 0, 0]);
    assert_eq!(items.cursor(), None, "the listing is read to the end");
    // `limit` and `mode` go on every page; the cursor follows `next_cursor`.
    assert_eq!(
        queries(&server).await,
        ["limit=2&mode=after", "cursor=c2&limit=2&mode=after", "cursor=c3&limit=2&mode=after"]
    );
    // The stream stays ended and sends nothing more.
    assert!(items.try_next().await.unwrap().is_none());
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    // The request itself is untouched: a second listing starts over.
    assert_eq!(request.cursor, None);
}

#[tokio::test]
async fn pages_expose_the_cursor_after_each_page() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/rev-orgs.list", three_pages()).await;

    let mut pages = RevOrgsListQueryRequest::new().pages(&client(server.uri()));
    let mut seen = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        seen.push((page.rev_orgs.len(), page.next_cursor.clone(), pages.cursor().map(str::to_owned)));
    }

    assert_eq!(
        seen,
        [
            (2, Some("c2".to_owned()), Some("c2".to_owned())),
            (2, Some("c3".to_owned()), Some("c3".to_owned())),
            (1, None, None),
        ]
    );
    assert_eq!(pages.pages_read(), 3);
    assert_eq!(queries(&server).await, ["", "cursor=c2", "cursor=c3"]);
}

#[tokio::test]
async fn an_empty_first_page_ends_the_listing() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/rev-orgs.list", Pager(vec![(None, page(&[], None))])).await;

    let mut items = RevOrgsListQueryRequest::new().items(&client(server.uri()));
    assert!(items.try_next().await.unwrap().is_none());
    assert_eq!(queries(&server).await, [""]);

    let pages: Vec<_> = RevOrgsListQueryRequest::new().pages(&client(server.uri())).try_collect().await.unwrap();
    assert_eq!(pages.len(), 1);
    assert!(pages[0].rev_orgs.is_empty());
}

#[tokio::test]
async fn an_empty_page_with_a_cursor_is_skipped_over() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/rev-orgs.list",
        Pager(vec![(None, page(&[], Some("c2"))), (Some("c2"), page(&["r3"], None))]),
    )
    .await;

    let ids: Vec<String> =
        RevOrgsListQueryRequest::new().items(&client(server.uri())).map_ok(|org| org.id).try_collect().await.unwrap();
    assert_eq!(ids, ["r3"]);
    assert_eq!(queries(&server).await, ["", "cursor=c2"]);
}

#[tokio::test]
async fn an_error_on_page_two_comes_after_page_one_and_ends_the_stream() {
    let server = MockServer::start().await;
    let failure = ResponseTemplate::new(500)
        .set_body_raw(r#"{"type":"internal_error","message":"boom","reference_id":"ref-9"}"#, "application/json");
    serve(
        &server,
        "GET",
        "/rev-orgs.list",
        Pager(vec![(None, page(&["r1", "r2"], Some("c2"))), (Some("c2"), failure)]),
    )
    .await;

    let mut items = RevOrgsListQueryRequest::new().items(&client(server.uri()));
    assert_eq!(items.try_next().await.unwrap().unwrap().id, "r1");
    assert_eq!(items.try_next().await.unwrap().unwrap().id, "r2");
    let err = items.try_next().await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        err.kind().map(|k| format!("{k:?}")).as_deref(),
        Some(r#"InternalError { reference_id: Some("ref-9") }"#)
    );
    // Ended: nothing more is yielded or requested.
    assert!(items.try_next().await.unwrap().is_none());
    assert!(items.try_next().await.unwrap().is_none());
    assert_eq!(queries(&server).await, ["", "cursor=c2"]);
    // The failed page can be fetched again from here.
    assert_eq!(items.cursor(), Some("c2"));
}

fn repeated(err: &Error) -> Option<(String, u64)> {
    match err {
        Error::Pagination(e) => match &**e {
            PaginationError::RepeatedCursor { cursor, pages } => Some((cursor.clone(), *pages)),
            _ => None,
        },
        _ => None,
    }
}

#[tokio::test]
async fn a_repeated_cursor_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/rev-orgs.list",
        Pager(vec![(None, page(&["r1"], Some("c2"))), (Some("c2"), page(&["r2"], Some("c2")))]),
    )
    .await;

    let mut pages = RevOrgsListQueryRequest::new().pages(&client(server.uri()));
    assert_eq!(pages.try_next().await.unwrap().unwrap().rev_orgs[0].id, "r1");
    assert_eq!(pages.try_next().await.unwrap().unwrap().rev_orgs[0].id, "r2");
    let err = pages.try_next().await.unwrap_err();
    assert_eq!(repeated(&err), Some(("c2".to_owned(), 2)));
    assert!(err.to_string().contains("c2"), "{err}");
    assert!(pages.try_next().await.unwrap().is_none());
    assert_eq!(queries(&server).await, ["", "cursor=c2"]);
}

#[tokio::test]
async fn a_cycle_through_several_cursors_is_caught() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/rev-orgs.list",
        Pager(vec![
            (None, page(&["r1"], Some("a"))),
            (Some("a"), page(&["r2"], Some("b"))),
            (Some("b"), page(&["r3"], Some("a"))),
        ]),
    )
    .await;

    let results: Vec<_> = RevOrgsListQueryRequest::new().items(&client(server.uri())).collect_all().await;
    let ids: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).map(|org| org.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2", "r3"]);
    assert_eq!(repeated(results.last().unwrap().as_ref().unwrap_err()), Some(("a".to_owned(), 3)));
    assert_eq!(queries(&server).await, ["", "cursor=a", "cursor=b"]);
}

#[tokio::test]
async fn the_callers_own_cursor_counts_as_seen() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/rev-orgs.list", Pager(vec![(Some("c7"), page(&["r7"], Some("c7")))])).await;

    let results: Vec<_> = RevOrgsListQueryRequest::new().cursor("c7").items(&client(server.uri())).collect_all().await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id, "r7");
    assert_eq!(repeated(results[1].as_ref().unwrap_err()), Some(("c7".to_owned(), 1)));
    assert_eq!(queries(&server).await, ["cursor=c7"]);
}

#[tokio::test]
async fn resume_from_a_saved_cursor() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/rev-orgs.list", three_pages()).await;
    let client = client(server.uri());

    // Read one page, keep the cursor, stop.
    let saved = {
        let mut pages = RevOrgsListQueryRequest::new().limit(2).pages(&client);
        let first = pages.try_next().await.unwrap().unwrap();
        assert_eq!(first.rev_orgs.len(), 2);
        pages.cursor().unwrap().to_owned()
    };
    assert_eq!(saved, "c2");

    // Later: the first request carries the saved cursor.
    let ids: Vec<String> = RevOrgsListQueryRequest::new()
        .limit(2)
        .cursor(saved)
        .items(&client)
        .map_ok(|org| org.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["r3", "r4", "r5"]);
    assert_eq!(queries(&server).await, ["limit=2", "cursor=c2&limit=2", "cursor=c3&limit=2"]);
}

#[tokio::test]
async fn post_form_carries_the_cursor_in_the_body() {
    let server = MockServer::start().await;
    // `mode = before` reads backwards: the stream follows `prev_cursor`, and
    // a `next_cursor` (which points the other way) is never sent.
    let accounts_page = |ids: &[&str], prev: Option<&str>| {
        let accounts: Vec<Value> = ids.iter().map(|id| json!({"id": id, "owned_by": []})).collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"accounts": accounts, "prev_cursor": prev, "next_cursor": "forward"}))
    };
    serve(
        &server,
        "POST",
        "/accounts.list",
        Pager(vec![(None, accounts_page(&["a1"], Some("n/2"))), (Some("n/2"), accounts_page(&["a2"], None))]),
    )
    .await;

    let ids: Vec<String> = AccountsListRequest::new()
        .limit(1)
        .mode(ListMode::Before)
        .items(&client(server.uri()))
        .map_ok(|account| account.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a1", "a2"]);

    let bodies: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!((r.method.as_str(), r.url.query()), ("POST", None));
            serde_json::from_slice(&r.body).unwrap()
        })
        .collect();
    assert_eq!(bodies, [json!({"limit": 1, "mode": "before"}), json!({"cursor": "n/2", "limit": 1, "mode": "before"})]);
}

// A list endpoint declared by a user, the way a downstream crate would.

/// `GET /widgets.list`.
#[devrev_endpoint(GET, "/widgets.list", paginate)]
#[derive(Debug, Clone, Serialize)]
struct WidgetsListRequest {
    color: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, devrev::Page)]
struct WidgetsListResponse {
    #[page(items)]
    widgets: Vec<Widget>,
    /// A second `Vec`, hence `#[page(items)]` above.
    colors_seen: Vec<String>,
    next_cursor: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Widget {
    id: u32,
    name: String,
}

#[tokio::test]
async fn a_user_declared_list_endpoint_streams_the_same_way() {
    let server = MockServer::start().await;
    let widgets = |items: Value, next: Option<&str>| {
        ResponseTemplate::new(200).set_body_json(json!({"widgets": items, "colors_seen": ["red"], "next_cursor": next}))
    };
    serve(
        &server,
        "GET",
        "/widgets.list",
        Pager(vec![
            (None, widgets(json!([{"id": 1, "name": "gear"}, {"id": 2, "name": "cog"}]), Some("w2"))),
            (Some("w2"), widgets(json!([{"id": 3, "name": "sprocket"}]), Some("w3"))),
            (Some("w3"), widgets(json!([]), None)),
        ]),
    )
    .await;
    let request = WidgetsListRequest { color: "red & blue".into(), cursor: None };

    let names: Vec<String> = request.items(&client(server.uri())).map_ok(|w| w.name).try_collect().await.unwrap();
    assert_eq!(names, ["gear", "cog", "sprocket"]);
    assert_eq!(
        queries(&server).await,
        ["color=red%20%26%20blue", "color=red%20%26%20blue&cursor=w2", "color=red%20%26%20blue&cursor=w3"]
    );

    let first = request.send(&client(server.uri())).await.unwrap();
    assert_eq!(first.widgets[0], Widget { id: 1, name: "gear".into() });
    assert_eq!(first.colors_seen, ["red"]);
    let pages: Vec<WidgetsListResponse> = request.pages(&client(server.uri())).try_collect().await.unwrap();
    assert_eq!(pages.iter().map(|p| p.widgets.len()).collect::<Vec<_>>(), [2, 1, 0]);
}

/// Collects every result of a stream, errors included, until it ends.
trait CollectAll: futures_util::Stream + Sized + Unpin {
    async fn collect_all(mut self) -> Vec<Self::Item> {
        use futures_util::StreamExt;
        let mut all = Vec::new();
        while let Some(item) = self.next().await {
            all.push(item);
        }
        all
    }
}

impl<S: futures_util::Stream + Unpin> CollectAll for S {}

#[tokio::test]
async fn an_empty_next_cursor_ends_the_listing() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/rev-orgs.list", Pager(vec![(None, page(&["r1", "r2"], Some("")))])).await;
    let mut items = RevOrgsListQueryRequest::new().items(&client(server.uri()));
    let ids: Vec<String> = (&mut items).map_ok(|org| org.id).try_collect().await.unwrap();
    assert_eq!(ids, ["r1", "r2"]);
    // One request: `cursor=` (which would restart the listing) was never sent.
    assert_eq!(queries(&server).await, [""]);
    assert_eq!(items.resume_point(), None, "the listing is finished");
}

/// An item that is not `Unpin`: the streams do not need it to be.
#[derive(Debug, Deserialize)]
struct Pinned {
    id: String,
    #[serde(skip)]
    _pin: std::marker::PhantomPinned,
}

#[devrev_endpoint(GET, "/pinned.list", paginate)]
#[derive(Debug, Clone, Serialize)]
struct PinnedListRequest {
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, devrev::Page)]
struct PinnedListResponse {
    pinned: Vec<Pinned>,
    next_cursor: Option<String>,
}

#[tokio::test]
async fn items_need_not_be_unpin_and_streams_are_fused() {
    let server = MockServer::start().await;
    let body = json!({"pinned": [{"id": "p1"}, {"id": "p2"}], "next_cursor": null});
    Mock::given(method("GET"))
        .and(path("/pinned.list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let mut items = PinnedListRequest { cursor: None }.items(&client(server.uri()));
    assert!(!futures_util::stream::FusedStream::is_terminated(&items));
    assert_eq!(items.try_next().await.unwrap().unwrap().id, "p1");
    assert_eq!(items.try_next().await.unwrap().unwrap().id, "p2");
    assert!(items.try_next().await.unwrap().is_none());
    assert!(futures_util::stream::FusedStream::is_terminated(&items));
    // A fused stream can go into `select!` loops: polling it again is fine.
    assert!(items.try_next().await.unwrap().is_none());
    let mut pages = PinnedListRequest { cursor: None }.pages(&client(server.uri()));
    assert!(pages.try_next().await.unwrap().is_some());
    assert!(futures_util::stream::FusedStream::is_terminated(&pages));
}
