//! `rev-orgs.get`, `.list`, `.update` and `.delete` on the wire: the exact
//! request (query string or JSON body), the decoded answer, typed errors and
//! which forms are retried.

use crate::common;

use common::client;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use devrev::models::{DateTimeFilter, ListMode, OrgEnvironment, OrgSummary, SetTagWithValue, UserState, UserSummary};
use devrev::rev_orgs::{
    RevOrgsDeleteRequest, RevOrgsDeleteResponse, RevOrgsGetQueryRequest, RevOrgsGetRequest, RevOrgsListQueryRequest,
    RevOrgsListRequest, RevOrgsUpdateRequest,
};
use devrev::{Client, Endpoint, ErrorKind, RetryPolicy, Sleeper};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::wire_support;
use wire_support::{json_body, mount, only_request};

const FETCHED: &str = common::fixtures::REV_ORG_FETCHED;
const PAGE: &str = common::fixtures::REV_ORGS_PAGE;

/// Returns at once, so retry tests never sleep.
#[derive(Debug)]
struct NoSleep;

impl Sleeper for NoSleep {
    fn sleep(&self, _: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async {})
    }
}

fn retrying_client(server: &MockServer) -> Client {
    Client::builder()
        .token("test-token-b7")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::new().max_attempts(2))
        .sleeper(NoSleep)
        .build()
        .unwrap()
}

#[tokio::test]
async fn get_by_id_goes_in_the_query_and_decodes() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/rev-orgs.get", 200, FETCHED).await;

    let org = RevOrgsGetQueryRequest::by_id("don:identity:dvrv-us-1:devo/0:revo/Qp7Lm2Rt")
        .send(&client(server.uri()))
        .await
        .unwrap()
        .rev_org;

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/rev-orgs.get");
    assert_eq!(request.url.query(), Some("id=don%3Aidentity%3Advrv-us-1%3Adevo%2F0%3Arevo%2FQp7Lm2Rt"));
    assert!(request.body.is_empty());
    assert_eq!(request.headers.get("content-type"), None);

    assert_eq!(org.id, "don:identity:dvrv-us-1:devo/0:revo/Qp7Lm2Rt");
    assert_eq!(org.display_id.as_deref(), Some("REV-Qp7Lm2Rt"));
    assert_eq!(org.display_name.as_deref(), Some("Northwind Traders EU"));
    match org.created_by.as_ref().unwrap() {
        UserSummary::RevUser(user) => {
            assert_eq!(user.external_ref.as_deref(), Some("nw-user-4"));
            assert_eq!(user.state, Some(UserState::Shadow));
            assert_eq!(user.rev_org.as_ref().unwrap().type_name(), "rev_org");
        }
        other => panic!("expected a rev user, got {other:?}"),
    }
    assert!(matches!(org.modified_by, Some(UserSummary::SysUser(_))));
    assert_eq!(
        org.modified_date.unwrap(),
        Utc.with_ymd_and_hms(2024, 2, 1, 17, 45, 30).unwrap() + chrono::Duration::milliseconds(500)
    );
    assert_eq!(org.account.as_ref().unwrap().display_id.as_deref(), Some("ACC-777"));
    match org.primary_rev_org.as_ref().unwrap() {
        OrgSummary::DevOrg(dev) => assert_eq!(dev.dev_slug, "northwind-hq"),
        other => panic!("expected a dev org, got {other:?}"),
    }
    assert_eq!(org.custom_fields.as_ref().unwrap()["region"], "emea");
    assert_eq!(org.tags, Some(vec![]));
    assert_eq!(org.artifacts, None);
}

#[tokio::test]
async fn get_default_org_of_an_account() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/rev-orgs.get", 200, FETCHED).await;

    RevOrgsGetQueryRequest::by_account("ACC-777").send(&client(server.uri())).await.unwrap();
    assert_eq!(only_request(&server).await.url.query(), Some("account=ACC-777"));
}

#[tokio::test]
async fn get_post_form_sends_a_body() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/rev-orgs.get", 200, FETCHED).await;

    let got = RevOrgsGetRequest::new().account("ACC-777").id("REV-Qp7Lm2Rt").send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/rev-orgs.get");
    assert_eq!(request.url.query(), None);
    assert_eq!(json_body(&request), json!({"account": "ACC-777", "id": "REV-Qp7Lm2Rt"}));
    assert_eq!(got.rev_org.external_ref.as_deref(), Some("northwind-eu"));
}

