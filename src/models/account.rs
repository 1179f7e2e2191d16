//! The account: a customer company, which holds rev orgs.

use serde::{Deserialize, Serialize};

use super::{AccountSummary, ArtifactSummary, CustomFields, TagWithValue, Timestamp, UserSummary};

/// An account: a customer company. Its rev orgs are the company's
/// workspaces; creating an account also creates a default one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// The ID, in DON form (`don:identity:dvrv-us-1:devo/0:account/12345`).
    pub id: String,
    /// The human-readable ID (`ACC-12345`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_id: Option<String>,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<UserSummary>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
    /// Who changed it last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_by: Option<UserSummary>,
    /// When it was changed last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<Timestamp>,
    /// Its artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Vec<ArtifactSummary>>,
    /// Application-defined custom fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    /// The IDs of its custom schema fragments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_fragments: Option<Vec<String>>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The company's domain names, such as `example.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Its IDs in the customer's systems of record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_refs: Option<Vec<String>>,
    /// The users who own it. DevRev always sends the list; an answer
    /// without it decodes as empty.
    #[serde(default)]
    pub owned_by: Vec<UserSummary>,
    /// The primary account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_account: Option<AccountSummary>,
    /// The ID of its stock schema fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_schema_fragment: Option<String>,
    /// Its subtype.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// Its tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<TagWithValue>>,
    /// Its tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The company's websites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websites: Option<Vec<String>>,
}
