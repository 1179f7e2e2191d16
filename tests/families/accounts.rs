//! The accounts family on the wire: the exact request (query string or JSON
//! body), the decoded answer, and typed errors.

use crate::common;

use chrono::{TimeZone, Utc};
use common::client;
use devrev::accounts::{
    AccountsCreateRequest, AccountsDeleteRequest, AccountsDeleteResponse, AccountsGetQueryRequest, AccountsGetRequest,
    AccountsListQueryRequest, AccountsListRequest, AccountsUpdateRequest,
};
use devrev::models::{CustomSchemaSpec, CustomSchemaSpecDrop, DateTimeFilter, ListMode, SetTagWithValue, UserSummary};
use devrev::{Endpoint, ErrorKind};
use serde_json::json;
use wiremock::MockServer;

use crate::wire_support;
use wire_support::{json_body, mount, only_request};

const CREATED: &str = common::fixtures::ACCOUNT_CREATED;
const FETCHED: &str = common::fixtures::ACCOUNT_FETCHED;
const PAGE: &str = common::fixtures::ACCOUNTS_PAGE;

#[tokio::test]
async fn create_minimal_request_and_full_answer() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/accounts.create", 201, CREATED).await;

    let created = AccountsCreateRequest::new("Globex").send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/accounts.create");
    assert_eq!(request.url.query(), None);
    assert_eq!(json_body(&request), json!({"display_name": "Globex"}));

    // Every field of the account model decodes.
    let account = created.account;
    assert_eq!(account.id, "don:identity:dvrv-us-1:devo/0:account/4242");
    assert_eq!(account.display_id.as_deref(), Some("ACC-4242"));
    assert_eq!(account.display_name.as_deref(), Some("Globex"));
    assert_eq!(account.created_by.as_ref().and_then(UserSummary::display_name), Some("hank"));
    assert_eq!(account.created_date, Some(Utc.with_ymd_and_hms(2024, 4, 10, 10, 20, 30).unwrap()));
    assert_eq!(account.modified_by.as_ref().and_then(UserSummary::id), Some("don:identity:dvrv-us-1:devo/0:devu/11"));
    assert_eq!(account.modified_date, account.created_date);
    let artifact = &account.artifacts.as_ref().unwrap()[0];
    assert_eq!(artifact.display_id.as_deref(), Some("ARTIFACT-5"));
    assert_eq!(artifact.file.as_ref().unwrap().r#type.as_deref(), Some("text/csv"));
    assert_eq!(account.custom_fields.as_ref().unwrap()["seats"], 300);
    assert_eq!(
        account.custom_schema_fragments.as_deref(),
        Some(&["don:core:dvrv-us-1:devo/0:custom_type_fragment/8".to_owned()][..])
    );
    assert_eq!(account.description.as_deref(), Some("Industrial conglomerate"));
    assert_eq!(account.domains, Some(vec!["globex.example".to_owned(), "globex-corp.example".to_owned()]));
    assert_eq!(account.external_refs, Some(vec!["crm-0042".to_owned()]));
    assert_eq!(account.owned_by.len(), 2);
    assert!(matches!(&account.owned_by[0], UserSummary::DevUser(u) if u.display_name.as_deref() == Some("hank")));
    assert!(matches!(&account.owned_by[1], UserSummary::ServiceAccount(u) if u.id.ends_with("svcacc/3")));
    assert_eq!(account.primary_account.as_ref().unwrap().display_name.as_deref(), Some("Globex Holdings"));
    assert_eq!(account.stock_schema_fragment.as_deref(), Some("don:core:dvrv-us-1:devo/0:custom_type_fragment/2"));
    assert_eq!(account.subtype.as_deref(), Some("enterprise"));
    let tag = &account.tags.as_ref().unwrap()[0];
    assert_eq!((tag.tag.name.as_str(), tag.value.as_deref()), ("strategic", Some("tier-1")));
    assert_eq!(account.tier.as_deref(), Some("gold"));
    assert_eq!(account.websites, Some(vec!["www.globex.example".to_owned()]));

    assert_eq!(created.default_rev_org.display_id.as_deref(), Some("REV-Gx4242"));
    assert_eq!(created.default_rev_org.account.unwrap().display_id.as_deref(), Some("ACC-4242"));
}

