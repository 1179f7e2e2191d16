// `paginate` with a `#[derive(Page)]` response: `pages` and `items` streams.
use devrev::{devrev_endpoint, Items, Page, Pages, Paginated};
use serde::{Deserialize, Serialize};

#[devrev_endpoint(GET, "/tags.list", paginate)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct TagsListRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct Tag {
    pub id: String,
}

#[derive(Debug, Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<Tag>,
    pub next_cursor: Option<String>,
    pub prev_cursor: Option<String>,
}

// Two `Vec` fields: `#[page(items)]` picks the items; the cursor may be spelled
// through a path.
#[derive(Debug, Deserialize, devrev::Page)]
pub struct WorksListResponse {
    pub warnings: Vec<String>,
    #[page(items)]
    pub works: std::vec::Vec<serde_json::Value>,
    pub next_cursor: core::option::Option<std::string::String>,
}

#[devrev_endpoint(POST, "/works.list", response = WorksListResponse, idempotent, paginate)]
#[derive(Clone, Serialize)]
pub struct WorksListPostRequest {
    pub cursor: Option<String>,
}

// A generic page.
#[derive(Deserialize, devrev::Page)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[devrev_endpoint(GET, "/links.list", response = Listing<serde_json::Value>, paginate)]
#[derive(Clone, Serialize)]
pub struct LinksList {
    pub cursor: Option<String>,
}

fn page<P: Page<Item = I>, I>() {}
fn paginated<E: Paginated>() {}
fn stream<S: futures_util::Stream<Item = devrev::Result<T>>, T>(_: &S) {}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let request = TagsListRequest { limit: Some(50), ..TagsListRequest::default() };
    let first: TagsListResponse = request.send(client).await?;
    let _ = first.prev_cursor;

    let mut pages: Pages<TagsListRequest> = request.pages(client);
    while let Some(page) = pages.next().await {
        let page: TagsListResponse = page?;
        let _: Vec<Tag> = page.tags;
    }
    let _resume: Option<&str> = pages.cursor();

    let mut items: Items<TagsListRequest> = request.items(client);
    while let Some(tag) = items.try_next().await? {
        let _: String = tag.id;
    }

    stream::<_, TagsListResponse>(&request.pages(client));
    stream::<_, Tag>(&request.items(client));
    let _ = WorksListPostRequest { cursor: None }.items(client).next().await;
    let _ = LinksList { cursor: None }.pages(client).try_next().await?;
    Ok(())
}

fn main() {
    page::<TagsListResponse, Tag>();
    page::<WorksListResponse, serde_json::Value>();
    page::<Listing<u8>, u8>();
    paginated::<TagsListRequest>();
    paginated::<WorksListPostRequest>();
    paginated::<LinksList>();
    let _ = calls;
}
