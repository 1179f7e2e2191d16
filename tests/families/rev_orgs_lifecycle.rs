//! End to end: the `devrev` client against the embedded server
//! (`devrev-testkit`), through the whole account and rev-org lifecycle and
//! paginated listings of many pages.

use crate::common;

use common::testkit_client;
use devrev::accounts::{
    AccountsCreateRequest, AccountsDeleteRequest, AccountsGetQueryRequest, AccountsGetRequest,
    AccountsListQueryRequest, AccountsUpdateRequest,
};
use devrev::models::{DateTimeFilter, ListMode, OrgEnvironment, SetTagWithValue, UserSummary};
use devrev::rev_orgs::{
    RevOrgsCreateRequest, RevOrgsDeleteRequest, RevOrgsGetQueryRequest, RevOrgsGetRequest, RevOrgsListQueryRequest,
    RevOrgsListRequest, RevOrgsUpdateRequest,
};
use devrev::{Client, ErrorKind};
use devrev_testkit::TestServer;
use futures_util::TryStreamExt;

#[tokio::test]
async fn account_and_rev_org_lifecycle() {
    let server = TestServer::start().await;
    let client = testkit_client(&server);

    // accounts.create: 201, the account and its default rev org.
    let created = AccountsCreateRequest::new("Acme")
        .domains(["acme.example"])
        .external_refs(["crm-1"])
        .tier("gold")
        .send_with_meta(&client)
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let (account, default_org) = (created.value.account, created.value.default_rev_org);
    let acc = account.display_id.clone().unwrap();
    assert!(acc.starts_with("ACC-"), "{acc}");
    assert_eq!(account.id, format!("don:identity:dvrv-us-1:devo/1:account/{}", &acc[4..]));
    assert_eq!(account.display_name.as_deref(), Some("Acme"));
    assert_eq!(account.domains.as_deref(), Some(&["acme.example".to_owned()][..]));
    assert_eq!(account.tier.as_deref(), Some("gold"));
    match account.created_by.as_ref().unwrap() {
        UserSummary::DevUser(user) => {
            assert_eq!(user.display_name.as_deref(), Some("testkit"));
            assert_eq!(user.id, "don:identity:dvrv-us-1:devo/1:devu/1");
        }
        other => panic!("expected a dev user, got {other:?}"),
    }
    assert!(account.created_date.is_some());
    assert_eq!(default_org.account.as_ref().unwrap().display_id.as_deref(), Some(acc.as_str()));
    assert_eq!(default_org.display_name.as_deref(), Some("Acme"));

    // accounts.get in both forms, with both ID forms.
    let got = AccountsGetQueryRequest::new(acc.clone()).send(&client).await.unwrap().account;
    assert_eq!(got, account);
    let got = AccountsGetRequest::new(account.id.clone()).send(&client).await.unwrap().account;
    assert_eq!(got, account);

    // rev-orgs.create in the account.
    let created = RevOrgsCreateRequest::new(acc.clone(), "Acme Staging")
        .environment(OrgEnvironment::Staging)
        .external_ref("acme-staging")
        .description("staging workspace")
        .tags([SetTagWithValue::with_value("TAG-1", "gold")])
        .send_with_meta(&client)
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let org = created.value.rev_org;
    let rev = org.display_id.clone().unwrap();
    assert!(rev.starts_with("REV-"), "{rev}");
    assert_eq!(org.id, format!("don:identity:dvrv-us-1:devo/1:revo/{}", &rev[4..]));
    assert_eq!(org.display_name.as_deref(), Some("Acme Staging"));
    assert_eq!(org.external_ref.as_deref(), Some("acme-staging"));
    assert_eq!(org.account.as_ref().unwrap().id, account.id);
    let tag = &org.tags.as_ref().unwrap()[0];
    assert_eq!((tag.tag.id.as_str(), tag.value.as_deref()), ("TAG-1", Some("gold")));
    assert_eq!(org.created_date, org.modified_date);

    // rev-orgs.get: GET with the display ID, POST with the DON ID, by account.
    assert_eq!(RevOrgsGetQueryRequest::by_id(rev.clone()).send(&client).await.unwrap().rev_org, org);
    assert_eq!(RevOrgsGetRequest::by_id(org.id.clone()).send(&client).await.unwrap().rev_org, org);
    assert_eq!(RevOrgsGetQueryRequest::by_account(acc.clone()).send(&client).await.unwrap().rev_org, default_org);

    // rev-orgs.update: the changes, a later modified date, the rest kept.
    let updated = RevOrgsUpdateRequest::new(rev.clone())
        .display_name("Acme Production")
        .description("now production")
        .artifacts(["ARTIFACT-7"])
        .send(&client)
        .await
        .unwrap()
        .rev_org;
    assert_eq!(updated.display_name.as_deref(), Some("Acme Production"));
    assert_eq!(updated.description.as_deref(), Some("now production"));
    assert_eq!(updated.artifacts.as_ref().unwrap()[0].id, "ARTIFACT-7");
    assert_eq!(updated.external_ref.as_deref(), Some("acme-staging"));
    assert_eq!(updated.created_date, org.created_date);
    assert!(updated.modified_date.unwrap() > org.created_date.unwrap());

    // accounts.update: clearing the tier with null, replacing websites.
    let account2 = AccountsUpdateRequest::new(acc.clone())
        .clear_tier()
        .websites(["https://acme.example"])
        .send(&client)
        .await
        .unwrap()
        .account;
    assert_eq!(account2.tier, None);
    assert_eq!(account2.websites.as_deref(), Some(&["https://acme.example".to_owned()][..]));

    // Lists: the account's two rev orgs, filters, accounts by name.
    let page = RevOrgsListQueryRequest::new().account([acc.clone()]).send(&client).await.unwrap();
    let ids: Vec<&str> = page.rev_orgs.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, [default_org.id.as_str(), org.id.as_str()]);
    assert_eq!(page.next_cursor, None);
    let by_ref = RevOrgsListRequest::new().external_ref(["acme-staging"]).send(&client).await.unwrap();
    assert_eq!(by_ref.rev_orgs, std::slice::from_ref(&updated));
    let accounts = AccountsListQueryRequest::new().display_name(["Acme"]).send(&client).await.unwrap().accounts;
    assert_eq!(accounts, [account2]);

    // Deletes: the rev org, then the account with its default rev org.
    RevOrgsDeleteRequest::new(rev.clone()).send(&client).await.unwrap();
    let err = RevOrgsGetQueryRequest::by_id(rev).send(&client).await.unwrap_err();
    assert_eq!((err.status(), err.kind()), (Some(404), Some(&ErrorKind::NotFound)));
    AccountsDeleteRequest::new(account.id.clone()).send(&client).await.unwrap();
    assert!(AccountsGetQueryRequest::new(acc).send(&client).await.unwrap_err().is_not_found());
    assert!(RevOrgsGetQueryRequest::by_id(default_org.id).send(&client).await.unwrap_err().is_not_found());
}