#[tokio::test]
#[allow(deprecated)]
async fn create_every_field() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/accounts.create", 201, CREATED).await;

    let mut custom = serde_json::Map::new();
    custom.insert("region".into(), json!("amer"));
    AccountsCreateRequest::new("Globex")
        .artifacts(["ARTIFACT-5"])
        .custom_fields(custom)
        .custom_schema_spec(
            CustomSchemaSpec::new()
                .apps(["crm"])
                .drop(CustomSchemaSpecDrop::new().apps(["legacy"]).subtype(false))
                .subtype("enterprise")
                .tenant_fragment(true)
                .validate_required_fields(true),
        )
        .description("Industrial conglomerate")
        .domains(["globex.example"])
        .external_refs(["crm-0042", "erp-17"])
        .owned_by(["DEVU-11"])
        .schema_fragment_ids(["don:core:dvrv-us-1:devo/0:custom_type_fragment/8"])
        .tags([SetTagWithValue::with_value("TAG-3", "tier-1")])
        .tier("gold")
        .websites(["www.globex.example"])
        .send(&client(server.uri()))
        .await
        .unwrap();

    assert_eq!(
        json_body(&only_request(&server).await),
        json!({
            "artifacts": ["ARTIFACT-5"],
            "custom_fields": {"region": "amer"},
            "custom_schema_spec": {
                "apps": ["crm"],
                "drop": {"apps": ["legacy"], "subtype": false},
                "subtype": "enterprise",
                "tenant_fragment": true,
                "validate_required_fields": true,
            },
            "description": "Industrial conglomerate",
            "display_name": "Globex",
            "domains": ["globex.example"],
            "external_refs": ["crm-0042", "erp-17"],
            "owned_by": ["DEVU-11"],
            "schema_fragment_ids": ["don:core:dvrv-us-1:devo/0:custom_type_fragment/8"],
            "tags": [{"id": "TAG-3", "value": "tier-1"}],
            "tier": "gold",
            "websites": ["www.globex.example"],
        })
    );
}

#[tokio::test]
async fn create_missing_field_is_typed() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/accounts.create",
        400,
        r#"{"type":"missing_required_field","message":"required","field_name":"display_name"}"#,
    )
    .await;

    let err = AccountsCreateRequest::new("").send(&client(server.uri())).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.kind().map(|k| format!("{k:?}")).as_deref(),
        Some(r#"MissingRequiredField { field_name: "display_name" }"#)
    );
}

#[tokio::test]
async fn get_both_forms() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/accounts.get", 200, FETCHED).await;
    mount(&server, "POST", "/accounts.get", 200, FETCHED).await;

    let by_get = AccountsGetQueryRequest::new("ACC-4242").send(&client(server.uri())).await.unwrap().account;
    let by_post = AccountsGetRequest::new("ACC-4242").send(&client(server.uri())).await.unwrap().account;

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!((requests[0].method.as_str(), requests[0].url.path()), ("GET", "/accounts.get"));
    assert_eq!(requests[0].url.query(), Some("id=ACC-4242"));
    assert!(requests[0].body.is_empty());
    assert_eq!((requests[1].method.as_str(), requests[1].url.path()), ("POST", "/accounts.get"));
    assert_eq!(requests[1].url.query(), None);
    assert_eq!(json_body(&requests[1]), json!({"id": "ACC-4242"}));

    assert_eq!(by_get, by_post);
    assert_eq!(by_get.display_name.as_deref(), Some("Globex Corporation"));
    assert_eq!(by_get.tier.as_deref(), Some("platinum"));
    assert_eq!(by_get.owned_by.len(), 1);
    assert_eq!(by_get.websites.as_ref().map(Vec::len), Some(2));
    assert_eq!(by_get.created_by, None);
}

#[tokio::test]
async fn get_answer_without_owned_by_still_decodes() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/accounts.get", 200, r#"{"account":{"id":"don:identity:dvrv-us-1:devo/0:account/9"}}"#)
        .await;
    let account = AccountsGetQueryRequest::new("ACC-9").send(&client(server.uri())).await.unwrap().account;
    assert!(account.owned_by.is_empty());
}

#[tokio::test]
async fn get_answer_that_is_not_an_account_is_a_decode_error() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/accounts.get", 200, r#"{"account":{"display_name":"no id"}}"#).await;
    let err = AccountsGetQueryRequest::new("ACC-9").send(&client(server.uri())).await.unwrap_err();
    assert!(matches!(err, devrev::Error::Decode(_)), "{err:?}");
    assert_eq!(err.status(), Some(200));
}

