//! `rev-orgs.list`, declared here with the attribute (the `devrev` crate
//! does not ship it yet): a `GET` with `cursor` and `limit`, answered with a
//! page of [`RevOrg`]s that the pagination streams follow.

use devrev::devrev_endpoint;
use devrev::models::RevOrg;
use serde::{Deserialize, Serialize};

/// Lists rev orgs: `GET /rev-orgs.list?limit=..&cursor=..`.
#[devrev_endpoint(GET, "/rev-orgs.list", paginate)]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RevOrgsListRequest {
    /// Where the page starts; the streams set it from `next_cursor`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// How many rev orgs a page holds at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One page of `rev-orgs.list`.
#[derive(Debug, Clone, PartialEq, Deserialize, devrev::Page)]
pub struct RevOrgsListResponse {
    /// The rev orgs of this page.
    pub rev_orgs: Vec<RevOrg>,
    /// The cursor of the next page; absent on the last one.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// The cursor of the previous page; absent on the first one.
    #[serde(default)]
    pub prev_cursor: Option<String>,
}
