//! Typed custom fields end to end: the derive's structs declared as
//! fragments, sent on creates and updates, read back typed, against the
//! embedded server (which enforces the fragments) and, for the exact wire
//! body, a wiremock server.

use devrev::custom_fields::{CustomFields, FieldDiff, GetFragment, Id, Problem};
use devrev::models::{
    Account, Part, PartsCreateRequestProduct, Work, WorksCreateRequestTicket, WorksUpdateRequestTicket,
};
use devrev::parts::PartsCreateRequest;
use devrev::works::{WorksCreateRequest, WorksGetQueryRequest, WorksListRequest, WorksUpdateRequest};
use devrev::{Client, ErrorKind, RetryPolicy};
use devrev_testkit::TestServer;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, PartialEq, devrev::CustomEnum)]
enum Impact {
    #[custom(rename = "low")]
    Low,
    #[custom(rename = "high")]
    High,
}

#[derive(Debug, Clone, PartialEq, devrev::CustomFields)]
#[custom(leaf = "ticket")]
struct TicketFields {
    // Filtered on below: DevRev filters lists on filterable fields only.
    #[custom(filterable)]
    impact: Impact,
    affected_users: Option<i64>,
    #[custom(name = "regions", filterable)]
    region_list: Option<Vec<String>>,
    due: Option<chrono::NaiveDate>,
    first_seen: Option<chrono::DateTime<chrono::Utc>>,
    related: Option<Id>,
    ratio: Option<f64>,
    escalated: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, devrev::CustomFields)]
#[custom(subtype = "outage", leaf = "ticket")]
struct OutageFields {
    region: String,
}

#[derive(Debug, Clone, PartialEq, devrev::CustomFields)]
#[custom(leaf = "account")]
struct AccountFields {
    // Filtered on below: DevRev filters lists on filterable fields only.
    #[custom(filterable)]
    tier: String,
    seats: Option<i64>,
}

fn client(base_url: String, token: &str) -> Client {
    Client::builder().token(token).base_url(base_url).retry_policy(RetryPolicy::none()).build().unwrap()
}

async fn server() -> (TestServer, Client) {
    let server = TestServer::start().await;
    let client = client(server.base_url(), server.token());
    (server, client)
}

async fn part(client: &Client) -> String {
    let me = devrev::dev_users::DevUsersSelfQueryRequest::new().send(client).await.unwrap().dev_user;
    let part =
        PartsCreateRequest::new("Checkout", [me.id], PartsCreateRequestProduct::new()).send(client).await.unwrap().part;
    let Part::Product(part) = part else { panic!("a product was created") };
    part.id
}

fn ticket_fields() -> TicketFields {
    TicketFields {
        impact: Impact::High,
        affected_users: Some(12),
        region_list: Some(vec!["eu".into(), "us".into()]),
        due: chrono::NaiveDate::from_ymd_opt(2026, 12, 24),
        first_seen: "2026-12-01T08:30:00Z".parse().ok(),
        related: Some(Id::from("don:core:dvrv-us-1:devo/1:issue/9")),
        ratio: Some(0.25),
        escalated: Some(false),
    }
}

fn id_of(work: &Work) -> String {
    match work {
        Work::Ticket(t) => t.id.clone(),
        other => panic!("a ticket, not {other:?}"),
    }
}

fn customization(err: &devrev::Error) -> (String, Option<String>) {
    match err.kind() {
        Some(ErrorKind::CustomizationValidationError { subtype, field_name, .. }) => {
            (subtype.clone(), field_name.clone())
        }
        other => panic!("a customization_validation_error, not {other:?} ({err})"),
    }
}