fn full_filters() -> AccountsListQueryRequest {
    let mut custom = serde_json::Map::new();
    custom.insert("region".into(), json!("emea"));
    custom.insert("seats".into(), json!(10));
    AccountsListQueryRequest::new()
        .created_by(["DEVU-1", "DEVU-2"])
        .created_date(DateTimeFilter::new().before(Utc.with_ymd_and_hms(2024, 12, 31, 0, 0, 0).unwrap()))
        .cursor("next/page+1")
        .custom_fields(custom)
        .display_name(["Initech", "Umbrella Corp."])
        .domains(["initech.example"])
        .external_refs(["crm-1"])
        .limit(3)
        .mode(ListMode::After)
        .modified_date(DateTimeFilter::between(
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap(),
        ))
        .owned_by(["DEVU-11"])
        .sort_by(["display_name:asc"])
        .stage(["don:core:dvrv-us-1:devo/0:stage/1"])
        .subtype(["enterprise", "smb"])
        .tags(["TAG-3"])
        .tier(["gold", "silver"])
        .websites(["www.initech.example"])
}

#[tokio::test]
async fn list_get_form_puts_every_filter_in_the_query() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/accounts.list", 200, PAGE).await;

    let page = full_filters().send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!((request.method.as_str(), request.url.path()), ("GET", "/accounts.list"));
    assert_eq!(
        request.url.query(),
        Some(concat!(
            "created_by=DEVU-1,DEVU-2",
            "&created_date.before=2024-12-31T00%3A00%3A00Z",
            "&cursor=next%2Fpage%2B1",
            "&custom_fields.region=emea",
            "&custom_fields.seats=10",
            "&display_name=Initech,Umbrella%20Corp.",
            "&domains=initech.example",
            "&external_refs=crm-1",
            "&limit=3",
            "&mode=after",
            "&modified_date.after=2024-01-01T00%3A00%3A00Z",
            "&modified_date.before=2024-02-01T00%3A00%3A00Z",
            "&owned_by=DEVU-11",
            "&sort_by=display_name%3Aasc",
            "&stage=don%3Acore%3Advrv-us-1%3Adevo%2F0%3Astage%2F1",
            "&subtype=enterprise,smb",
            "&tags=TAG-3",
            "&tier=gold,silver",
            "&websites=www.initech.example",
        ))
    );

    let names: Vec<_> = page.accounts.iter().map(|a| a.display_name.as_deref().unwrap()).collect();
    assert_eq!(names, ["Initech", "Umbrella", "Hooli"]);
    assert_eq!(page.accounts[1].tier.as_deref(), Some("silver"));
    assert_eq!(page.next_cursor, None);
    assert_eq!(page.prev_cursor.as_deref(), Some("cHJldg"));
}

#[tokio::test]
async fn list_post_form_nests_the_same_filters_in_a_body() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/accounts.list", 200, PAGE).await;

    let page = AccountsListRequest::from(full_filters()).send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!((request.method.as_str(), request.url.path()), ("POST", "/accounts.list"));
    assert_eq!(
        json_body(&request),
        json!({
            "created_by": ["DEVU-1", "DEVU-2"],
            "created_date": {"before": "2024-12-31T00:00:00Z"},
            "cursor": "next/page+1",
            "custom_fields": {"region": "emea", "seats": 10},
            "display_name": ["Initech", "Umbrella Corp."],
            "domains": ["initech.example"],
            "external_refs": ["crm-1"],
            "limit": 3,
            "mode": "after",
            "modified_date": {"after": "2024-01-01T00:00:00Z", "before": "2024-02-01T00:00:00Z"},
            "owned_by": ["DEVU-11"],
            "sort_by": ["display_name:asc"],
            "stage": ["don:core:dvrv-us-1:devo/0:stage/1"],
            "subtype": ["enterprise", "smb"],
            "tags": ["TAG-3"],
            "tier": ["gold", "silver"],
            "websites": ["www.initech.example"],
        })
    );
    assert_eq!(page.accounts.len(), 3);
}

#[test]
fn reads_are_idempotent_writes_are_not() {
    let declared = [
        ("AccountsGetQueryRequest", <AccountsGetQueryRequest as Endpoint>::IDEMPOTENT),
        ("AccountsGetRequest", <AccountsGetRequest as Endpoint>::IDEMPOTENT),
        ("AccountsListQueryRequest", <AccountsListQueryRequest as Endpoint>::IDEMPOTENT),
        ("AccountsListRequest", <AccountsListRequest as Endpoint>::IDEMPOTENT),
        ("AccountsCreateRequest", <AccountsCreateRequest as Endpoint>::IDEMPOTENT),
        ("AccountsUpdateRequest", <AccountsUpdateRequest as Endpoint>::IDEMPOTENT),
        ("AccountsDeleteRequest", <AccountsDeleteRequest as Endpoint>::IDEMPOTENT),
    ];
    let expected = [
        ("AccountsGetQueryRequest", true),
        ("AccountsGetRequest", true),
        ("AccountsListQueryRequest", true),
        ("AccountsListRequest", true),
        ("AccountsCreateRequest", false),
        ("AccountsUpdateRequest", false),
        ("AccountsDeleteRequest", false),
    ];
    assert_eq!(declared, expected);
}

