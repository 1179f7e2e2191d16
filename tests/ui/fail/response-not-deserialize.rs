use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create")]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(Debug)]
pub struct TagsCreateResponse {}

fn main() {}