#[tokio::test]
async fn get_not_found_is_typed() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/rev-orgs.get", 404, r#"{"type":"not_found","message":"no such rev org"}"#).await;

    let err = RevOrgsGetQueryRequest::by_id("REV-nope").send(&client(server.uri())).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.kind(), Some(&ErrorKind::NotFound));
    assert_eq!(err.message(), Some("no such rev org"));
}

fn full_filters() -> RevOrgsListQueryRequest {
    let mut custom = serde_json::Map::new();
    custom.insert("region".into(), json!("emea"));
    RevOrgsListQueryRequest::new()
        .account(["ACC-1", "ACC-2"])
        .created_by(["DEVU-1"])
        .created_date(DateTimeFilter::between(
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2024, 6, 30, 23, 59, 59).unwrap(),
        ))
        .cursor("eyJwIjoxfQ==")
        .custom_field_filter(["tier_code:gold,silver", "seats:10"])
        .custom_fields(custom)
        .display_name(["Acme, Inc.", "Café & Co"])
        .external_ref(["crm 1"])
        .limit(25)
        .mode(ListMode::Before)
        .modified_date(DateTimeFilter::new().after(Utc.with_ymd_and_hms(2024, 3, 1, 12, 30, 0).unwrap()))
        .sort_by(["created_date:desc", "display_name:asc"])
        .tags(["TAG-1"])
}

#[tokio::test]
#[allow(deprecated)] // `domain`: deprecated by DevRev, still decoded
async fn list_get_form_puts_every_filter_in_the_query() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/rev-orgs.list", 200, PAGE).await;

    let page = full_filters().send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/rev-orgs.list");
    assert_eq!(
        request.url.query(),
        Some(concat!(
            "account=ACC-1,ACC-2",
            "&created_by=DEVU-1",
            "&created_date.after=2024-01-01T00%3A00%3A00Z",
            "&created_date.before=2024-06-30T23%3A59%3A59Z",
            "&cursor=eyJwIjoxfQ%3D%3D",
            "&custom_field_filter=tier_code%3Agold%2Csilver",
            "&custom_field_filter=seats%3A10",
            "&custom_fields.region=emea",
            "&display_name=Acme%2C%20Inc.,Caf%C3%A9%20%26%20Co",
            "&external_ref=crm%201",
            "&limit=25",
            "&mode=before",
            "&modified_date.after=2024-03-01T12%3A30%3A00Z",
            "&sort_by=created_date%3Adesc,display_name%3Aasc",
            "&tags=TAG-1",
        ))
    );
    assert!(request.body.is_empty());

    assert_eq!(page.rev_orgs.len(), 2);
    assert_eq!(page.rev_orgs[0].display_name.as_deref(), Some("Acme, Inc."));
    assert_eq!(page.rev_orgs[0].account.as_ref().unwrap().display_id.as_deref(), Some("ACC-1"));
    assert_eq!(page.rev_orgs[1].display_name.as_deref(), Some("Café & Co"));
    assert_eq!(page.rev_orgs[1].domain.as_deref(), Some("cafe.example"));
    assert_eq!(page.next_cursor.as_deref(), Some("eyJwIjoyfQ=="));
    assert_eq!(page.prev_cursor.as_deref(), Some("eyJwIjowfQ=="));
}

#[tokio::test]
async fn list_post_form_nests_the_same_filters_in_a_body() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/rev-orgs.list", 200, PAGE).await;

    let page = RevOrgsListRequest::from(full_filters()).send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/rev-orgs.list");
    assert_eq!(request.url.query(), None);
    assert_eq!(
        json_body(&request),
        json!({
            "account": ["ACC-1", "ACC-2"],
            "created_by": ["DEVU-1"],
            "created_date": {"after": "2024-01-01T00:00:00Z", "before": "2024-06-30T23:59:59Z"},
            "cursor": "eyJwIjoxfQ==",
            "custom_field_filter": ["tier_code:gold,silver", "seats:10"],
            "custom_fields": {"region": "emea"},
            "display_name": ["Acme, Inc.", "Café & Co"],
            "external_ref": ["crm 1"],
            "limit": 25,
            "mode": "before",
            "modified_date": {"after": "2024-03-01T12:30:00Z"},
            "sort_by": ["created_date:desc", "display_name:asc"],
            "tags": ["TAG-1"],
        })
    );
    assert_eq!(page.rev_orgs.len(), 2);
}

