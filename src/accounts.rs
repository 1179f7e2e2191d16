//! The accounts family: customer companies, each holding rev orgs.
//!
//! | endpoint | request | answer |
//! | --- | --- | --- |
//! | `accounts.create` | [`AccountsCreateRequest`] | [`AccountsCreateResponse`] |
//! | `accounts.get` | [`AccountsGetRequest`] (`GET`), [`AccountsGetPostRequest`] (`POST`) | [`AccountsGetResponse`] |
//! | `accounts.list` | [`AccountsListRequest`] (`GET`), [`AccountsListPostRequest`] (`POST`) | [`AccountsListResponse`] |
//! | `accounts.update` | [`AccountsUpdateRequest`] | [`AccountsUpdateResponse`] |
//! | `accounts.delete` | [`AccountsDeleteRequest`] | [`AccountsDeleteResponse`] |
//!
//! As with [rev orgs](crate::rev_orgs), the reads exist as `GET` (query
//! string) and `POST` (JSON body) with the same fields; both are retried as
//! idempotent and both list forms stream with `pages` and `items`.

use serde::{Deserialize, Serialize};

use crate::devrev_endpoint;
use crate::models::{
    Account, CustomFields, CustomSchemaSpec, DateTimeFilter, ListMode, RevOrg, SetTagWithValue, SetValues,
};
use crate::Page;

/// Creates an account, and with it a default rev org:
/// `POST /accounts.create`, answered with 201.
///
/// ```no_run
/// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
/// use devrev::accounts::AccountsCreateRequest;
///
/// let created = AccountsCreateRequest::new("Acme")
///     .domains(["acme.example"])
///     .external_refs(["crm-0042"])
///     .send(client)
///     .await?;
/// println!("{} with {}", created.account.id, created.default_rev_org.id);
/// # Ok(()) }
/// ```
#[devrev_endpoint(POST, "/accounts.create")]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AccountsCreateRequest {
    /// The IDs of artifacts to attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Vec<String>>,
    /// Application-defined custom fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    /// The custom schemas that `custom_fields` follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_schema_spec: Option<CustomSchemaSpec>,
    /// A description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The account's name.
    pub display_name: String,
    /// The company's domain names, such as `example.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// The account's IDs in the customer's systems of record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_refs: Option<Vec<String>>,
    /// The dev users who own the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<Vec<String>>,
    /// The IDs of schema fragments. Deprecated by DevRev: use `custom_schema_spec`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_fragment_ids: Option<Vec<String>>,
    /// Tags to set, each with an optional value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<SetTagWithValue>>,
    /// The account's tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The company's websites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub websites: Option<Vec<String>>,
}

impl AccountsCreateRequest {
    /// A request with the one required field, the name; every other field is absent.
    pub fn new(display_name: impl Into<String>) -> Self {
        AccountsCreateRequest {
            artifacts: None,
            custom_fields: None,
            custom_schema_spec: None,
            description: None,
            display_name: display_name.into(),
            domains: None,
            external_refs: None,
            owned_by: None,
            schema_fragment_ids: None,
            tags: None,
            tier: None,
            websites: None,
        }
    }

    setters! {
        /// Sets the artifacts to attach, by ID.
        list artifacts: String,
        /// Sets the custom fields.
        custom_fields: CustomFields,
        /// Sets the custom schemas the custom fields follow.
        custom_schema_spec: CustomSchemaSpec,
        /// Sets the description.
        description: String,
        /// Sets the domain names.
        list domains: String,
        /// Sets the external references.
        list external_refs: String,
        /// Sets the owners, by dev user ID.
        list owned_by: String,
        /// Sets the tags.
        list tags: SetTagWithValue,
        /// Sets the tier.
        tier: String,
        /// Sets the websites.
        list websites: String,
    }

    /// Sets the schema fragments, by ID.
    #[deprecated(note = "DevRev deprecated `schema_fragment_ids`; use `custom_schema_spec`")]
    #[must_use]
    pub fn schema_fragment_ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.schema_fragment_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }
}

/// The answer of `accounts.create`: the account and its default rev org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountsCreateResponse {
    /// The account as created.
    pub account: Account,
    /// The rev org DevRev created with it.
    pub default_rev_org: RevOrg,
}

