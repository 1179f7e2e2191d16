//! Nullable fields of update requests: DevRev clears a field when an update
//! sends it as `null`, so the generated requests can send an explicit `null`
//! (`clear_<field>()`), a value, or nothing, and each goes on the wire as such.

use chrono::{TimeZone, Utc};
use devrev::models::WorksUpdateRequestIssue;
use devrev::works::WorksUpdateRequest;
use devrev::{Client, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn clearing_sends_null_setting_sends_the_value_and_untouched_fields_stay_off_the_wire() {
    let server = MockServer::start().await;
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    Mock::given(method("POST"))
        .and(path("/works.update"))
        .and(body_json(json!({
            "id": "ISS-1",
            "type": "issue",
            "sprint": null,
            "target_start_date": "2026-01-05T09:00:00Z",
            "target_close_date": null,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "work": {"id": "don:core:dvrv-us-1:devo/1:issue/1", "type": "issue", "title": "t",
                     "owned_by": [], "stage": {"name": "triage"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder().token("t").base_url(server.uri()).retry_policy(RetryPolicy::none()).build().unwrap();

    let request =
        WorksUpdateRequest::new("ISS-1", WorksUpdateRequestIssue::new().clear_sprint().target_start_date(start))
            .clear_target_close_date();
    assert_eq!(request.target_close_date, Some(None));
    request.send(&client).await.unwrap();
}

#[test]
fn a_later_setter_replaces_a_clear_and_the_other_way_round() {
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let set = WorksUpdateRequestIssue::new().clear_target_start_date().target_start_date(start);
    assert_eq!(serde_json::to_value(&set).unwrap(), json!({"target_start_date": "2026-01-05T09:00:00Z"}));
    let cleared = WorksUpdateRequestIssue::new().target_start_date(start).clear_target_start_date();
    assert_eq!(serde_json::to_value(&cleared).unwrap(), json!({"target_start_date": null}));
    assert_eq!(serde_json::to_value(WorksUpdateRequestIssue::new()).unwrap(), json!({}));
}
