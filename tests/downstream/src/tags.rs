//! Tags: `POST /tags.create` with a nested JSON body, and the paginated
//! `GET /tags.list`.

use devrev::models::Timestamp;
use devrev::{devrev_endpoint, Page};
use serde::{Deserialize, Serialize};

/// Creates a tag: `POST /tags.create`, the request as the JSON body.
///
/// `builder` gives it `new(name)` and a setter per optional field.
#[devrev_endpoint(POST, "/tags.create", builder)]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagsCreateRequest {
    /// The tag's name, unique in the organization.
    pub name: String,
    /// The values the tag may carry; any value when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_values: Option<Vec<String>>,
    /// A description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How the tag is displayed: a nested object in the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_new: Option<TagStyle>,
}

/// How a tag is displayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagStyle {
    /// A CSS color, such as `#ff8800`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// The answer of `tags.create`: the new tag.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TagsCreateResponse {
    /// The tag as created.
    pub tag: Tag,
}

/// A tag.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tag {
    /// The DON ID.
    pub id: String,
    /// The short ID, such as `TAG-12`.
    pub display_id: Option<String>,
    /// The name.
    pub name: String,
    /// The values the tag may carry.
    pub allowed_values: Option<Vec<String>>,
    /// A description.
    pub description: Option<String>,
    /// How the tag is displayed.
    pub style_new: Option<TagStyle>,
    /// When the tag was created.
    pub created_date: Option<Timestamp>,
}

/// Which way a listing goes from its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListMode {
    /// The items after the cursor.
    After,
    /// The items before the cursor.
    Before,
}

/// Lists tags, one page per request: `GET /tags.list`.
///
/// `paginate` adds `pages(&client)` and `items(&client)` streams that follow
/// `next_cursor`, using the `cursor` field.
#[devrev_endpoint(GET, "/tags.list", paginate)]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TagsListRequest {
    /// Where the page starts; set by the streams as they go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The most tags per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Which way to go from the cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<ListMode>,
    /// Only tags with one of these names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<String>,
    /// Sort keys, such as `name:asc`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort_by: Vec<String>,
}

/// One page of `tags.list`.
#[derive(Debug, Clone, PartialEq, Deserialize, Page)]
pub struct TagsListResponse {
    /// The tags on this page.
    pub tags: Vec<Tag>,
    /// The cursor of the next page; absent on the last.
    pub next_cursor: Option<String>,
    /// The cursor of the previous page.
    pub prev_cursor: Option<String>,
}
