// `#[derive(Page)]` without `use devrev::Page`, in a module other than the
// request's: rustc's own error on `Page`, then the response is not a page,
// once, on `paginate`, whose note names the import. (Beside the request the
// attribute brings the derive into scope: `pass/page-derive-beside-paginate.rs`.)
use devrev::devrev_endpoint;
use serde::Serialize;

mod models {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Page)]
    pub struct TagsListResponse {
        pub tags: Vec<Tag>,
        pub next_cursor: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Tag {
        pub id: String,
    }
}

#[devrev_endpoint(GET, "/tags.list", paginate, response = models::TagsListResponse)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct TagsListRequest {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
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