#[tokio::test]
async fn empty_list_requests() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/rev-orgs.list", 200, r#"{"rev_orgs":[]}"#).await;
    mount(&server, "POST", "/rev-orgs.list", 200, r#"{"rev_orgs":[]}"#).await;

    let page = RevOrgsListQueryRequest::new().send(&client(server.uri())).await.unwrap();
    assert!(page.rev_orgs.is_empty());
    assert_eq!(page.next_cursor, None);
    RevOrgsListRequest::new().send(&client(server.uri())).await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].url.query(), None, "no filter, no query string");
    assert_eq!(json_body(&requests[1]), json!({}));
}

#[test]
fn reads_are_idempotent_writes_are_not() {
    let declared = [
        ("RevOrgsGetQueryRequest", <RevOrgsGetQueryRequest as Endpoint>::IDEMPOTENT),
        ("RevOrgsGetRequest", <RevOrgsGetRequest as Endpoint>::IDEMPOTENT),
        ("RevOrgsListQueryRequest", <RevOrgsListQueryRequest as Endpoint>::IDEMPOTENT),
        ("RevOrgsListRequest", <RevOrgsListRequest as Endpoint>::IDEMPOTENT),
        ("RevOrgsUpdateRequest", <RevOrgsUpdateRequest as Endpoint>::IDEMPOTENT),
        ("RevOrgsDeleteRequest", <RevOrgsDeleteRequest as Endpoint>::IDEMPOTENT),
    ];
    let expected = [
        ("RevOrgsGetQueryRequest", true),
        ("RevOrgsGetRequest", true),
        ("RevOrgsListQueryRequest", true),
        ("RevOrgsListRequest", true),
        ("RevOrgsUpdateRequest", false),
        ("RevOrgsDeleteRequest", false),
    ];
    assert_eq!(declared, expected);
}

#[tokio::test]
async fn post_read_forms_are_retried_after_a_503() {
    let server = MockServer::start().await;
    for endpoint in ["/rev-orgs.get", "/rev-orgs.list"] {
        Mock::given(method("POST"))
            .and(path(endpoint))
            .respond_with(
                ResponseTemplate::new(503).set_body_raw(r#"{"type":"service_unavailable"}"#, "application/json"),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    mount(&server, "POST", "/rev-orgs.get", 200, FETCHED).await;
    mount(&server, "POST", "/rev-orgs.list", 200, PAGE).await;

    let client = retrying_client(&server);
    let got = RevOrgsGetRequest::by_id("REV-Qp7Lm2Rt").send_with_meta(&client).await.unwrap();
    assert_eq!(got.meta.attempts, 2);
    let listed = RevOrgsListRequest::new().send_with_meta(&client).await.unwrap();
    assert_eq!(listed.meta.attempts, 2);
    assert_eq!(listed.value.rev_orgs.len(), 2);
}

#[tokio::test]
async fn update_is_not_retried_after_a_503() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/rev-orgs.update", 503, r#"{"type":"service_unavailable","message":"down"}"#).await;

    let err = RevOrgsUpdateRequest::new("REV-1").tier("gold").send(&retrying_client(&server)).await.unwrap_err();
    assert_eq!(err.kind(), Some(&ErrorKind::ServiceUnavailable));
    assert_eq!(err.attempts(), 1);
    only_request(&server).await;
}

#[tokio::test]
async fn update_minimal_body() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/rev-orgs.update", 200, FETCHED).await;

    let updated = RevOrgsUpdateRequest::new("REV-Qp7Lm2Rt").send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/rev-orgs.update");
    assert_eq!(json_body(&request), json!({"id": "REV-Qp7Lm2Rt"}));
    assert_eq!(updated.rev_org.display_id.as_deref(), Some("REV-Qp7Lm2Rt"));
}

#[tokio::test]
#[allow(deprecated)]
async fn update_every_field() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/rev-orgs.update", 200, FETCHED).await;

    let updated = RevOrgsUpdateRequest::new("REV-Qp7Lm2Rt")
        .account("ACC-778")
        .artifacts(["ARTIFACT-1", "ARTIFACT-2"])
        .custom_schema_fragments(["don:core:dvrv-us-1:devo/0:custom_type_fragment/5"])
        .description("EU branch")
        .display_name("Northwind Traders EU")
        .domain("northwind.example")
        .environment(OrgEnvironment::Test)
        .external_ref("northwind-eu")
        .tags([SetTagWithValue::with_value("TAG-1", "yes"), "TAG-2".into()])
        .tier("silver")
        .send(&client(server.uri()))
        .await
        .unwrap();

    assert_eq!(
        json_body(&only_request(&server).await),
        json!({
            "account": "ACC-778",
            "artifacts": {"set": ["ARTIFACT-1", "ARTIFACT-2"]},
            "custom_schema_fragments": ["don:core:dvrv-us-1:devo/0:custom_type_fragment/5"],
            "description": "EU branch",
            "display_name": "Northwind Traders EU",
            "domain": "northwind.example",
            "environment": "test",
            "external_ref": "northwind-eu",
            "id": "REV-Qp7Lm2Rt",
            "tags": [{"id": "TAG-1", "value": "yes"}, {"id": "TAG-2"}],
            "tier": "silver",
        })
    );
    assert_eq!(updated.rev_org.subtype.as_deref(), Some("reseller"));
}

