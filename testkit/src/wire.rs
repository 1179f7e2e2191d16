//! The server's own wire structs: what it sends, written from DevRev's
//! object shapes independently of the client's models, so a mistake in one
//! cannot hide in the other.

use serde::Serialize;
use serde_json::{Map, Value};

/// A user summary, tagged on `type` (this server only has dev users).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UserSummary {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) id: String,
    pub(crate) display_id: String,
    pub(crate) display_name: String,
    pub(crate) email: String,
    pub(crate) full_name: String,
    pub(crate) state: &'static str,
}

/// An account or rev org embedded in another object.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OrgRef {
    pub(crate) id: String,
    pub(crate) display_id: String,
    pub(crate) display_name: String,
}

/// An artifact embedded in an object: only its ID is known here.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ArtifactRef {
    pub(crate) id: String,
}

/// A tag embedded in an object.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TagRef {
    pub(crate) id: String,
    /// The server keeps no tag objects; a tag's name is its ID.
    pub(crate) name: String,
}

/// A tag on an object, with its value.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TagWithValue {
    pub(crate) tag: TagRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<String>,
}

/// A rev org as DevRev sends it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RevOrg {
    pub(crate) id: String,
    pub(crate) display_id: String,
    pub(crate) display_name: String,
    pub(crate) created_by: UserSummary,
    pub(crate) created_date: String,
    pub(crate) modified_by: UserSummary,
    pub(crate) modified_date: String,
    pub(crate) account: OrgRef,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) artifacts: Vec<ArtifactRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) custom_fields: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) custom_schema_fragments: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) external_ref: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) tags: Vec<TagWithValue>,
}

/// An account as DevRev sends it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) display_id: String,
    pub(crate) display_name: String,
    pub(crate) created_by: UserSummary,
    pub(crate) created_date: String,
    pub(crate) modified_by: UserSummary,
    pub(crate) modified_date: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) artifacts: Vec<ArtifactRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) custom_fields: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) custom_schema_fragments: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) domains: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) external_refs: Vec<String>,
    /// Always present: DevRev requires it on accounts.
    pub(crate) owned_by: Vec<UserSummary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) tags: Vec<TagWithValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) websites: Vec<String>,
}