get_and_post! {
    /// Fetches one account: `GET /accounts.get`, the ID in the query string.
    ///
    /// ```no_run
    /// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
    /// let account = devrev::accounts::AccountsGetRequest::new("ACC-12345").send(client).await?.account;
    /// # Ok(()) }
    /// ```
    #[devrev_endpoint(GET, "/accounts.get")]
    get AccountsGetRequest,
    /// Fetches one account like [`AccountsGetRequest`], with the ID in a JSON
    /// body: `POST /accounts.get`.
    #[devrev_endpoint(POST, "/accounts.get", response = AccountsGetResponse, idempotent)]
    post AccountsGetPostRequest,
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    #[non_exhaustive]
    fields {
        /// The account wanted (`ACC-...` or its DON ID).
        pub id: String,
    }
    impl {
        /// Fetches the account `id`.
        pub fn new(id: impl Into<String>) -> Self {
            Self { id: id.into() }
        }
    }
}

/// The answer of `accounts.get`: the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountsGetResponse {
    /// The account.
    pub account: Account,
}

get_and_post! {
    /// Lists accounts, filtered, one page at a time: `GET /accounts.list`,
    /// the fields in the query string.
    ///
    /// Every filter is optional; several values in one filter match any of
    /// them, several filters must all match. `send` fetches one page,
    /// `pages` and `items` stream the whole listing:
    ///
    /// ```no_run
    /// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
    /// use devrev::accounts::AccountsListRequest;
    /// use futures_util::TryStreamExt;
    ///
    /// let mut pages = AccountsListRequest::new().tier(["enterprise"]).limit(50).pages(client);
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} accounts; resume with {:?}", page.accounts.len(), page.next_cursor);
    /// }
    /// # Ok(()) }
    /// ```
    #[devrev_endpoint(GET, "/accounts.list", paginate)]
    get AccountsListRequest,
    /// Lists accounts like [`AccountsListRequest`], with the fields in a JSON
    /// body: `POST /accounts.list`.
    #[devrev_endpoint(POST, "/accounts.list", response = AccountsListResponse, idempotent, paginate)]
    post AccountsListPostRequest,
    #[derive(Debug, Clone, PartialEq, Default, Serialize)]
    #[non_exhaustive]
    fields {
        /// Only accounts created by these users.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub created_by: Option<Vec<String>>,
        /// Only accounts created in this range (`created_date.after` and
        /// `created_date.before` in a query string).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub created_date: Option<DateTimeFilter>,
        /// Where to start: a `next_cursor` (or `prev_cursor`) of an earlier
        /// page; absent starts at the beginning.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub cursor: Option<String>,
        /// Filters on custom fields, by field name (dotted names in a query
        /// string: `custom_fields.region=emea`).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub custom_fields: Option<CustomFields>,
        /// Only accounts with one of these names.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub display_name: Option<Vec<String>>,
        /// Only accounts with one of these domain names.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub domains: Option<Vec<String>>,
        /// Only accounts with one of these external references.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub external_refs: Option<Vec<String>>,
        /// The most accounts one page holds (DevRev's default is 50).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub limit: Option<u32>,
        /// Which way to page from the cursor; DevRev assumes `after`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub mode: Option<ListMode>,
        /// Only accounts last changed in this range.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub modified_date: Option<DateTimeFilter>,
        /// Only accounts owned by these users.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub owned_by: Option<Vec<String>>,
        /// The sort order: field names, each optionally followed by `:asc`
        /// or `:desc` (`created_date:desc`).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub sort_by: Option<Vec<String>>,
        /// Only accounts in these stages, by ID.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub stage: Option<Vec<String>>,
        /// Only accounts of these subtypes.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub subtype: Option<Vec<String>>,
        /// Only accounts with these tags.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tags: Option<Vec<String>>,
        /// Only accounts in one of these tiers.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tier: Option<Vec<String>>,
        /// Only accounts with one of these websites.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub websites: Option<Vec<String>>,
    }
    impl {
        /// A request for every account, in DevRev's default page size.
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
            /// Sets the creators to match.
            list created_by: String,
            /// Sets the creation range.
            created_date: DateTimeFilter,
            /// Sets the cursor to start from.
            cursor: String,
            /// Sets the custom field filters by name.
            custom_fields: CustomFields,
            /// Sets the names to match.
            list display_name: String,
            /// Sets the domain names to match.
            list domains: String,
            /// Sets the external references to match.
            list external_refs: String,
            /// Sets the paging direction.
            mode: ListMode,
            /// Sets the last-change range.
            modified_date: DateTimeFilter,
            /// Sets the owners to match.
            list owned_by: String,
            /// Sets the sort order.
            list sort_by: String,
            /// Sets the stages to match.
            list stage: String,
            /// Sets the subtypes to match.
            list subtype: String,
            /// Sets the tags to match.
            list tags: String,
            /// Sets the tiers to match.
            list tier: String,
            /// Sets the websites to match.
            list websites: String,
        }
    }
}

