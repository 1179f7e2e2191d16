//! The rev org: a customer workspace inside an account.

use serde::{Deserialize, Serialize};

use super::{AccountSummary, ArtifactSummary, CustomFields, OrgSummary, TagWithValue, Timestamp, UserSummary};

string_enum! {
    /// The environment of an org. DevRev assumes `production` when none is given.
    pub enum OrgEnvironment {
        /// `production`
        Production = "production",
        /// `staging`
        Staging = "staging",
        /// `test`
        Test = "test",
    }
}

/// A rev org: a customer workspace inside an [account](AccountSummary).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RevOrg {
    /// The ID, in DON form (`don:identity:dvrv-us-1:devo/0:revo/AbCdEfGh`).
    pub id: String,
    /// The human-readable ID (`REV-AbCdEfGh`).
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
    /// The account it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountSummary>,
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
    /// The company's domain name. Deprecated by DevRev.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Its ID in the customer's system of record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// The primary org.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_rev_org: Option<OrgSummary>,
    /// The ID of its stock schema fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_schema_fragment: Option<String>,
    /// Its subtype.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// Its tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<TagWithValue>>,
}
