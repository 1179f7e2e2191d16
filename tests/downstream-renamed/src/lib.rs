//! Plays a downstream user of `devrev` that depends on it under another name,
//! `devrev2`. Every attribute says so with `crate = devrev2` (and
//! `#[page(crate = devrev2)]` on the derive); the generated code then names
//! `devrev2::__private` and never `::devrev`, which does not exist here.
//!
//! Between them the endpoints use every option of the attribute:
//! `response =`, `error =`, `crate =`, `idempotent`, `paginate`, `beta` and
//! `builder`.

use std::time::Duration;

use devrev2::devrev_endpoint;
use serde::{Deserialize, Serialize};

/// `GET /dev-users.self`, with a response type whose name is not inferred.
#[devrev_endpoint(GET, "/dev-users.self", response = Me, crate = devrev2)]
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct WhoAmI;

/// The answer of `dev-users.self`, reduced to what this crate reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Me {
    /// The authenticated Dev user.
    pub dev_user: MeUser,
}

/// The few fields of the Dev user this crate reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MeUser {
    /// The DON ID.
    pub id: String,
    /// The handle.
    pub display_name: Option<String>,
}

/// `POST /tags.list`: the body form of the listing, declared safe to retry
/// (it only reads), paginated, and with this crate's own error body.
#[devrev_endpoint(POST, "/tags.list", crate = devrev2, idempotent, paginate, error = TagsError)]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TagsListPostRequest {
    /// Where the page starts; set by the streams as they go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The most tags per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only tags with one of these names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<String>,
}

/// One page of `tags.list`.
#[derive(Debug, Clone, PartialEq, Deserialize, devrev2::Page)]
#[page(crate = devrev2)]
pub struct TagsListPostResponse {
    /// The tags on this page.
    pub tags: Vec<TagName>,
    /// The cursor of the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// A tag, reduced to its ID and name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TagName {
    /// The DON ID.
    pub id: String,
    /// The name.
    pub name: String,
}

/// `POST /tags.delete`: answered with an empty body.
#[devrev_endpoint(POST, "/tags.delete", crate = devrev2)]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagsDeleteRequest {
    /// The tag to delete.
    pub id: String,
}

/// The (empty) answer of `tags.delete`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TagsDeleteResponse {}

/// `POST /works.create`, a beta endpoint (`X-Devrev-Scope: beta`) built with
/// `new` and setters (`builder`).
#[devrev_endpoint(POST, "/works.create", crate = devrev2, beta, builder)]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorksCreateRequest {
    /// The work's type, `issue` or `ticket`.
    pub r#type: String,
    /// The title.
    pub title: String,
    /// Who owns it, by ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<Vec<String>>,
    /// The body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The answer of `works.create`, reduced to the new work's ID.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WorksCreateResponse {
    /// The new work.
    pub work: WorkId,
}

/// A work, reduced to its ID.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WorkId {
    /// The DON ID.
    pub id: String,
}

/// This crate's error body for `tags.list`: the type and message only.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TagsError {
    /// The wire `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The message.
    #[serde(default)]
    pub message: String,
    /// Seconds to wait before trying again (429).
    pub retry_after: Option<u64>,
}

impl devrev2::ErrorBody for TagsError {
    fn error_type(&self) -> Option<&str> {
        Some(&self.kind)
    }

    fn message(&self) -> Option<&str> {
        Some(&self.message)
    }

    fn retry_after(&self) -> Option<Duration> {
        self.retry_after.map(Duration::from_secs)
    }
}
