// Doc comments, other derives and attributes, serde attributes, and the
// attribute placed after the derives: all kept as written.
#![deny(missing_docs)]
//! A crate that documents everything.

use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

/// Creates a tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[devrev_endpoint(POST, "/tags.create")]
#[non_exhaustive]
#[must_use]
pub struct TagsCreateRequest {
    /// The tag's name.
    pub name: String,
    /// What the tag is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sent under another name.
    #[serde(rename = "allowed_values")]
    pub values: Vec<String>,
}

/// The created tag.
#[derive(Debug, Deserialize)]
pub struct TagsCreateResponse {
    /// The tag.
    pub tag: serde_json::Value,
}

/// Sends one.
pub async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let request = TagsCreateRequest::default();
    assert_eq!(request.clone(), request);
    let _ = request.send(client).await?;
    let _ = request.send_with_meta(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
