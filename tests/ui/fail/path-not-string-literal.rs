use devrev::devrev_endpoint;

const TAGS_CREATE: &str = "/tags.create";

#[devrev_endpoint(POST, TAGS_CREATE)]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

fn main() {}
