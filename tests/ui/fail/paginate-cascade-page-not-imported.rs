// `#[derive(Page)]` without `use devrev::Page`: rustc's own error on `Page`, then the
// response is not a page, once, on `paginate`, as in
// `paginate-cascade-response-without-page.rs`. The calls and the items add none.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(GET, "/tags.list", paginate)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct TagsListRequest {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, Page)]
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
