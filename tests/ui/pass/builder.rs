// `builder`: `new` takes the required fields (`impl Into<T>`, in declaration
// order), each `Option` field gets a setter, `Option<Vec<T>>` a list setter.
use devrev::{devrev_endpoint, Endpoint};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    pub name: String,
}

impl From<&str> for Stage {
    fn from(name: &str) -> Self {
        Stage { name: name.into() }
    }
}

/// Creates a work.
#[devrev_endpoint(POST, "/works.create", builder, beta)]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorksCreateRequest {
    /// The work's type.
    pub r#type: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub applies_to_part: String,
    /// Who owns it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: core::option::Option<Stage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[cfg(any())]
    pub never: Option<String>,
}

#[derive(Deserialize)]
pub struct WorksCreateResponse {}

// Every field optional: `new()` takes nothing.
#[devrev_endpoint(GET, "/works.list", builder, paginate, response = WorksListResponse)]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WorksList {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
    pub r#type: Option<Vec<String>>,
}

#[derive(Deserialize, devrev::Page)]
pub struct WorksListResponse {
    pub works: Vec<serde_json::Value>,
    pub next_cursor: Option<String>,
}

// A unit struct: `new()` is the value.
#[devrev_endpoint(GET, "/dev-users.self", builder, response = serde_json::Value)]
#[derive(Debug, PartialEq, Serialize)]
pub struct DevUsersSelfRequest;

// Generic and borrowed fields.
#[devrev_endpoint(POST, "/tags.create", builder, response = serde_json::Value)]
#[derive(Debug, Serialize)]
pub struct TagsCreate<'a, F: Serialize> {
    pub name: &'a str,
    pub fields: F,
    pub description: Option<&'a str>,
}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let _ = WorksCreateRequest::new("issue", "crash", "PROD-1").send(client).await?;
    let _ = WorksList::new().limit(10u32).items(client);
    let _ = DevUsersSelfRequest::new().send(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
    const { assert!(<WorksCreateRequest as Endpoint>::BETA) };

    let request = WorksCreateRequest::new("issue", String::from("crash"), "PROD-1")
        .body("it crashed")
        .owned_by(["DEVU-1", "DEVU-2"])
        .stage("triage")
        .priority(2u32);
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        serde_json::json!({
            "type": "issue",
            "title": "crash",
            "body": "it crashed",
            "applies_to_part": "PROD-1",
            "owned_by": ["DEVU-1", "DEVU-2"],
            "stage": {"name": "triage"},
            "priority": 2,
        })
    );
    let bare = WorksCreateRequest::new("issue", "crash", "PROD-1");
    assert_eq!((bare.body, bare.owned_by, bare.stage, bare.priority), (None, None, None, None));

    let list = WorksList::new().r#type(vec![String::from("issue")]).cursor("c1");
    assert_eq!(list, WorksList { cursor: Some("c1".into()), limit: None, r#type: Some(vec!["issue".into()]) });
    assert_eq!(WorksList::new(), WorksList::default());

    assert_eq!(DevUsersSelfRequest::new(), DevUsersSelfRequest);

    let tags = TagsCreate::new("vip", 7u8).description("important");
    assert_eq!((tags.name, tags.fields, tags.description), ("vip", 7u8, Some("important")));
}
