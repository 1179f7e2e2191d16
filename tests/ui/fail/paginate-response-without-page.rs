use devrev::devrev_endpoint;

#[devrev_endpoint(GET, "/tags.get", paginate)]
#[derive(Clone, serde::Serialize)]
pub struct TagsGetRequest {
    pub id: String,
    pub cursor: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct TagsGetResponse {
    pub tag: String,
}

fn main() {}
