//! Paging against the embedded server: `mode = before` reads backwards
//! (following `prev_cursor`, from the end when no cursor is given), and an
//! item stream stopped mid-page resumes exactly where it stopped.

use crate::common;

use common::testkit_client;
use std::collections::HashSet;

use devrev::accounts::AccountsCreateRequest;
use devrev::models::ListMode;
use devrev::rev_orgs::{RevOrgsCreateRequest, RevOrgsListQueryRequest, RevOrgsListRequest};
use devrev::{Client, ResumePoint};
use devrev_testkit::TestServer;
use futures_util::stream::FusedStream;
use futures_util::TryStreamExt;

/// An account with `extra` rev orgs besides its default one; returns the
/// account's display ID and the display names of all its rev orgs, oldest first.
async fn account_with_orgs(client: &Client, extra: usize) -> (String, Vec<String>) {
    let created = AccountsCreateRequest::new("Paging").send(client).await.unwrap();
    let acc = created.account.display_id.unwrap();
    let mut names = vec![created.default_rev_org.display_name.unwrap()];
    for i in 0..extra {
        let name = format!("org {i}");
        RevOrgsCreateRequest::new(acc.clone(), name.clone()).send(client).await.unwrap();
        names.push(name);
    }
    (acc, names)
}

#[tokio::test]
async fn mode_before_reads_every_item_once_from_the_end() {
    let server = TestServer::start().await;
    let client = testkit_client(&server);
    let (acc, names) = account_with_orgs(&client, 5).await;

    let request = RevOrgsListQueryRequest::new().account([acc.clone()]).limit(2).mode(ListMode::Before);
    let mut pages = request.pages(&client);
    assert!(pages.is_backward());
    let mut read = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        read.push(page.rev_orgs.into_iter().map(|o| o.display_name.unwrap()).collect::<Vec<_>>());
    }
    // Six rev orgs in pages of two, newest page first, each item once.
    let expected: Vec<Vec<String>> = names.chunks(2).rev().map(<[String]>::to_vec).collect();
    assert_eq!(read, expected);
    assert_eq!(server.request_count("/rev-orgs.list"), 3);

    // The item stream and the POST form go the same way.
    let items: Vec<String> = RevOrgsListRequest::new()
        .account([acc])
        .limit(4)
        .mode(ListMode::Before)
        .items(&client)
        .map_ok(|o| o.display_name.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 6);
    assert_eq!(items.iter().collect::<HashSet<_>>().len(), 6, "{items:?}");
    assert_eq!(items[..4], names[2..], "the first page read holds the newest four");
    assert_eq!(items[4..], names[..2], "the last page read holds the oldest two");
}

#[tokio::test]
async fn mode_after_still_follows_next_cursor() {
    let server = TestServer::start().await;
    let client = testkit_client(&server);
    let (acc, names) = account_with_orgs(&client, 4).await;
    let mut pages = RevOrgsListQueryRequest::new().account([acc]).limit(2).mode(ListMode::After).pages(&client);
    assert!(!pages.is_backward());
    let mut read = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        read.extend(page.rev_orgs.into_iter().map(|o| o.display_name.unwrap()));
    }
    assert_eq!(read, names);
}

#[tokio::test]
async fn an_item_stream_stopped_mid_page_resumes_exactly() {
    let server = TestServer::start().await;
    let client = testkit_client(&server);
    let (acc, names) = account_with_orgs(&client, 6).await;
    let request = RevOrgsListQueryRequest::new().account([acc]).limit(3);

    // Stop after every possible number of items, resume, and read the rest:
    // together they are the listing, each item once, in order.
    for stop_after in 0..=names.len() {
        let mut items = request.clone().items(&client);
        let mut read = Vec::new();
        for _ in 0..stop_after {
            read.push(items.try_next().await.unwrap().unwrap().display_name.unwrap());
        }
        let Some(point) = items.resume_point() else {
            assert_eq!(stop_after, names.len(), "only a finished listing has no resume point");
            assert_eq!(read, names);
            // Ended: the stream is terminated once it said so.
            assert!(items.try_next().await.unwrap().is_none());
            assert!(items.is_terminated());
            continue;
        };
        // A resume point survives storage.
        let stored = serde_json::to_string(&point).unwrap();
        let point: ResumePoint = serde_json::from_str(&stored).unwrap();
        drop(items);

        let rest: Vec<String> = request
            .clone()
            .items(&client)
            .resume_from(point)
            .map_ok(|o| o.display_name.unwrap())
            .try_collect()
            .await
            .unwrap();
        read.extend(rest);
        assert_eq!(read, names, "stopped after {stop_after} items ({stored})");
    }
}

#[tokio::test]
async fn a_backward_stream_resumes_exactly_too() {
    let server = TestServer::start().await;
    let client = testkit_client(&server);
    let (acc, names) = account_with_orgs(&client, 4).await;
    let request = RevOrgsListQueryRequest::new().account([acc]).limit(2).mode(ListMode::Before);
    let all: Vec<String> =
        request.clone().items(&client).map_ok(|o| o.display_name.unwrap()).try_collect().await.unwrap();
    assert_eq!(all.len(), names.len());

    let mut items = request.clone().items(&client);
    let first = items.try_next().await.unwrap().unwrap().display_name.unwrap();
    let point = items.resume_point().unwrap();
    assert_eq!(point.skip, 1, "{point:?}");
    let rest: Vec<String> =
        request.items(&client).resume_from(point).map_ok(|o| o.display_name.unwrap()).try_collect().await.unwrap();
    let mut read = vec![first];
    read.extend(rest);
    assert_eq!(read, all);
}
