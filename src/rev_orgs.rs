//! The rev-orgs family: customer workspaces inside an account.
//!
//! | endpoint | request | answer |
//! | --- | --- | --- |
//! | `rev-orgs.create` | [`RevOrgsCreateRequest`] | [`RevOrgsCreateResponse`] |
//! | `rev-orgs.get` | [`RevOrgsGetRequest`] (`GET`), [`RevOrgsGetPostRequest`] (`POST`) | [`RevOrgsGetResponse`] |
//! | `rev-orgs.list` | [`RevOrgsListRequest`] (`GET`), [`RevOrgsListPostRequest`] (`POST`) | [`RevOrgsListResponse`] |
//! | `rev-orgs.update` | [`RevOrgsUpdateRequest`] | [`RevOrgsUpdateResponse`] |
//! | `rev-orgs.delete` | [`RevOrgsDeleteRequest`] | [`RevOrgsDeleteResponse`] |
//!
//! The reads exist twice, with the same fields: the `GET` form sends them in
//! the query string, the `POST` form as a JSON body (handy when the filters
//! are long). Both are retried as idempotent, and both list forms stream
//! with `pages` and `items`.

use serde::{Deserialize, Serialize};

use crate::devrev_endpoint;
use crate::models::{CustomFields, DateTimeFilter, ListMode, OrgEnvironment, RevOrg, SetTagWithValue, SetValues};
use crate::query::Repeated;
use crate::Page;

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

get_and_post! {
    /// Fetches one rev org, by its ID or as the default rev org of an
    /// account: `GET /rev-orgs.get`, the fields in the query string.
    ///
    /// ```no_run
    /// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
    /// use devrev::rev_orgs::RevOrgsGetRequest;
    ///
    /// let org = RevOrgsGetRequest::by_id("REV-AbCdEfGh").send(client).await?.rev_org;
    /// let default_org = RevOrgsGetRequest::by_account("ACC-12345").send(client).await?.rev_org;
    /// # Ok(()) }
    /// ```
    #[devrev_endpoint(GET, "/rev-orgs.get")]
    get RevOrgsGetRequest,
    /// Fetches one rev org like [`RevOrgsGetRequest`], with the fields in a
    /// JSON body: `POST /rev-orgs.get`.
    #[devrev_endpoint(POST, "/rev-orgs.get", response = RevOrgsGetResponse, idempotent)]
    post RevOrgsGetPostRequest,
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
    #[non_exhaustive]
    fields {
        /// The account whose default rev org is wanted (`ACC-...` or its DON
        /// ID); used when `id` is absent.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub account: Option<String>,
        /// The rev org wanted (`REV-...` or its DON ID).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
    }
    impl {
        /// A request naming no rev org yet: set `id` or `account`.
        pub fn new() -> Self {
            Self::default()
        }

        /// The rev org with this ID.
        pub fn by_id(id: impl Into<String>) -> Self {
            Self::default().id(id)
        }

        /// The default rev org of this account.
        pub fn by_account(account: impl Into<String>) -> Self {
            Self::default().account(account)
        }

        setters! {
            /// Sets the account whose default rev org is wanted.
            account: String,
            /// Sets the rev org's ID.
            id: String,
        }
    }
}

/// The answer of `rev-orgs.get`: the rev org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RevOrgsGetResponse {
    /// The rev org.
    pub rev_org: RevOrg,
}

get_and_post! {
    /// Lists rev orgs, filtered, one page at a time: `GET /rev-orgs.list`,
    /// the fields in the query string.
    ///
    /// Every filter is optional; several values in one filter match any of
    /// them, several filters must all match. `send` fetches one page;
    /// `items` streams every rev org, following `next_cursor`:
    ///
    /// ```no_run
    /// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
    /// use chrono::{TimeZone, Utc};
    /// use devrev::models::DateTimeFilter;
    /// use devrev::rev_orgs::RevOrgsListRequest;
    /// use futures_util::TryStreamExt;
    ///
    /// let since = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    /// let request = RevOrgsListRequest::new()
    ///     .account(["ACC-12345"])
    ///     .created_date(DateTimeFilter::new().after(since))
    ///     .limit(100);
    /// let mut orgs = request.items(client);
    /// while let Some(org) = orgs.try_next().await? {
    ///     println!("{}", org.display_name.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    #[devrev_endpoint(GET, "/rev-orgs.list", paginate)]
    get RevOrgsListRequest,
    /// Lists rev orgs like [`RevOrgsListRequest`], with the fields in a JSON
    /// body: `POST /rev-orgs.list`.
    #[devrev_endpoint(POST, "/rev-orgs.list", response = RevOrgsListResponse, idempotent, paginate)]
    post RevOrgsListPostRequest,
    #[derive(Debug, Clone, PartialEq, Default, Serialize)]
    #[non_exhaustive]
    fields {
        /// Only rev orgs of these accounts (`ACC-...` or DON IDs).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub account: Option<Vec<String>>,
        /// Only rev orgs created by these users.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub created_by: Option<Vec<String>>,
        /// Only rev orgs created in this range (`created_date.after` and
        /// `created_date.before` in a query string).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub created_date: Option<DateTimeFilter>,
        /// Where to start: a `next_cursor` (or `prev_cursor`) of an earlier
        /// page; absent starts at the beginning.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub cursor: Option<String>,
        /// Custom field filters, each `field_name:value1,value2`. In a query
        /// string each filter is its own parameter, since its values hold
        /// commas.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub custom_field_filter: Option<Repeated<String>>,
        /// Filters on custom fields, by field name (dotted names in a query
        /// string: `custom_fields.tier_code=gold`).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub custom_fields: Option<CustomFields>,
        /// Only rev orgs with one of these names.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub display_name: Option<Vec<String>>,
        /// Only rev orgs with one of these external references.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub external_ref: Option<Vec<String>>,
        /// The most rev orgs one page holds.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub limit: Option<u32>,
        /// Which way to page from the cursor; DevRev assumes `after`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub mode: Option<ListMode>,
        /// Only rev orgs last changed in this range.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub modified_date: Option<DateTimeFilter>,
        /// The sort order: field names, each optionally followed by `:asc`
        /// or `:desc` (`created_date:desc`).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub sort_by: Option<Vec<String>>,
        /// Only rev orgs with these tags.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tags: Option<Vec<String>>,
    }
    impl {
        /// A request for every rev org, in DevRev's default page size.
        pub fn new() -> Self {
            Self::default()
        }

        /// Sets the page size.
        #[must_use]
        pub fn limit(mut self, limit: u32) -> Self {
            self.limit = Some(limit);
            self
        }

        setters! {
            /// Sets the accounts to match.
            list account: String,
            /// Sets the creators to match.
            list created_by: String,
            /// Sets the creation range.
            created_date: DateTimeFilter,
            /// Sets the cursor to start from.
            cursor: String,
            /// Sets the custom field filters, each `field_name:value1,value2`.
            list custom_field_filter: String,
            /// Sets the custom field filters by name.
            custom_fields: CustomFields,
            /// Sets the names to match.
            list display_name: String,
            /// Sets the external references to match.
            list external_ref: String,
            /// Sets the paging direction.
            mode: ListMode,
            /// Sets the last-change range.
            modified_date: DateTimeFilter,
            /// Sets the sort order.
            list sort_by: String,
            /// Sets the tags to match.
            list tags: String,
        }
    }
}

