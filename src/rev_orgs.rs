//! The rev-orgs family: customer workspaces inside an account.

use serde::{Deserialize, Serialize};

use crate::devrev_endpoint;
use crate::models::{CustomFields, OrgEnvironment, RevOrg, SetTagWithValue};

/// Creates a rev org in an account: `POST /rev-orgs.create`, answered with 201.
///
/// ```no_run
/// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
/// use devrev::models::OrgEnvironment;
/// use devrev::rev_orgs::RevOrgsCreateRequest;
///
/// let created = RevOrgsCreateRequest::new("ACC-12345", "Acme Staging")
///     .environment(OrgEnvironment::Staging)
///     .external_ref("acme-staging")
///     .send(client)
///     .await?;
/// println!("{}", created.rev_org.display_id.unwrap_or_default());
/// # Ok(()) }
/// ```
#[devrev_endpoint(POST, "/rev-orgs.create")]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RevOrgsCreateRequest {
    /// The account the rev org belongs to (`ACC-...` or its DON ID).
    pub account: String,
    /// The IDs of artifacts to attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Vec<String>>,
    /// Application-defined custom fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    /// The IDs of custom schema fragments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_schema_fragments: Option<Vec<String>>,
    /// A description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rev org's name.
    pub display_name: String,
    /// The company's domain name, such as `devrev.ai`. Deprecated by DevRev.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The environment; DevRev assumes `production` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<OrgEnvironment>,
    /// A unique ID of the org in the caller's own system of record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// Tags to set, each with an optional value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<SetTagWithValue>>,
    /// The rev org's tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

impl RevOrgsCreateRequest {
    /// A request with the two required fields; every other field is absent.
    pub fn new(account: impl Into<String>, display_name: impl Into<String>) -> Self {
        RevOrgsCreateRequest {
            account: account.into(),
            artifacts: None,
            custom_fields: None,
            custom_schema_fragments: None,
            description: None,
            display_name: display_name.into(),
            domain: None,
            environment: None,
            external_ref: None,
            tags: None,
            tier: None,
        }
    }

    setters! {
        /// Sets the artifacts to attach, by ID.
        list artifacts: String,
        /// Sets the custom fields.
        custom_fields: CustomFields,
        /// Sets the custom schema fragments, by ID.
        list custom_schema_fragments: String,
        /// Sets the description.
        description: String,
        /// Sets the environment.
        environment: OrgEnvironment,
        /// Sets the external reference.
        external_ref: String,
        /// Sets the tags.
        list tags: SetTagWithValue,
        /// Sets the tier.
        tier: String,
    }

    /// Sets the company's domain name.
    #[deprecated(note = "DevRev deprecated `domain` on rev orgs")]
    #[must_use]
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }
}

/// The answer of `rev-orgs.create`: the new rev org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RevOrgsCreateResponse {
    /// The rev org as created.
    pub rev_org: RevOrg,
}
