// `crate = ...`: the path to `devrev`, for a dependency that is renamed (here
// with `extern crate ... as`, as `[dependencies] my_devrev = { package =
// "devrev" }` would), or re-exported. `::devrev` is the default.
extern crate devrev as my_devrev;

use serde::{Deserialize, Serialize};

mod reexport {
    pub use devrev as api;
}

#[my_devrev::devrev_endpoint(POST, "/tags.create", crate = ::devrev)]
#[derive(Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(Deserialize)]
pub struct TagsCreateResponse {}

#[my_devrev::devrev_endpoint(GET, "/tags.list", crate = my_devrev, paginate)]
#[derive(Clone, Serialize)]
pub struct TagsListRequest {
    pub cursor: Option<String>,
}

#[derive(Deserialize, my_devrev::Page)]
#[page(crate = my_devrev)]
pub struct TagsListResponse {
    pub tags: Vec<String>,
    pub next_cursor: Option<String>,
}

// The path may be given as a string, as with serde's `crate = "..."`.
#[reexport::api::devrev_endpoint(GET, "/tags.get", crate = "crate::reexport::api")]
#[derive(Serialize)]
pub struct TagsGetRequest {
    pub id: String,
}

#[derive(Deserialize)]
pub struct TagsGetResponse {}

async fn calls(client: &my_devrev::Client) -> my_devrev::Result<()> {
    let _ = TagsCreateRequest { name: "vip".into() }.send(client).await?;
    let _ = TagsListRequest { cursor: None }.items(client);
    let _ = TagsGetRequest { id: "TAG-1".into() }.send_with_meta(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