#[tokio::test]
async fn declared_applied_sent_and_read_back_typed() {
    let (_server, client) = server().await;
    let id = TicketFields::fragment().send(&client).await.unwrap().id;
    let live = GetFragment::new(&id).send(&client).await.unwrap().fragment;
    assert_eq!(TicketFields::diff(&live), vec![], "the live fragment is the one declared");
    assert_eq!(live.leaf_type.as_deref(), Some("ticket"));

    let part = part(&client).await;
    let me = devrev::dev_users::DevUsersSelfQueryRequest::new().send(&client).await.unwrap().dev_user.id;
    let sent = ticket_fields();
    let (part_id, me_id) = (part.clone(), me.clone());
    let created = WorksCreateRequest::new(part, [me], "Checkout down", WorksCreateRequestTicket::new())
        .custom(&sent)
        .send(&client)
        .await
        .unwrap()
        .work;
    assert_eq!(created.custom::<TicketFields>(), Ok(sent.clone()));

    let got = WorksGetQueryRequest::new(id_of(&created)).send(&client).await.unwrap().work;
    assert_eq!(got.custom::<TicketFields>(), Ok(sent.clone()));
    let Work::Ticket(ticket) = &got else { panic!("a ticket") };
    assert_eq!(ticket.custom::<TicketFields>(), Ok(sent.clone()));

    let listed = WorksListRequest::new().send(&client).await.unwrap().works;
    let typed: Vec<TicketFields> = listed.iter().map(|w| w.custom::<TicketFields>().unwrap()).collect();
    assert_eq!(typed, vec![sent.clone()]);

    // A list filters on a filterable custom field.
    let low = TicketFields { impact: Impact::Low, region_list: Some(vec!["apac".into()]), ..sent.clone() };
    WorksCreateRequest::new(part_id, [me_id], "Slow search", WorksCreateRequestTicket::new())
        .custom(&low)
        .send(&client)
        .await
        .unwrap();
    let filtered = |filter: Value| {
        let Value::Object(filter) = filter else { unreachable!() };
        WorksListRequest::new().custom_fields(filter)
    };
    let eu = filtered(json!({"tnt__regions": ["eu"]})).send(&client).await.unwrap().works;
    assert_eq!(eu.iter().map(|w| w.custom::<TicketFields>().unwrap()).collect::<Vec<_>>(), vec![sent]);
    let apac = filtered(json!({"tnt__regions": ["apac"], "tnt__impact": ["low"]})).send(&client).await.unwrap().works;
    assert_eq!(apac.iter().map(|w| w.custom::<TicketFields>().unwrap()).collect::<Vec<_>>(), vec![low]);
}

#[tokio::test]
async fn the_server_refuses_each_bad_value_with_a_typed_400_naming_the_field() {
    let (_server, client) = server().await;
    TicketFields::fragment().send(&client).await.unwrap();
    let part = part(&client).await;
    let me = devrev::dev_users::DevUsersSelfQueryRequest::new().send(&client).await.unwrap().dev_user.id;
    let create = |fields: Value| {
        let Value::Object(fields) = fields else { unreachable!() };
        WorksCreateRequest::new(part.clone(), [me.clone()], "t", WorksCreateRequestTicket::new()).custom_fields(fields)
    };
    let cases = [
        (json!({"tnt__impact": "urgent"}), "enum_out_of_range", "tnt__impact"),
        (json!({"tnt__impact": "low", "tnt__affected_users": "12"}), "wrong_type", "tnt__affected_users"),
        (json!({"tnt__impact": "low", "tnt__severity": 1}), "field_not_in_schema", "tnt__severity"),
        (json!({"tnt__affected_users": 1}), "field_required", "tnt__impact"),
        (json!({"tnt__impact": "low", "tnt__due": "24/12/2026"}), "date_parse_error", "tnt__due"),
    ];
    for (fields, subtype, field) in cases {
        let err = create(fields.clone()).send(&client).await.expect_err("refused");
        assert_eq!(err.status(), Some(400), "{fields}");
        assert_eq!(customization(&err), (subtype.to_owned(), Some(field.to_owned())), "{fields}");
    }
    // Nothing refused was stored.
    assert_eq!(WorksListRequest::new().send(&client).await.unwrap().works.len(), 0);
}

#[tokio::test]
async fn partial_updates_send_only_what_is_set_and_are_checked() {
    let (_server, client) = server().await;
    TicketFields::fragment().send(&client).await.unwrap();
    let part = part(&client).await;
    let me = devrev::dev_users::DevUsersSelfQueryRequest::new().send(&client).await.unwrap().dev_user.id;
    let created = WorksCreateRequest::new(part, [me], "t", WorksCreateRequestTicket::new())
        .custom(&TicketFields { impact: Impact::Low, ..ticket_fields() })
        .send(&client)
        .await
        .unwrap()
        .work;
    let id = id_of(&created);

    // An update that changes one field is checked like a create, minus the required rule.
    let err = WorksUpdateRequest::new(id.clone(), WorksUpdateRequestTicket::new())
        .custom_fields(Map::from_iter([("tnt__affected_users".to_owned(), json!(true))]))
        .send(&client)
        .await
        .expect_err("refused");
    assert_eq!(customization(&err), ("wrong_type".to_owned(), Some("tnt__affected_users".to_owned())));

    let update = TicketFields {
        impact: Impact::High,
        affected_users: None,
        region_list: None,
        due: None,
        first_seen: None,
        related: None,
        ratio: None,
        escalated: None,
    };
    let request = WorksUpdateRequest::new(id.clone(), WorksUpdateRequestTicket::new()).custom(&update);
    assert_eq!(request.custom_fields, Some(Map::from_iter([("tnt__impact".to_owned(), json!("high"))])));
    let updated = request.send(&client).await.unwrap().work;
    assert_eq!(updated.custom::<TicketFields>().map(|f| f.impact), Ok(Impact::High));
}

