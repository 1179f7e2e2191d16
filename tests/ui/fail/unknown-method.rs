use devrev::devrev_endpoint;

#[devrev_endpoint(FETCH, "/tags.get")]
#[derive(serde::Serialize)]
pub struct TagsGetRequest {
    pub id: String,
}

#[derive(serde::Deserialize)]
pub struct TagsGetResponse {}

fn main() {}
