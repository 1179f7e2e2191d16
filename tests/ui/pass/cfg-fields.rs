// `#[cfg]` on fields: the attribute leaves them to the compiler.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(GET, "/tags.list", paginate)]
#[derive(Clone, Serialize)]
pub struct TagsListRequest {
    #[cfg(any())]
    pub never_compiled: std::convert::Infallible,
    #[cfg(all())]
    pub limit: Option<u32>,
    #[cfg(not(any()))]
    pub cursor: Option<String>,
}

#[derive(Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<String>,
    #[cfg(any())]
    pub never_compiled: Vec<u8>,
    pub next_cursor: Option<String>,
}

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let request = TagsListRequest { limit: Some(10), cursor: None };
    let _ = request.send(client).await?.tags;
    let _ = request.pages(client);
    Ok(())
}

fn main() {
    let _ = calls;
}
