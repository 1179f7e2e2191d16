use devrev::devrev_endpoint;

#[devrev_endpoint(response = TagCreated)]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(serde::Deserialize)]
pub struct TagCreated {}

fn main() {}