#[tokio::test]
async fn subtype_fields_go_with_their_subtype() {
    let (server, client) = server().await;
    TicketFields::fragment().send(&client).await.unwrap();
    OutageFields::fragment().send(&client).await.unwrap();
    let part = part(&client).await;
    let me = devrev::dev_users::DevUsersSelfQueryRequest::new().send(&client).await.unwrap().dev_user.id;
    let outage = OutageFields { region: "eu-west".into() };
    let request = WorksCreateRequest::new(part.clone(), [me.clone()], "t", WorksCreateRequestTicket::new())
        .custom(&ticket_fields())
        .custom(&outage);
    let spec = request.custom_schema_spec.clone().unwrap();
    assert_eq!((spec.tenant_fragment, spec.subtype.as_deref()), (Some(true), Some("outage")));
    let work = request.send(&client).await.unwrap().work;
    assert_eq!(work.custom::<OutageFields>(), Ok(outage));
    assert_eq!(work.custom::<TicketFields>(), Ok(ticket_fields()));

    // Without naming the subtype, its fields belong to no fragment.
    let err = WorksCreateRequest::new(part, [me], "t", WorksCreateRequestTicket::new())
        .custom(&ticket_fields())
        .custom_fields(Map::from_iter([
            ("tnt__impact".to_owned(), json!("low")),
            ("ctype__region".to_owned(), json!("eu")),
        ]))
        .send(&client)
        .await
        .expect_err("refused");
    assert_eq!(customization(&err), ("field_not_in_schema".to_owned(), Some("ctype__region".to_owned())));
    drop(server);
}

#[tokio::test]
async fn accounts_read_typed_and_keep_unknown_fields() {
    let (_server, client) = server().await;
    // The tenant's fragment has a field this code does not know about.
    let mut fragment = AccountFields::fragment().to_json();
    fragment["fields"].as_array_mut().unwrap().push(json!({"name": "region", "field_type": "text"}));
    let raw = set_raw_fragment(&client, &fragment).await;
    assert_eq!(
        AccountFields::diff(&GetFragment::new(raw.id).send(&client).await.unwrap().fragment),
        vec![FieldDiff::Extra { name: "region".into() }]
    );

    let account = devrev::accounts::AccountsCreateRequest::new("Acme")
        .custom(&AccountFields { tier: "gold".into(), seats: Some(40) })
        .send(&client)
        .await
        .unwrap()
        .account;
    let got: Account =
        devrev::accounts::AccountsGetQueryRequest::new(account.id.clone()).send(&client).await.unwrap().account;
    assert_eq!(got.custom::<AccountFields>(), Ok(AccountFields { tier: "gold".into(), seats: Some(40) }));

    // Another client wrote the field this code does not know; a typed update keeps it.
    let mut map = got.custom_fields.clone().unwrap_or_default();
    map.insert("tnt__region".into(), json!("emea"));
    let request = devrev::accounts::AccountsUpdateRequest::new(account.id.clone())
        .custom_fields(map)
        .custom(&AccountFields { tier: "platinum".into(), seats: None });
    let sent = request.custom_fields.clone().unwrap();
    assert_eq!(Value::Object(sent), json!({"tnt__tier": "platinum", "tnt__seats": 40, "tnt__region": "emea"}));
    let updated = request.send(&client).await.unwrap().account;
    assert_eq!(updated.custom::<AccountFields>(), Ok(AccountFields { tier: "platinum".into(), seats: Some(40) }));
    assert_eq!(updated.custom_fields.unwrap()["tnt__region"], "emea");

    let err = devrev::accounts::AccountsCreateRequest::new("Bad")
        .custom_fields(Map::from_iter([("tnt__seats".to_owned(), json!(1))]))
        .send(&client)
        .await
        .expect_err("refused");
    assert_eq!(customization(&err), ("field_required".to_owned(), Some("tnt__tier".to_owned())));

    // Accounts' lists and export filter on the fields, and refuse one no fragment declares.
    let platinum = Map::from_iter([("tnt__tier".to_owned(), json!(["platinum"]))]);
    let listed = devrev::accounts::AccountsListRequest::new().custom_fields(platinum.clone());
    assert_eq!(listed.send(&client).await.unwrap().accounts.len(), 1);
    let exported = devrev::accounts::AccountsExportRequest::new().custom_fields(platinum);
    assert_eq!(exported.send(&client).await.unwrap().accounts.len(), 1);
    let typo = Map::from_iter([("tnt__teir".to_owned(), json!(["gold"]))]);
    let err = devrev::accounts::AccountsListRequest::new().custom_fields(typo.clone()).send(&client).await;
    assert_eq!(
        customization(&err.expect_err("refused")),
        ("field_not_in_schema".to_owned(), Some("tnt__teir".to_owned()))
    );
    let err = devrev::accounts::AccountsExportRequest::new().custom_fields(typo).send(&client).await;
    assert_eq!(
        customization(&err.expect_err("refused")),
        ("field_not_in_schema".to_owned(), Some("tnt__teir".to_owned()))
    );
}