/// A page of `rev-orgs.list`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Page)]
#[non_exhaustive]
pub struct RevOrgsListResponse {
    /// The rev orgs on this page.
    #[serde(default)]
    pub rev_orgs: Vec<RevOrg>,
    /// The cursor of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The cursor of the previous page; absent on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
}

/// Changes a rev org: `POST /rev-orgs.update`. Fields left unset stay as
/// they are.
///
/// ```no_run
/// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
/// use devrev::rev_orgs::RevOrgsUpdateRequest;
///
/// let updated = RevOrgsUpdateRequest::new("REV-AbCdEfGh")
///     .display_name("Acme Production")
///     .artifacts(["ARTIFACT-12"])
///     .send(client)
///     .await?;
/// # Ok(()) }
/// ```
#[devrev_endpoint(POST, "/rev-orgs.update")]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RevOrgsUpdateRequest {
    /// Moves the rev org to another account. Deprecated by DevRev.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Replaces the attached artifacts: `{"set": [...]}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<SetValues>,
    /// The IDs of custom schema fragments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_schema_fragments: Option<Vec<String>>,
    /// The new description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The company's domain name. Deprecated by DevRev.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The new environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<OrgEnvironment>,
    /// The new external reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// The rev org to change (`REV-...` or its DON ID).
    pub id: String,
    /// The tags to set, each with an optional value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<SetTagWithValue>>,
    /// The new tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

impl RevOrgsUpdateRequest {
    /// A request that changes nothing yet on the rev org `id`.
    pub fn new(id: impl Into<String>) -> Self {
        RevOrgsUpdateRequest {
            account: None,
            artifacts: None,
            custom_schema_fragments: None,
            description: None,
            display_name: None,
            domain: None,
            environment: None,
            external_ref: None,
            id: id.into(),
            tags: None,
            tier: None,
        }
    }

    /// Replaces the attached artifacts with these, by ID; an empty list
    /// detaches them all.
    #[must_use]
    pub fn artifacts<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.artifacts = Some(SetValues::new(ids));
        self
    }

    setters! {
        /// Sets the custom schema fragments, by ID.
        list custom_schema_fragments: String,
        /// Sets the description.
        description: String,
        /// Sets the name.
        display_name: String,
        /// Sets the environment.
        environment: OrgEnvironment,
        /// Sets the external reference.
        external_ref: String,
        /// Sets the tags.
        list tags: SetTagWithValue,
        /// Sets the tier.
        tier: String,
    }

    /// Moves the rev org to another account.
    #[deprecated(note = "DevRev deprecated `account` on rev-orgs.update")]
    #[must_use]
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Sets the company's domain name.
    #[deprecated(note = "DevRev deprecated `domain` on rev orgs")]
    #[must_use]
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }
}

/// The answer of `rev-orgs.update`: the rev org as changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RevOrgsUpdateResponse {
    /// The rev org as changed.
    pub rev_org: RevOrg,
}

/// Deletes a rev org: `POST /rev-orgs.delete`.
///
/// ```no_run
/// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
/// devrev::rev_orgs::RevOrgsDeleteRequest::new("REV-AbCdEfGh").send(client).await?;
/// # Ok(()) }
/// ```
#[devrev_endpoint(POST, "/rev-orgs.delete")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RevOrgsDeleteRequest {
    /// The rev org to delete (`REV-...` or its DON ID).
    pub id: String,
}

impl RevOrgsDeleteRequest {
    /// Deletes the rev org `id`.
    pub fn new(id: impl Into<String>) -> Self {
        RevOrgsDeleteRequest { id: id.into() }
    }
}

/// The answer of `rev-orgs.delete`: nothing. DevRev may answer `{}` or an
/// empty body (204); both decode to this.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RevOrgsDeleteResponse {}
