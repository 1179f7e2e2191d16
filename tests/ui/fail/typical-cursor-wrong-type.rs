// A `cursor` field that is not an `Option<String>`.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(GET, "/tags.list", paginate)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct TagsListRequest {
    pub cursor: String,
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<Tag>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Tag {
    pub id: String,
}

async fn list(client: &devrev::Client) -> devrev::Result<()> {
    let mut tags = TagsListRequest::default().items(client);
    while let Some(tag) = tags.try_next().await? {
        println!("{}", tag.id);
    }
    Ok(())
}

fn main() {
    let _ = list;
}
