use devrev::devrev_endpoint;

#[devrev_endpoint(GET, "/tags.list?limit=10")]
#[derive(serde::Serialize)]
pub struct TagsListRequest {}

#[derive(serde::Deserialize)]
pub struct TagsListResponse {}

fn main() {}
