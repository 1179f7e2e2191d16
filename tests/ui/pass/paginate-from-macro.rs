// A `paginate` request declared by a `macro_rules!` macro, its response named through
// `$crate` in another module: the response keeps its own hygiene wherever the attribute
// places it, and the items are the page's items.
mod api {
    #[derive(Debug, serde::Deserialize, devrev::Page)]
    pub struct TagsListResponse {
        pub tags: Vec<Tag>,
        pub next_cursor: Option<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    pub struct Tag {
        pub id: String,
    }
}

macro_rules! list_endpoint {
    ($name:ident, $response:ident) => {
        #[devrev::devrev_endpoint(GET, "/tags.list", response = $crate::api::$response, paginate)]
        #[derive(Debug, Clone, Default, serde::Serialize)]
        pub struct $name {
            pub cursor: Option<String>,
        }
    };
}

list_endpoint!(TagsListRequest, TagsListResponse);

async fn list(client: &devrev::Client) -> devrev::Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut tags = TagsListRequest::default().items(client);
    while let Some(tag) = tags.try_next().await? {
        let tag: api::Tag = tag;
        ids.push(tag.id);
    }
    let mut pages = TagsListRequest::default().pages(client);
    while let Some(page) = pages.try_next().await? {
        let page: api::TagsListResponse = page;
        ids.extend(page.tags.into_iter().map(|tag| tag.id));
    }
    Ok(ids)
}

fn main() {
    let _ = list;
}
