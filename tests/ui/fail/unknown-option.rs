use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create", respone = TagsCreateResponse)]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

fn main() {}
