// `#[derive(Page)]` without `use devrev::Page`, beside a `paginate` request:
// the attribute brings the derive (and nothing else) into the module, so this
// compiles and the response is a `Page`. (Before, it was two errors: rustc's
// unresolved derive, then "not a page" on `paginate`.) The other modules
// check that the glob import yields to the user's own: a named import of
// `Page`, `use devrev::*`, and a response declared before the request.
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
    Ok(())
}

mod named {
    use devrev::{devrev_endpoint, Page};
    use serde::{Deserialize, Serialize};

    #[devrev_endpoint(GET, "/parts.list", paginate)]
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct PartsListRequest {
        pub cursor: Option<String>,
    }

    #[derive(Debug, Deserialize, Page)]
    pub struct PartsListResponse {
        pub parts: Vec<String>,
        pub next_cursor: Option<String>,
    }
}

mod glob {
    use devrev::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Deserialize, Page)]
    pub struct WorksListResponse {
        pub works: Vec<String>,
        pub next_cursor: Option<String>,
    }

    #[devrev_endpoint(GET, "/works.list", paginate)]
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct WorksListRequest {
        pub cursor: Option<String>,
    }
}

fn is_page<P: devrev::Page>() {}

fn main() {
    let _ = list;
    is_page::<TagsListResponse>();
    is_page::<named::PartsListResponse>();
    is_page::<glob::WorksListResponse>();
    let _ = (named::PartsListRequest::default(), glob::WorksListRequest::default());
}