/// Sends a fragment as raw JSON (what a team's hand-edited fragment would be).
async fn set_raw_fragment(client: &Client, body: &Value) -> devrev::custom_fields::FragmentId {
    #[derive(serde::Serialize)]
    #[serde(transparent)]
    struct Raw<'a>(&'a Value);
    impl devrev::Endpoint for Raw<'_> {
        type Response = devrev::custom_fields::FragmentId;
        type Error = devrev::DevRevError;
        const METHOD: devrev::Method = devrev::Method::Post;
        const PATH: &'static str = "/schemas.custom.set";
        const IDEMPOTENT: bool = false;
    }
    devrev::send(client, &Raw(body)).await.unwrap()
}

#[test]
fn a_value_that_does_not_fit_is_a_decode_error_naming_the_field() {
    let map = |v: Value| v.as_object().cloned().unwrap();
    let err = TicketFields::from_custom_fields(&map(json!({"tnt__impact": "high", "tnt__affected_users": "many"})))
        .unwrap_err();
    assert_eq!(err.field, "tnt__affected_users");
    assert_eq!(err.problem, Problem::WrongType { expected: "int".into(), found: "string".into() });
    assert_eq!(err.to_string(), "custom field `tnt__affected_users`: expected int, found string");

    let err = TicketFields::from_custom_fields(&map(json!({"tnt__impact": "urgent"}))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "custom field `tnt__impact`: `urgent` is not one of the allowed values (`low`, `high`)"
    );
    let err = TicketFields::from_custom_fields(&map(json!({"tnt__affected_users": 1}))).unwrap_err();
    assert_eq!((err.field.as_str(), err.problem), ("tnt__impact", Problem::Missing));
    // Unknown keys, and fields of other fragments, are ignored.
    let fields = TicketFields::from_custom_fields(&map(json!({"tnt__impact": "low", "tnt__new": 1, "ctype__x": 2})));
    assert_eq!(fields.map(|f| f.impact), Ok(Impact::Low));
}

#[test]
fn the_fragment_is_the_schemas_custom_set_request() {
    assert_eq!(
        TicketFields::fragment().to_json(),
        json!({
            "type": "tenant_fragment",
            "leaf_type": "ticket",
            "description": "The tenant fields of `ticket`.",
            "fields": [
                {"name": "impact", "field_type": "enum", "allowed_values": ["low", "high"], "is_required": true,
                 "is_filterable": true},
                {"name": "affected_users", "field_type": "int"},
                {"name": "regions", "field_type": "array", "base_type": "text", "is_filterable": true},
                {"name": "due", "field_type": "date"},
                {"name": "first_seen", "field_type": "timestamp"},
                {"name": "related", "field_type": "id"},
                {"name": "ratio", "field_type": "double"},
                {"name": "escalated", "field_type": "bool"},
            ]
        })
    );
    assert_eq!(
        OutageFields::fragment().deleted_fields(["old"]).to_json(),
        json!({
            "type": "custom_type_fragment",
            "leaf_type": "ticket",
            "description": "The fields of the `outage` subtype of `ticket`.",
            "subtype": "outage",
            "subtype_display_name": "outage",
            "fields": [{"name": "region", "field_type": "text", "is_required": true}],
            "deleted_fields": ["old"],
        })
    );
}

