//! How `GET` requests go on the wire: arrays comma-joined in one parameter,
//! date filters as dotted names, enums as their wire strings, unset fields
//! absent, and every value percent-encoded. Expected query strings are
//! written out literally.

use crate::common;

use chrono::{DateTime, TimeZone, Utc};
use common::client;
use devrev::accounts::AccountsListQueryRequest;
use devrev::models::{DateTimeFilter, ListMode};
use devrev::query::to_query_string;
use devrev::rev_orgs::{RevOrgsGetQueryRequest, RevOrgsListQueryRequest};
use devrev::Error;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn query(request: &RevOrgsListQueryRequest) -> String {
    to_query_string(request).unwrap()
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn custom(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn arrays_are_one_comma_joined_parameter() {
    assert_eq!(query(&RevOrgsListQueryRequest::new().account(["ACC-1"])), "account=ACC-1");
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().account(["ACC-1", "ACC-2", "ACC-3"])),
        "account=ACC-1,ACC-2,ACC-3"
    );
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().created_by(["DEVU-1"]).tags(["TAG-1", "TAG-2"])),
        "created_by=DEVU-1&tags=TAG-1,TAG-2"
    );
    // An empty array is no filter at all, like an unset one.
    assert_eq!(query(&RevOrgsListQueryRequest::new().tags(Vec::<String>::new())), "");
    assert_eq!(query(&RevOrgsListQueryRequest::new()), "");
}

#[test]
fn date_filters_are_dotted() {
    let both = DateTimeFilter::between(at(2024, 1, 1, 0, 0, 0), at(2024, 1, 31, 23, 59, 59));
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().created_date(both.clone())),
        "created_date.after=2024-01-01T00%3A00%3A00Z&created_date.before=2024-01-31T23%3A59%3A59Z"
    );
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().modified_date(DateTimeFilter::new().before(at(2024, 5, 6, 7, 8, 9)))),
        "modified_date.before=2024-05-06T07%3A08%3A09Z"
    );
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().created_date(both).modified_date(DateTimeFilter::new().after(at(2023, 12, 24, 18, 0, 0)))),
        "created_date.after=2024-01-01T00%3A00%3A00Z&created_date.before=2024-01-31T23%3A59%3A59Z&modified_date.after=2023-12-24T18%3A00%3A00Z"
    );
    // A time in another zone goes out in UTC, with its fraction of a second.
    let local = DateTime::parse_from_rfc3339("2024-03-05T10:15:00.250+01:00").unwrap();
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().created_date(DateTimeFilter::new().after(local))),
        "created_date.after=2024-03-05T09%3A15%3A00.250Z"
    );
    // A filter with neither end sends nothing.
    assert_eq!(query(&RevOrgsListQueryRequest::new().created_date(DateTimeFilter::new())), "");
}

#[test]
fn enums_use_their_wire_strings() {
    assert_eq!(query(&RevOrgsListQueryRequest::new().mode(ListMode::After)), "mode=after");
    assert_eq!(query(&RevOrgsListQueryRequest::new().mode(ListMode::Before)), "mode=before");
    // A mode this crate does not know yet goes out as given.
    assert_eq!(query(&RevOrgsListQueryRequest::new().mode(ListMode::Unknown("sideways".into()))), "mode=sideways");
    assert_eq!("before".parse::<ListMode>().unwrap(), ListMode::Before);
}

#[test]
fn special_characters_are_percent_encoded() {
    let cases = [
        ("A&B", "A%26B"),
        ("x,y", "x%2Cy"),
        ("two words", "two%20words"),
        ("Ünïcödé", "%C3%9Cn%C3%AFc%C3%B6d%C3%A9"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("+=/?#%", "%2B%3D%2F%3F%23%25"),
        ("keep-these_.~", "keep-these_.~"),
    ];
    for (raw, encoded) in cases {
        assert_eq!(
            query(&RevOrgsListQueryRequest::new().external_ref([raw])),
            format!("external_ref={encoded}"),
            "{raw}"
        );
    }
    // In an array the separators stay literal commas; commas inside values do not.
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().display_name(["Acme, Inc.", "B&B Hotels", "Zürich AG"])),
        "display_name=Acme%2C%20Inc.,B%26B%20Hotels,Z%C3%BCrich%20AG"
    );
    assert_eq!(
        to_query_string(&RevOrgsGetQueryRequest::by_id("don:identity:dvrv-us-1:devo/0:revo/AbCd")).unwrap(),
        "id=don%3Aidentity%3Advrv-us-1%3Adevo%2F0%3Arevo%2FAbCd"
    );
}

#[test]
fn custom_field_filters_repeat_the_parameter() {
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().custom_field_filter(["tier_code:gold,silver", "seats:10"])),
        "custom_field_filter=tier_code%3Agold%2Csilver&custom_field_filter=seats%3A10"
    );
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().custom_field_filter(["region:emea"])),
        "custom_field_filter=region%3Aemea"
    );
}

#[test]
fn custom_fields_are_dotted_by_name() {
    let fields = custom(json!({
        "active": true,
        "nested": {"level": 2},
        "regions": ["emea", "apac"],
        "seats": 10,
        "tnt__région": "nord & sud",
        "unset": null,
    }));
    assert_eq!(
        query(&RevOrgsListQueryRequest::new().custom_fields(fields)),
        "custom_fields.active=true&custom_fields.nested.level=2&custom_fields.regions=emea,apac&custom_fields.seats=10&custom_fields.tnt__r%C3%A9gion=nord%20%26%20sud"
    );
}

#[test]
fn accounts_list_follows_the_same_rules() {
    let request = AccountsListQueryRequest::new()
        .tier(["gold", "silver & up"])
        .created_date(DateTimeFilter::new().after(at(2024, 2, 29, 12, 0, 0)))
        .mode(ListMode::Before)
        .limit(0)
        .websites(["https://example.com/a?b=c"]);
    assert_eq!(
        to_query_string(&request).unwrap(),
        "created_date.after=2024-02-29T12%3A00%3A00Z&limit=0&mode=before&tier=gold,silver%20%26%20up&websites=https%3A%2F%2Fexample.com%2Fa%3Fb%3Dc"
    );
}

#[tokio::test]
async fn the_server_receives_the_encoded_query_unchanged() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rev-orgs.list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rev_orgs": []})))
        .mount(&server)
        .await;

    RevOrgsListQueryRequest::new()
        .display_name(["Acme, Inc.", "Café & Co", "日本"])
        .created_date(DateTimeFilter::new().after(at(2024, 1, 1, 0, 0, 0)))
        .mode(ListMode::Before)
        .send(&client(server.uri()))
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].url.query(),
        Some("created_date.after=2024-01-01T00%3A00%3A00Z&display_name=Acme%2C%20Inc.,Caf%C3%A9%20%26%20Co,%E6%97%A5%E6%9C%AC&mode=before")
    );
}

#[tokio::test]
async fn what_a_query_cannot_hold_is_a_typed_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;

    let fields = custom(json!({"owners": [{"id": "DEVU-1"}]}));
    let err = RevOrgsListQueryRequest::new().custom_fields(fields).send(&client(server.uri())).await.unwrap_err();
    match &err {
        Error::Encode(message) => assert!(message.contains("array"), "{message}"),
        other => panic!("expected an encode error, got {other:?}"),
    }
    assert_eq!(err.status(), None);
    assert!(server.received_requests().await.unwrap().is_empty());
}
