use devrev::devrev_endpoint;

#[derive(Debug, serde::Deserialize)]
pub struct TagsError {
    pub message: String,
}

#[devrev_endpoint(POST, "/tags.create", error = TagsError)]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

fn main() {}