#[tokio::test]
async fn the_exact_request_on_the_wire() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/works.create"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"work": {
            "type": "ticket", "id": "don:core:dvrv-us-1:devo/1:ticket/1", "title": "t", "owned_by": [],
            "custom_fields": {"tnt__impact": "low", "tnt__added_later": [1]}
        }})))
        .mount(&mock)
        .await;
    let client = client(mock.uri(), "t0ken");
    let fields = TicketFields {
        impact: Impact::Low,
        affected_users: Some(3),
        region_list: None,
        due: None,
        first_seen: None,
        related: None,
        ratio: None,
        escalated: None,
    };
    let work = WorksCreateRequest::new("PROD-1", ["DEVU-1"], "t", WorksCreateRequestTicket::new())
        .custom(&fields)
        .send(&client)
        .await
        .unwrap()
        .work;
    let body: Value = serde_json::from_slice(&mock.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(body["custom_fields"], json!({"tnt__impact": "low", "tnt__affected_users": 3}));
    assert_eq!(body["custom_schema_spec"], json!({"tenant_fragment": true}));
    assert_eq!(work.custom::<TicketFields>().map(|f| f.impact), Ok(Impact::Low));
}

// ---------------------------------------------------------------------------
// The rules live in the server's engine: after the token, the rate limit and
// the request log, like every other rule; lists filter before paging.

async fn me(client: &Client) -> String {
    devrev::dev_users::DevUsersSelfRequest::new().send(client).await.unwrap().dev_user.id
}

/// A ticket with `fields`, its ID.
async fn ticket(client: &Client, part: &str, me: &str, fields: &TicketFields) -> String {
    let work = WorksCreateRequest::new(part, [me], "t", WorksCreateRequestTicket::new())
        .custom(fields)
        .send(client)
        .await
        .unwrap()
        .work;
    id_of(&work)
}

fn bad_impact() -> Map<String, Value> {
    Map::from_iter([("tnt__impact".to_owned(), json!("urgent"))])
}

#[tokio::test]
async fn a_bad_token_is_401_before_any_custom_field_is_checked() {
    let (server, client) = server().await;
    TicketFields::fragment().send(&client).await.unwrap();
    AccountFields::fragment().send(&client).await.unwrap();
    let part = part(&client).await;
    let me = me(&client).await;
    let intruder = self::client(server.base_url(), "not-a-token");

    // The same request, with the server's token: the typed 400.
    let create = WorksCreateRequest::new(part, [me], "t", WorksCreateRequestTicket::new()).custom_fields(bad_impact());
    let err = create.clone().send(&client).await.expect_err("refused");
    assert_eq!(customization(&err), ("enum_out_of_range".to_owned(), Some("tnt__impact".to_owned())));
    // With a token the server does not know: 401 `unauthenticated`, the field never looked at.
    let err = create.send(&intruder).await.expect_err("refused");
    assert_eq!((err.status(), err.error_type()), (Some(401), Some("unauthenticated")));
    // Accounts (served apart from the engine) and fragments: the same order.
    let account = devrev::accounts::AccountsCreateRequest::new("Acme").custom_fields(bad_impact());
    let err = account.send(&intruder).await.expect_err("refused");
    assert_eq!(err.status(), Some(401));
    let err = TicketFields::fragment().send(&intruder).await.expect_err("refused");
    assert_eq!(err.status(), Some(401));

    // Each of them is in the request log, with the status it got.
    let statuses: Vec<Option<u16>> = server.requests_for("works.create").iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Some(400), Some(401)]);
    assert_eq!(server.requests_for("accounts.create").last().and_then(|r| r.status), Some(401));
}