#[tokio::test]
async fn update_minimal_body() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/accounts.update", 200, FETCHED).await;

    let updated = AccountsUpdateRequest::new("ACC-4242").send(&client(server.uri())).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/accounts.update");
    assert_eq!(json_body(&request), json!({"id": "ACC-4242"}));
    assert_eq!(updated.account.display_name.as_deref(), Some("Globex Corporation"));
}

#[tokio::test]
#[allow(deprecated)]
async fn update_every_field() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/accounts.update", 200, FETCHED).await;

    let mut custom = serde_json::Map::new();
    custom.insert("seats".into(), json!(350));
    AccountsUpdateRequest::new("ACC-4242")
        .artifacts(["ARTIFACT-5", "ARTIFACT-6"])
        .custom_fields(custom)
        .custom_schema_spec(CustomSchemaSpec::new().tenant_fragment(true))
        .description("Now bigger")
        .display_name("Globex Corporation")
        .domains(["globex.example"])
        .external_refs(["crm-0042"])
        .owned_by(["DEVU-11", "DEVU-12"])
        .schema_fragment_ids(["don:core:dvrv-us-1:devo/0:custom_type_fragment/9"])
        .tags([SetTagWithValue::new("TAG-4")])
        .tier("platinum")
        .websites(["www.globex.example", "shop.globex.example"])
        .send(&client(server.uri()))
        .await
        .unwrap();

    assert_eq!(
        json_body(&only_request(&server).await),
        json!({
            "artifacts": {"set": ["ARTIFACT-5", "ARTIFACT-6"]},
            "custom_fields": {"seats": 350},
            "custom_schema_spec": {"tenant_fragment": true},
            "description": "Now bigger",
            "display_name": "Globex Corporation",
            "domains": ["globex.example"],
            "external_refs": ["crm-0042"],
            "id": "ACC-4242",
            "owned_by": ["DEVU-11", "DEVU-12"],
            "schema_fragment_ids": ["don:core:dvrv-us-1:devo/0:custom_type_fragment/9"],
            "tags": [{"id": "TAG-4"}],
            "tier": "platinum",
            "websites": {"set": ["www.globex.example", "shop.globex.example"]},
        })
    );
}

#[tokio::test]
async fn update_can_clear_the_tier() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/accounts.update", 200, FETCHED).await;

    AccountsUpdateRequest::new("ACC-4242")
        .clear_tier()
        .websites(Vec::<String>::new())
        .send(&client(server.uri()))
        .await
        .unwrap();
    assert_eq!(
        json_body(&only_request(&server).await),
        json!({"id": "ACC-4242", "tier": null, "websites": {"set": []}})
    );
}

#[tokio::test]
async fn update_errors_are_typed() {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/accounts.update",
        400,
        r#"{"type":"invalid_field","message":"bad","field_name":"websites"}"#,
    )
    .await;

    let err =
        AccountsUpdateRequest::new("ACC-1").websites(["not a url"]).send(&client(server.uri())).await.unwrap_err();
    assert_eq!(err.kind().map(|k| format!("{k:?}")).as_deref(), Some(r#"InvalidField { field_name: "websites" }"#));
}

#[tokio::test]
async fn delete_sends_the_id_and_decodes_an_empty_answer() {
    for (status, body) in [(204, ""), (200, "{}")] {
        let server = MockServer::start().await;
        mount(&server, "POST", "/accounts.delete", status, body).await;

        let answer = AccountsDeleteRequest::new("ACC-4242").send(&client(server.uri())).await.unwrap();
        assert_eq!(answer, AccountsDeleteResponse::default());

        let request = only_request(&server).await;
        assert_eq!((request.method.as_str(), request.url.path()), ("POST", "/accounts.delete"));
        assert_eq!(json_body(&request), json!({"id": "ACC-4242"}));
    }
}

#[tokio::test]
async fn delete_forbidden_is_typed() {
    let server = MockServer::start().await;
    mount(&server, "POST", "/accounts.delete", 403, r#"{"type":"forbidden","message":"not yours"}"#).await;

    let err = AccountsDeleteRequest::new("ACC-1").send(&client(server.uri())).await.unwrap_err();
    assert_eq!((err.status(), err.kind()), (Some(403), Some(&ErrorKind::Forbidden)));
}
