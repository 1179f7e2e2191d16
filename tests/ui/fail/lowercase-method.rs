use devrev::devrev_endpoint;

#[devrev_endpoint(post, "/tags.create")]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

fn main() {}
