//! A crate with strict lints: the generated code must not trip lints the user
//! turned on, even where its spans point at the user's tokens.
#![deny(
    warnings,
    missing_docs,
    unused_qualifications,
    unused_lifetimes,
    single_use_lifetimes,
    unreachable_pub,
    rust_2018_idioms,
    trivial_casts,
    unused_results,
    missing_debug_implementations
)]

use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

/// Lists tags.
#[devrev_endpoint(GET, "/tags.list", paginate)]
#[derive(Debug, Clone, Serialize)]
pub struct TagsListRequest {
    /// The page to fetch.
    pub cursor: Option<String>,
}

/// A page of tags.
#[derive(Debug, Deserialize, devrev::Page)]
pub struct TagsListResponse {
    /// The tags.
    pub tags: Vec<String>,
    /// The next page.
    pub next_cursor: Option<String>,
}

/// Creates a work, with any custom fields.
#[devrev_endpoint(POST, "/works.create", idempotent = false)]
#[derive(Debug, Serialize)]
pub struct WorksCreateRequest<'a, F> {
    /// The title.
    pub title: &'a str,
    /// The custom fields.
    pub custom_fields: F,
}

/// The created work.
#[derive(Debug, Deserialize)]
pub struct WorksCreateResponse {
    /// The work.
    pub work: serde_json::Value,
}

/// Who am I.
#[devrev_endpoint(GET, "/dev-users.self", response = WorksCreateResponse, error = Custom)]
#[derive(Debug, Serialize)]
pub struct Me;

/// A custom error body.
#[derive(Debug, Deserialize)]
pub struct Custom {}

impl devrev::ErrorBody for Custom {}

/// Uses every generated method.
pub async fn calls(client: &devrev::Client) -> devrev::Result<usize> {
    let mut count = 0;
    let mut tags = TagsListRequest { cursor: None }.items(client);
    while tags.try_next().await?.is_some() {
        count += 1;
    }
    let _pages = TagsListRequest { cursor: None }.pages(client);
    let _created = WorksCreateRequest { title: "crash", custom_fields: () }.send(client).await?;
    let _me = Me.send_with_meta(client).await?;
    Ok(count)
}

fn main() {
    let _calls = calls;
}
