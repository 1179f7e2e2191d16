use devrev::devrev_endpoint;

#[devrev_endpoint(GET, "/tags.get#name")]
#[derive(serde::Serialize)]
pub struct TagsGetRequest {
    pub id: String,
}

#[derive(serde::Deserialize)]
pub struct TagsGetResponse {}

fn main() {}