#[tokio::test]
async fn custom_field_requests_meet_faults_and_the_rate_limit_like_any_other() {
    use devrev_testkit::Fault;
    let (server, client) = server().await;
    let part = part(&client).await;
    let me = me(&client).await;
    let create = WorksCreateRequest::new(part, [me], "t", WorksCreateRequestTicket::new()).custom_fields(bad_impact());

    // A fault on `schemas.custom.set` answers in its place: no fragment is stored,
    // so the ticket's fields are still free-form.
    server.inject("/schemas.custom.set", Fault::status(503).times(1));
    let err = TicketFields::fragment().send(&client).await.expect_err("the fault");
    assert_eq!(err.status(), Some(503));
    create.clone().send(&client).await.expect("free-form: no fragment was stored");
    TicketFields::fragment().send(&client).await.unwrap();

    // A fault on `works.create` answers before the field check.
    server.inject("/works.create", Fault::status(500).times(1));
    assert_eq!(create.clone().send(&client).await.expect_err("the fault").status(), Some(500));
    assert_eq!(create.clone().send(&client).await.expect_err("refused").status(), Some(400));
    let statuses: Vec<Option<u16>> = server.requests_for("works.create").iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Some(201), Some(500), Some(400)]);

    // The rate limit, too: one request in the window, then 429 before the check.
    let limited = TestServer::builder().rate_limit(1, std::time::Duration::from_secs(300)).start().await.unwrap();
    let client = self::client(limited.base_url(), limited.token());
    TicketFields::fragment().send(&client).await.unwrap();
    // A client that has not read the limit's headers yet (this one would wait for the window).
    let fresh = self::client(limited.base_url(), limited.token());
    let err = create.send(&fresh).await.expect_err("throttled");
    assert_eq!((err.status(), err.error_type()), (Some(429), Some("too_many_requests")), "{err:?}");
    assert_eq!(limited.rate_limited_count(), 1);
    assert_eq!(limited.requests_for("works.create")[0].status, Some(429));
}

#[tokio::test]
async fn a_filtered_list_pages_through_every_match_exactly_once() {
    let (_server, client) = server().await;
    TicketFields::fragment().send(&client).await.unwrap();
    let part = part(&client).await;
    let me = me(&client).await;
    // 40 tickets, every third in `eu`: the matches are spread over what a page of the whole list holds.
    let mut expected = Vec::new();
    for i in 0..40 {
        let region = if i % 3 == 2 { "eu" } else { "us" };
        let fields = TicketFields { region_list: Some(vec![region.into()]), ..ticket_fields() };
        let id = ticket(&client, &part, &me, &fields).await;
        if region == "eu" {
            expected.push(id);
        }
    }
    assert_eq!(expected.len(), 13);
    let eu = Map::from_iter([("tnt__regions".to_owned(), json!(["eu"]))]);

    // Pages of 4: every page full but the last, the cursors end, each match once, in order.
    let mut pages = WorksListRequest::new().custom_fields(eu.clone()).limit(4).pages(&client);
    let (mut seen, mut sizes) = (Vec::new(), Vec::new());
    while let Some(page) = pages.try_next().await.unwrap() {
        sizes.push(page.works.len());
        seen.extend(page.works.iter().map(id_of));
    }
    assert_eq!(sizes, vec![4, 4, 4, 1]);
    assert_eq!(seen, expected);

    // The query-string form of the same list (`custom_fields.tnt__regions=eu`).
    let mut items = devrev::works::WorksListQueryRequest::new().custom_fields(eu).limit(5).items(&client);
    let mut got = Vec::new();
    while let Some(work) = items.try_next().await.unwrap() {
        got.push(id_of(&work));
    }
    assert_eq!(got, expected);

    // A filter on a field no fragment declares: the typed 400, naming it.
    let typo = Map::from_iter([("tnt__region".to_owned(), json!(["eu"]))]);
    let err = WorksListRequest::new().custom_fields(typo).send(&client).await.expect_err("refused");
    assert_eq!(customization(&err), ("field_not_in_schema".to_owned(), Some("tnt__region".to_owned())));
}