/// A page of `accounts.list`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Page)]
#[non_exhaustive]
pub struct AccountsListResponse {
    /// The accounts on this page.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// The cursor of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The cursor of the previous page; absent on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
}

/// Changes an account: `POST /accounts.update`. Fields left unset stay as
/// they are.
///
/// ```no_run
/// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
/// use devrev::accounts::AccountsUpdateRequest;
///
/// let updated = AccountsUpdateRequest::new("ACC-12345")
///     .websites(["www.acme.example"])
///     .clear_tier()
///     .send(client)
///     .await?;
/// # Ok(()) }
/// ```
#[devrev_endpoint(POST, "/accounts.update")]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AccountsUpdateRequest {
    /// Replaces the attached artifacts: `{"set": [...]}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<SetValues>,
    /// Application-defined custom fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<CustomFields>,
    /// The custom schemas that `custom_fields` follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_schema_spec: Option<CustomSchemaSpec>,
    /// The new description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The new domain names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// The new external references.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_refs: Option<Vec<String>>,
    /// The account to change (`ACC-...` or its DON ID).
    pub id: String,
    /// The new owners, by dev user ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<Vec<String>>,
    /// The IDs of schema fragments. Deprecated by DevRev: use `custom_schema_spec`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_fragment_ids: Option<Vec<String>>,
    /// The tags to set, each with an optional value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<SetTagWithValue>>,
    /// The new tier: `None` leaves it, `Some(None)` sends `null`, which
    /// clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Option<String>>,
    /// Replaces the websites: `{"set": [...]}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub websites: Option<SetValues>,
}

impl AccountsUpdateRequest {
    /// A request that changes nothing yet on the account `id`.
    pub fn new(id: impl Into<String>) -> Self {
        AccountsUpdateRequest {
            artifacts: None,
            custom_fields: None,
            custom_schema_spec: None,
            description: None,
            display_name: None,
            domains: None,
            external_refs: None,
            id: id.into(),
            owned_by: None,
            schema_fragment_ids: None,
            tags: None,
            tier: None,
            websites: None,
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

    /// Replaces the websites with these; an empty list removes them all.
    #[must_use]
    pub fn websites<I>(mut self, websites: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.websites = Some(SetValues::new(websites));
        self
    }

    /// Sets the tier.
    #[must_use]
    pub fn tier(mut self, tier: impl Into<String>) -> Self {
        self.tier = Some(Some(tier.into()));
        self
    }

    /// Clears the tier (sends `"tier": null`).
    #[must_use]
    pub fn clear_tier(mut self) -> Self {
        self.tier = Some(None);
        self
    }

    setters! {
        /// Sets the custom fields.
        custom_fields: CustomFields,
        /// Sets the custom schemas the custom fields follow.
        custom_schema_spec: CustomSchemaSpec,
        /// Sets the description.
        description: String,
        /// Sets the name.
        display_name: String,
        /// Sets the domain names.
        list domains: String,
        /// Sets the external references.
        list external_refs: String,
        /// Sets the owners, by dev user ID.
        list owned_by: String,
        /// Sets the tags.
        list tags: SetTagWithValue,
    }

    /// Sets the schema fragments, by ID.
    #[deprecated(note = "DevRev deprecated `schema_fragment_ids`; use `custom_schema_spec`")]
    #[must_use]
    pub fn schema_fragment_ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.schema_fragment_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }
}

/// The answer of `accounts.update`: the account as changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountsUpdateResponse {
    /// The account as changed.
    pub account: Account,
}

/// Deletes an account: `POST /accounts.delete`.
///
/// ```no_run
/// # async fn run(client: &devrev::Client) -> devrev::Result<()> {
/// devrev::accounts::AccountsDeleteRequest::new("ACC-12345").send(client).await?;
/// # Ok(()) }
/// ```
#[devrev_endpoint(POST, "/accounts.delete")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccountsDeleteRequest {
    /// The account to delete (`ACC-...` or its DON ID).
    pub id: String,
}

impl AccountsDeleteRequest {
    /// Deletes the account `id`.
    pub fn new(id: impl Into<String>) -> Self {
        AccountsDeleteRequest { id: id.into() }
    }
}

/// The answer of `accounts.delete`: nothing. DevRev may answer `{}` or an
/// empty body (204); both decode to this.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountsDeleteResponse {}
