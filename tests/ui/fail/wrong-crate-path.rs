use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create", crate = ::devrev_client)]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

fn main() {}
