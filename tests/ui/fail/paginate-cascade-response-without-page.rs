// The response of a `paginate` request lacks `#[derive(Page)]`: one error, on `paginate`.
// The `items` and `pages` calls, and the code that uses the items and the pages, add none
// (the item type is named through the `paginate` option's `Paginated::Page`, which the
// compiler then treats as an error it has already reported).
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(GET, "/tags.list", paginate)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct TagsListRequest {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
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
    let mut pages = TagsListRequest { limit: Some(10), ..Default::default() }.pages(client);
    while let Some(page) = pages.try_next().await? {
        println!("{} tags", page.tags.len());
    }
    Ok(())
}

fn main() {
    let _ = list;
}