#[tokio::test]
async fn a_patch_clears_a_field_on_the_wire_and_on_the_stored_object() {
    use devrev::custom_fields::Patch;
    let (server, client) = server().await;
    TicketFields::fragment().send(&client).await.unwrap();
    let part = part(&client).await;
    let me = me(&client).await;
    let id = ticket(&client, &part, &me, &ticket_fields()).await;

    let patch = Patch::<TicketFields>::new().clear("affected_users").unwrap().clear("tnt__due").unwrap();
    let request = WorksUpdateRequest::new(id.clone(), WorksUpdateRequestTicket::new()).custom(&patch);
    let updated = request.send(&client).await.unwrap().work;
    let sent = server.requests_for("works.update").pop().and_then(|r| r.body).unwrap();
    assert_eq!(sent["custom_fields"], json!({"tnt__affected_users": null, "tnt__due": null}));
    let expected = TicketFields { affected_users: None, due: None, ..ticket_fields() };
    assert_eq!(updated.custom::<TicketFields>(), Ok(expected.clone()));
    let stored = WorksGetQueryRequest::new(id.clone()).send(&client).await.unwrap().work;
    assert_eq!(stored.custom::<TicketFields>(), Ok(expected.clone()));
    let Work::Ticket(t) = &stored else { panic!("a ticket") };
    assert!(!t.custom_fields.as_ref().unwrap().contains_key("tnt__affected_users"), "cleared, not kept as null");

    // Set and clear in one update; `None` is still "not sent".
    let set = TicketFields { impact: Impact::Low, ..expected.clone() };
    let set = TicketFields { region_list: None, ratio: None, ..set };
    let patch = Patch::set(set).clear("ratio").unwrap();
    let request = WorksUpdateRequest::new(id.clone(), WorksUpdateRequestTicket::new()).custom(&patch);
    let body = request.custom_fields.clone().unwrap();
    assert_eq!(body.get("tnt__ratio"), Some(&Value::Null));
    assert!(!body.contains_key("tnt__regions"), "None is not sent");
    let updated = request.send(&client).await.unwrap().work.custom::<TicketFields>().unwrap();
    assert_eq!(updated, TicketFields { impact: Impact::Low, ratio: None, ..expected });

    // A required field cannot be cleared: on the client, and on the server (a raw map).
    let err = Patch::<TicketFields>::new().clear("impact").unwrap_err();
    assert_eq!((err.field.as_str(), err.problem), ("tnt__impact", Problem::CannotClearRequired));
    assert_eq!(Patch::<TicketFields>::new().clear("nope").unwrap_err().problem, Problem::NoSuchField);
    let err = WorksUpdateRequest::new(id.clone(), WorksUpdateRequestTicket::new())
        .custom_fields(Map::from_iter([("tnt__impact".to_owned(), Value::Null)]))
        .send(&client)
        .await
        .expect_err("refused");
    assert_eq!(customization(&err), ("field_required".to_owned(), Some("tnt__impact".to_owned())));
    // Clearing a field no fragment declares is no clearing: the field is unknown.
    let err = WorksUpdateRequest::new(id, WorksUpdateRequestTicket::new())
        .custom_fields(Map::from_iter([("tnt__nope".to_owned(), Value::Null)]))
        .send(&client)
        .await
        .expect_err("refused");
    assert_eq!(customization(&err), ("field_not_in_schema".to_owned(), Some("tnt__nope".to_owned())));

    // Accounts, the same way.
    AccountFields::fragment().send(&client).await.unwrap();
    let account = devrev::accounts::AccountsCreateRequest::new("Acme")
        .custom(&AccountFields { tier: "gold".into(), seats: Some(40) })
        .send(&client)
        .await
        .unwrap()
        .account;
    let cleared = devrev::accounts::AccountsUpdateRequest::new(account.id.clone())
        .custom(&Patch::<AccountFields>::new().clear("seats").unwrap())
        .send(&client)
        .await
        .unwrap()
        .account;
    assert_eq!(cleared.custom::<AccountFields>(), Ok(AccountFields { tier: "gold".into(), seats: None }));
    let err = devrev::accounts::AccountsUpdateRequest::new(account.id)
        .custom_fields(Map::from_iter([("tnt__tier".to_owned(), Value::Null)]))
        .send(&client)
        .await
        .expect_err("refused");
    assert_eq!(customization(&err), ("field_required".to_owned(), Some("tnt__tier".to_owned())));
}

#[derive(Debug, Clone, PartialEq, devrev::CustomFields)]
#[custom(leaf = "rev_org")]
struct OrgFields {
    #[custom(filterable)]
    tier: String,
    #[custom(filterable)]
    seats: Option<i64>,
}

/// A `GET` with a raw query string, as `curl` sends it: the status and the JSON body.
async fn raw_get(server: &TestServer, path_and_query: &str) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let request = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        server.token()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    // The body may come chunked: the JSON is between the first `{` and the last `}`.
    let json = match (body.find('{'), body.rfind('}')) {
        (Some(start), Some(end)) => serde_json::from_str(&body[start..=end]).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    (status, json)
}

