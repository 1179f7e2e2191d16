use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Debug)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

fn main() {}
