//! A typed client for the [DevRev](https://devrev.ai) REST API.
//!
//! One attribute turns a plain request struct into a typed call:
//!
//! ```no_run
//! use devrev::rev_orgs::RevOrgsCreateRequest;
//!
//! # async fn run() -> devrev::Result<()> {
//! let client = devrev::Client::from_env()?; // DEVREV_TOKEN, optional DEVREV_BASE_URL
//! let created = RevOrgsCreateRequest::new("ACC-12345", "Acme").send(&client).await?;
//! println!("created {}", created.rev_org.id);
//! # Ok(()) }
//! ```
//!
//! The crate ships endpoints in family modules ([`rev_orgs`]) with their
//! [`models`]; any other endpoint is one struct away, in your own crate, with
//! [`devrev_endpoint`]. Errors are one [`Error`] type with query methods
//! ([`Error::status`], [`Error::error_type`], [`Error::retry_after`], ...);
//! see the runtime modules re-exported here for the client's defaults
//! ([`client`]), the retry rule ([`retry`]) and pagination ([`pagination`]).

#![warn(missing_docs)]
// On docs.rs (`--cfg docsrs`, nightly), each feature-gated item shows the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the built-in endpoints use the attribute's default `::devrev` path too.
extern crate self as devrev;

#[macro_use]
mod macros;
pub mod models;
// Bulk-create reconciliation for the default families (`rev-orgs`, `accounts`).
#[cfg(feature = "rev-orgs")]
pub mod reconcile;
// The generated families (`src/generated/`, written by `devrev-codegen`), each
// behind the Cargo feature of the same name; re-exported here as `devrev::<family>`.
mod generated;
// Hand-written companions of generated families (`src/extras/<module>.rs`),
// re-exported by the generated module of the same name.
#[allow(unused_imports, dead_code)]
mod extras;
#[allow(unused_imports)] // without a family feature there is nothing to re-export
pub use generated::*;
// Each family once more, by name, under its feature (written by the generator):
// naming a family whose feature is off (`devrev::tags`) then finds an item
// configured out, and rustc's error says "the item is gated behind the `tags`
// feature", which it cannot say through the glob above.
include!("generated/families.rs");

/// Streamed uploads to and downloads from storage URLs (feature `artifacts`);
/// [`artifacts::ArtifactsExt`] builds artifact uploads on it.
#[cfg(feature = "artifacts")]
pub use devrev_runtime::storage;
pub use devrev_runtime::{
    auth, bulk, client, custom_fields, endpoint, error, error_body, pacing, pagination, query, response, retry, secret,
    sse, testing, transport,
};
pub use devrev_runtime::{
    send, send_stream, send_with_meta, ApiError, BodyTooLargeError, Client, ClientBuilder, ConfigError, DecodeError,
    DevRevError, Endpoint, Error, ErrorBody, ErrorKind, EventStream, Items, JsonType, Method, MissingDependency, Page,
    Pages, Paginated, PaginationError, RateLimit, RedirectError, Response, ResponseMeta, Result, ResumePoint,
    RetryPolicy, Secret, Sleeper, StorageError, TimeoutError, TimeoutKind, Token, TokioSleeper, Transfer,
    TransportError, TransportKind,
};
/// `client.upload_artifact(..)` and `client.download_artifact(..)` (feature `artifacts`).
#[cfg(feature = "artifacts")]
pub use generated::artifacts::ArtifactsExt;

#[doc = include_str!("../docs/devrev_endpoint.md")]
pub use devrev_macros::devrev_endpoint;

/// Implements [`Page`](trait@Page) for a list response, so a request
/// declared with `#[devrev_endpoint(..., paginate)]` can stream its pages.
///
/// - The struct needs a `next_cursor: Option<String>` field: DevRev leaves it
///   out of the last page, which `None` stands for.
/// - A `prev_cursor: Option<String>` field, if there is one, implements
///   [`Page::prev_cursor`] (the way back for `mode = before`); without it
///   `prev_cursor()` is `None`.
/// - The items are the struct's one `Vec<Item>` field, and `Item` becomes
///   [`Page::Item`]. With several `Vec` fields, mark the items with
///   `#[page(items)]`. The field's type must be spelled `Vec<...>`: an alias
///   is not recognised.
/// - Under a renamed dependency, add `#[page(crate = my_devrev)]` to the
///   struct (see `crate = ...` in [`devrev_endpoint`]).
/// - Generic structs work: `Listing<T>` with `items: Vec<T>` pages `T`s.
///
/// Anything else, such as an enum, a missing `next_cursor`, or two `Vec`
/// fields with no `#[page(items)]`, is a compile error on the offending token.
///
/// ```
/// use devrev::Page;
///
/// #[derive(serde::Deserialize, devrev::Page)]
/// struct WorksListResponse {
///     warnings: Vec<String>,
///     #[page(items)]
///     works: Vec<serde_json::Value>,
///     next_cursor: Option<String>,
///     prev_cursor: Option<String>,
/// }
///
/// let page: WorksListResponse = serde_json::from_str(
///     r#"{"warnings": [], "works": [{"id": "ISS-1"}], "next_cursor": "c2", "prev_cursor": "c0"}"#,
/// )
/// .unwrap();
/// assert_eq!(page.next_cursor(), Some("c2"));
/// assert_eq!(page.prev_cursor(), Some("c0"));
/// assert_eq!(page.into_items(), vec![serde_json::json!({"id": "ISS-1"})]);
///
/// let last: WorksListResponse = serde_json::from_str(r#"{"warnings": [], "works": []}"#).unwrap();
/// assert_eq!(last.next_cursor(), None);
/// ```
pub use devrev_macros::Page;

/// The trait `#[derive(CustomFields)]` implements, and its decode error: see [`custom_fields`].
pub use devrev_runtime::{CustomFields, CustomFieldsError};

#[doc = include_str!("../docs/custom_fields.md")]
pub use devrev_macros::CustomFields;

/// Makes an enum the type of a custom `enum` field: each unit variant is one
/// allowed value, its name as written (`#[custom(rename = "...")]` to
/// override). Decoding a value outside them is a
/// [`CustomFieldsError`] naming the field and listing the allowed values.
///
/// ```
/// #[derive(Debug, PartialEq, devrev::CustomEnum)]
/// enum Tier {
///     #[custom(rename = "gold")]
///     Gold,
///     #[custom(rename = "silver")]
///     Silver,
/// }
///
/// use devrev::custom_fields::{CustomValue, FieldType};
/// assert_eq!(<Tier as CustomValue>::FIELD_TYPE, FieldType::Enum);
/// assert_eq!(<Tier as CustomValue>::ALLOWED_VALUES, &["gold", "silver"][..]);
/// assert_eq!(Tier::from_json(&serde_json::json!("silver")), Ok(Tier::Silver));
/// ```
pub use devrev_macros::CustomEnum;

/// Items the generated code names. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use devrev_runtime::__private::*;
    // For the model macros (`string_enum!`, `tagged_union!`), which code
    // generated into a user's crate calls as `devrev::string_enum!`.
    pub use serde;
    pub use serde_json;
    // Foreign types generated code names (`chrono::NaiveDate`), so a user's
    // crate needs no dependency of its own on them.
    pub use chrono;
    /// The `Page` derive alone: `#[devrev_endpoint(.., paginate)]` glob-imports
    /// this module beside the request, so its response can `#[derive(Page)]`
    /// without an import of its own.
    pub mod derive_page {
        pub use devrev_macros::Page;
    }
}
