use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create")]
pub union TagsCreateRequest {
    pub id: u64,
    pub code: f64,
}

#[derive(serde::Deserialize)]
pub struct TagsCreateResponse {}

fn main() {}