#[tokio::test]
async fn update_with_no_artifacts_detaches_them_all() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/rev-orgs.update", 200, FETCHED).await;

    RevOrgsUpdateRequest::new("REV-1").artifacts(Vec::<String>::new()).send(&client(server.uri())).await.unwrap();
    assert_eq!(json_body(&only_request(&server).await), json!({"id": "REV-1", "artifacts": {"set": []}}));
}

#[tokio::test]
async fn update_conflict_is_typed() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/rev-orgs.update", 409, r#"{"type":"conflict","message":"external_ref in use"}"#).await;

    let err = RevOrgsUpdateRequest::new("REV-1").external_ref("taken").send(&client(server.uri())).await.unwrap_err();
    assert_eq!((err.status(), err.kind()), (Some(409), Some(&ErrorKind::Conflict)));
}

#[tokio::test]
async fn delete_sends_the_id_and_decodes_an_empty_answer() {
    for (status, body) in [(204, ""), (200, "{}"), (200, "  \n")] {
        let server = MockServer::start().await;
        mount(&server, "POST", "/rev-orgs.delete", status, body).await;

        let answer = RevOrgsDeleteRequest::new("REV-Qp7Lm2Rt").send(&client(server.uri())).await.unwrap();
        assert_eq!(answer, RevOrgsDeleteResponse::default(), "{status} {body:?}");

        let request = only_request(&server).await;
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(request.url.path(), "/rev-orgs.delete");
        assert_eq!(json_body(&request), json!({"id": "REV-Qp7Lm2Rt"}));
    }
}

#[tokio::test]
async fn delete_of_a_missing_org_is_typed() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/rev-orgs.delete", 404, r#"{"type":"not_found","message":"gone"}"#).await;

    let err = RevOrgsDeleteRequest::new("REV-1").send(&client(server.uri())).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.kind(), Some(&ErrorKind::NotFound));
}

#[tokio::test]
async fn a_body_that_does_not_fit_the_model_names_the_field_at_fault() {
    let server = MockServer::start().await;
    let good = json!({"id": "don:identity:dvrv-us-1:devo/1:revo/1", "display_name": "ok"});
    let cases = [
        // A wrong type deep in the page: the path names the item and the field.
        (json!({"rev_orgs": [good.clone(), {"id": "x", "display_name": 42}]}), Some("rev_orgs[1].display_name")),
        (json!({"rev_orgs": [good.clone(), good.clone(), {"display_name": "no id"}]}), Some("rev_orgs[2]")),
        (json!({"rev_orgs": [{"id": "x", "created_date": "yesterday"}]}), Some("rev_orgs[0].created_date")),
        (json!({"rev_orgs": "not a list"}), Some("rev_orgs")),
        // The body as a whole is wrong: no path.
        (json!("a string"), None),
    ];
    for (body, expected) in cases {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/rev-orgs.list"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
            .mount(&server)
            .await;
        let err = RevOrgsListQueryRequest::new().send(&client(server.uri())).await.unwrap_err();
        let devrev::Error::Decode(decode) = &err else { panic!("expected a decode error, got {err:?}") };
        assert_eq!(decode.path(), expected, "{body}");
        // The message still says what was wrong, and the excerpt is kept.
        assert!(!decode.message().is_empty());
        assert!(decode.excerpt().starts_with(&body.to_string()[..10]), "{}", decode.excerpt());
        match expected {
            Some(at) => assert!(err.to_string().contains(&format!("at `{at}`: ")), "{err}"),
            None => assert!(!err.to_string().contains(" at `"), "{err}"),
        }
    }
    // A body that is not JSON at all, and trailing bytes after the value.
    for raw in ["<html>", r#"{"rev_orgs": []} trailing"#] {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/rev-orgs.list"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(raw, "application/json"))
            .mount(&server)
            .await;
        let err = RevOrgsListQueryRequest::new().send(&client(server.uri())).await.unwrap_err();
        let devrev::Error::Decode(decode) = &err else { panic!("expected a decode error, got {err:?}") };
        assert_eq!(decode.path(), None, "{raw}");
    }
}
