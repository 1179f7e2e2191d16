//! `GET /tags.list`, declared in this crate with `paginate` and a
//! `#[derive(devrev::Page)]` response: the streams follow `next_cursor` page
//! by page, each request carrying the filters and the cursor in its query.
//!
//! The streams are read with their inherent `next`/`try_next`: a user's crate
//! needs no `futures` crate to consume a listing.

mod common;

use common::{client, requests};
use devrev_downstream_example::tags::{ListMode, TagsListRequest};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Reads a listing to the end with the stream's inherent `try_next`.
async fn all_names(mut items: devrev::Items<TagsListRequest>) -> Vec<String> {
    let mut names = Vec::new();
    while let Some(tag) = items.try_next().await.unwrap() {
        names.push(tag.name);
    }
    names
}

fn tag(n: u32, name: &str) -> String {
    format!(r#"{{"id": "don:core:dvrv-us-1:devo/0:tag/{n}", "display_id": "TAG-{n}", "name": "{name}"}}"#)
}

fn page(tags: &[String], next: Option<&str>) -> String {
    let next = next.map(|c| format!(r#", "next_cursor": "{c}""#)).unwrap_or_default();
    format!(r#"{{"tags": [{}], "prev_cursor": "back"{next}}}"#, tags.join(", "))
}

async fn mount_page(server: &MockServer, cursor: Option<&str>, status: u16, body: String) {
    let mock = Mock::given(method("GET")).and(path("/tags.list"));
    let mock = match cursor {
        None => mock.and(query_param_is_missing("cursor")),
        Some(c) => mock.and(query_param("cursor", c)),
    };
    mock.respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json")).mount(server).await;
}

/// Three pages: `alpha beta` (next `c1`), `gamma` (next `c2`), `delta` (last).
async fn three_pages() -> MockServer {
    let server = MockServer::start().await;
    mount_page(&server, None, 200, page(&[tag(1, "alpha"), tag(2, "beta")], Some("c1"))).await;
    mount_page(&server, Some("c1"), 200, page(&[tag(3, "gamma")], Some("c2"))).await;
    mount_page(&server, Some("c2"), 200, page(&[tag(4, "delta")], None)).await;
    server
}

fn filtered() -> TagsListRequest {
    TagsListRequest {
        limit: Some(2),
        mode: Some(ListMode::After),
        name: vec!["alpha".into(), "beta".into(), "gamma".into(), "delta".into()],
        sort_by: vec!["name:asc".into()],
        ..TagsListRequest::default()
    }
}

async fn queries(server: &MockServer) -> Vec<String> {
    requests(server).await.iter().map(|r| r.url.query().unwrap_or("").to_owned()).collect()
}

#[tokio::test]
async fn one_page_is_a_plain_get_with_the_filters_in_the_query() {
    let server = three_pages().await;

    let first = filtered().send(&client(&server)).await.unwrap();

    assert_eq!(first.tags.len(), 2);
    assert_eq!(first.next_cursor.as_deref(), Some("c1"));
    assert_eq!(first.prev_cursor.as_deref(), Some("back"));
    assert_eq!(queries(&server).await, ["limit=2&mode=after&name=alpha,beta,gamma,delta&sort_by=name%3Aasc"]);
}

#[tokio::test]
async fn items_follow_the_cursor_to_the_last_page() {
    let server = three_pages().await;

    let names = all_names(filtered().items(&client(&server))).await;

    assert_eq!(names, ["alpha", "beta", "gamma", "delta"]);
    assert_eq!(
        queries(&server).await,
        [
            "limit=2&mode=after&name=alpha,beta,gamma,delta&sort_by=name%3Aasc",
            "cursor=c1&limit=2&mode=after&name=alpha,beta,gamma,delta&sort_by=name%3Aasc",
            "cursor=c2&limit=2&mode=after&name=alpha,beta,gamma,delta&sort_by=name%3Aasc",
        ]
    );
}

#[tokio::test]
async fn pages_yield_each_page_and_end_without_a_cursor() {
    let server = three_pages().await;
    let mut pages = TagsListRequest::default().pages(&client(&server));

    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        sizes.push(page.tags.len());
        // The stream's cursor is the one that fetches the next page.
        assert_eq!(pages.cursor(), page.next_cursor.as_deref());
    }

    assert_eq!(sizes, [2, 1, 1]);
    assert_eq!(pages.pages_read(), 3);
    assert_eq!(pages.cursor(), None);
    assert_eq!(queries(&server).await, ["", "cursor=c1", "cursor=c2"]);
}

#[tokio::test]
async fn a_saved_cursor_resumes_the_listing() {
    let server = three_pages().await;
    let resume = TagsListRequest { cursor: Some("c2".into()), ..TagsListRequest::default() };

    let names = all_names(resume.items(&client(&server))).await;

    assert_eq!(names, ["delta"]);
    assert_eq!(queries(&server).await, ["cursor=c2"]);
}

#[tokio::test]
async fn an_error_on_page_two_is_yielded_once_and_ends_the_stream() {
    let server = MockServer::start().await;
    mount_page(&server, None, 200, page(&[tag(1, "alpha"), tag(2, "beta")], Some("c1"))).await;
    mount_page(
        &server,
        Some("c1"),
        500,
        r#"{"type":"internal_error","message":"oops","reference_id":"ref-9"}"#.to_owned(),
    )
    .await;
    let mut items = TagsListRequest::default().items(&client(&server));

    assert_eq!(items.next().await.unwrap().unwrap().name, "alpha");
    assert_eq!(items.next().await.unwrap().unwrap().name, "beta");
    let err = items.next().await.unwrap().unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        err.kind().map(|k| format!("{k:?}")).as_deref(),
        Some(r#"InternalError { reference_id: Some("ref-9") }"#)
    );
    assert!(items.next().await.is_none());
    assert_eq!(queries(&server).await, ["", "cursor=c1"]);
}
