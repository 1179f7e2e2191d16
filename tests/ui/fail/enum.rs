use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create")]
#[derive(serde::Serialize)]
pub enum TagsCreateRequest {
    Named { name: String },
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

fn main() {}
