use devrev::devrev_endpoint;

#[devrev_endpoint(GET, "/tags.list", paginate, stream)]
#[derive(Clone, serde::Serialize)]
pub struct TagsListRequest {
    pub cursor: Option<String>,
}

#[derive(serde::Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<String>,
    pub next_cursor: Option<String>,
}

fn main() {}
