#[derive(serde::Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<String>,
    pub cursor: Option<String>,
}

fn main() {}