#[tokio::test]
async fn rev_orgs_filter_on_custom_fields_in_every_form() {
    use devrev::rev_orgs::{RevOrgsCreateRequest, RevOrgsListQueryRequest, RevOrgsListRequest};
    let (server, client) = server().await;
    OrgFields::fragment().send(&client).await.unwrap();
    let account = devrev::accounts::AccountsCreateRequest::new("Acme").send(&client).await.unwrap().account.id;
    let mut ids = Vec::new();
    for (name, tier, seats) in
        [("A", "gold", Some(40)), ("B", "silver", Some(5)), ("C", "bronze", None), ("D", "gold", None)]
    {
        let org = RevOrgsCreateRequest::new(account.clone(), name)
            .custom(&OrgFields { tier: tier.into(), seats })
            .send(&client)
            .await
            .unwrap()
            .rev_org;
        assert_eq!(org.custom::<OrgFields>(), Ok(OrgFields { tier: tier.into(), seats }));
        ids.push(org.id);
    }
    let names = |orgs: &[devrev::models::RevOrg]| {
        orgs.iter().map(|o| o.display_name.clone().unwrap_or_default()).collect::<Vec<_>>()
    };
    let filter = |f: &[&str]| f.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();

    // POST: `custom_field_filter` strings, one field each, values comma-separated; every filter must hold.
    let post = |f: &[&str]| RevOrgsListRequest::new().custom_field_filter(filter(f));
    let orgs = post(&["tnt__tier:gold,silver"]).send(&client).await.unwrap().rev_orgs;
    assert_eq!(names(&orgs), ["A", "B", "D"]);
    let orgs = post(&["tnt__tier:gold,silver", "tnt__seats:40"]).send(&client).await.unwrap().rev_orgs;
    assert_eq!(names(&orgs), ["A"]);
    // GET, as this client sends it (one parameter per filter, its commas encoded).
    let get = RevOrgsListQueryRequest::new().custom_field_filter(filter(&["tnt__tier:gold,bronze"]));
    assert_eq!(names(&get.send(&client).await.unwrap().rev_orgs), ["A", "C", "D"]);
    // GET, as DevRev documents it (`custom_field_filter=name:v1,v2&custom_field_filter=...`).
    let (status, body) =
        raw_get(&server, "/rev-orgs.list?custom_field_filter=tnt__tier:gold,silver&custom_field_filter=tnt__seats:5")
            .await;
    assert_eq!(status, 200, "{body}");
    let listed: Vec<&str> =
        body["rev_orgs"].as_array().unwrap().iter().map(|o| o["display_name"].as_str().unwrap()).collect();
    assert_eq!(listed, ["B"]);
    // `custom_fields`, in the body and in the query string.
    let by_map = RevOrgsListRequest::new().custom_fields(Map::from_iter([("tnt__tier".to_owned(), json!(["gold"]))]));
    assert_eq!(names(&by_map.send(&client).await.unwrap().rev_orgs), ["A", "D"]);
    let (status, body) = raw_get(&server, "/rev-orgs.list?custom_fields.tnt__seats=40").await;
    assert_eq!((status, body["rev_orgs"].as_array().map(Vec::len)), (200, Some(1)), "{body}");

    // Filtered before paging: pages of one hold one match each, and end.
    let mut pages = post(&["tnt__tier:gold"]).limit(1).pages(&client);
    let mut seen = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        assert_eq!(page.rev_orgs.len(), 1);
        seen.extend(names(&page.rev_orgs));
    }
    assert_eq!(seen, ["A", "D"]);

    // A field no fragment declares, in either form: the typed 400 naming it.
    let err = post(&["tnt__region:emea"]).send(&client).await.expect_err("refused");
    assert_eq!(customization(&err), ("field_not_in_schema".to_owned(), Some("tnt__region".to_owned())));
    let (status, body) = raw_get(&server, "/rev-orgs.list?custom_field_filter=tnt__tiers:gold").await;
    assert_eq!((status, body["field_name"].as_str()), (400, Some("tnt__tiers")), "{body}");
    // A filter string that names no field.
    let err = post(&["gold"]).send(&client).await.expect_err("refused");
    assert_eq!((err.status(), err.error_type()), (Some(400), Some("bad_request")));
    drop(ids);
}