/// An account holding only `n` rev orgs named `org-01`..; returns its display ID.
async fn account_with_orgs(client: &Client, n: usize) -> String {
    let created = AccountsCreateRequest::new("Paged").send(client).await.unwrap();
    RevOrgsDeleteRequest::new(created.default_rev_org.id).send(client).await.unwrap();
    let acc = created.account.display_id.unwrap();
    for i in 1..=n {
        RevOrgsCreateRequest::new(acc.clone(), format!("org-{i:02}")).send(client).await.unwrap();
    }
    acc
}

fn names<'a>(orgs: impl IntoIterator<Item = &'a devrev::models::RevOrg>) -> Vec<String> {
    orgs.into_iter().map(|o| o.display_name.clone().unwrap()).collect()
}

#[tokio::test]
async fn items_stream_over_four_pages() {
    let server = TestServer::start().await;
    let client = testkit_client(&server);
    let acc = account_with_orgs(&client, 11).await;
    // Another account's rev org stays out of the listing.
    AccountsCreateRequest::new("Other").send(&client).await.unwrap();

    let before = server.request_count("/rev-orgs.list");
    let all: Vec<_> =
        RevOrgsListQueryRequest::new().account([acc.clone()]).limit(3).items(&client).try_collect().await.unwrap();
    let expected: Vec<String> = (1..=11).map(|i| format!("org-{i:02}")).collect();
    assert_eq!(names(&all), expected);
    assert_eq!(server.request_count("/rev-orgs.list") - before, 4, "pages of 3, 3, 3, 2");

    // The POST form, page by page: cursors as DevRev sends them.
    let pages: Vec<_> =
        RevOrgsListRequest::new().account([acc.clone()]).limit(3).pages(&client).try_collect().await.unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.rev_orgs.len()).collect();
    assert_eq!(sizes, [3, 3, 3, 2]);
    assert_eq!(pages[0].prev_cursor, None);
    assert!(pages[1..].iter().all(|p| p.prev_cursor.is_some()));
    assert!(pages[..3].iter().all(|p| p.next_cursor.is_some()));
    assert_eq!(pages[3].next_cursor, None);

    // Resuming from the first page's cursor gives the rest.
    let rest: Vec<_> = RevOrgsListQueryRequest::new()
        .account([acc.clone()])
        .limit(3)
        .cursor(pages[0].next_cursor.clone().unwrap())
        .items(&client)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(&rest), expected[3..]);

    // Paging back from the last page with its prev_cursor.
    let back = RevOrgsListQueryRequest::new()
        .account([acc.clone()])
        .limit(3)
        .mode(ListMode::Before)
        .cursor(pages[3].prev_cursor.clone().unwrap())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(names(&back.rev_orgs), expected[6..9]);

    // Sorted by name, descending.
    let desc = RevOrgsListQueryRequest::new()
        .account([acc.clone()])
        .limit(4)
        .sort_by(["display_name:desc"])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(names(&desc.rev_orgs), ["org-11", "org-10", "org-09", "org-08"]);

    // A creation-date range, both ends inclusive, through the query string.
    let (from, to) = (all[2].created_date.unwrap(), all[4].created_date.unwrap());
    let ranged = RevOrgsListQueryRequest::new()
        .account([acc])
        .created_date(DateTimeFilter::between(from, to))
        .send(&client)
        .await
        .unwrap();
    assert_eq!(names(&ranged.rev_orgs), ["org-03", "org-04", "org-05"]);
}
