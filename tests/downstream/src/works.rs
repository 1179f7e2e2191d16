//! `GET /works.get`: one work item by ID, with this crate's own error body.
//!
//! `error = WorksError` replaces DevRev's default error model for this
//! endpoint: an error answer decodes into [`WorksError`], which callers read
//! back with `err.api().and_then(|api| api.body::<WorksError>())`.

use std::time::Duration;

use devrev::models::UserSummary;
use serde::{Deserialize, Serialize};

/// Reads a work item (issue, ticket, task or opportunity): `GET /works.get?id=...`.
// The attribute written by path: no `use` needed.
#[devrev::devrev_endpoint(GET, "/works.get", error = WorksError)]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorksGetRequest {
    /// The work's ID: a DON ID or a display ID such as `ISS-42`.
    pub id: String,
}

impl WorksGetRequest {
    /// A request for the work with this ID.
    pub fn new(id: impl Into<String>) -> Self {
        WorksGetRequest { id: id.into() }
    }
}

/// The answer of `works.get`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WorksGetResponse {
    /// The work item.
    pub work: Work,
}

/// A work item, tagged on `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Work {
    /// An issue: engineering work.
    Issue(Issue),
    /// A ticket: a customer's request.
    Ticket(Ticket),
    /// A type this crate does not read (`task`, `opportunity`, or a new one).
    #[serde(other)]
    Other,
}

/// The fields of an issue this crate reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Issue {
    /// The DON ID.
    pub id: String,
    /// The short ID, such as `ISS-42`.
    pub display_id: Option<String>,
    /// The title.
    pub title: String,
    /// Who owns it.
    #[serde(default)]
    pub owned_by: Vec<UserSummary>,
    /// The priority, such as `p1`.
    pub priority: Option<String>,
    /// The stage it is in.
    pub stage: Option<Stage>,
}

/// The fields of a ticket this crate reads.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ticket {
    /// The DON ID.
    pub id: String,
    /// The short ID, such as `TKT-7`.
    pub display_id: Option<String>,
    /// The title.
    pub title: String,
    /// The severity, such as `high`.
    pub severity: Option<String>,
}

/// A work item's stage.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Stage {
    /// The stage's name, such as `triage`.
    pub name: String,
}

/// This crate's view of an error answer from `works.get`.
///
/// It keeps what it needs and lends it to `devrev::Error`'s query methods
/// (`error_type`, `message`, `retry_after`) through [`devrev::ErrorBody`], so
/// the retry policy honours a `retry_after` in the body too.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WorksError {
    /// The wire `type`, such as `not_found`.
    #[serde(rename = "type")]
    pub error_type: String,
    /// The message.
    pub message: Option<String>,
    /// The field at fault, for the errors that name one.
    pub field_name: Option<String>,
    /// Seconds to wait before trying again (429).
    pub retry_after: Option<u64>,
}

impl devrev::ErrorBody for WorksError {
    fn error_type(&self) -> Option<&str> {
        Some(&self.error_type)
    }

    fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    fn retry_after(&self) -> Option<Duration> {
        self.retry_after.map(Duration::from_secs)
    }
}
