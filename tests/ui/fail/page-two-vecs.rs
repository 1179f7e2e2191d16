#[derive(serde::Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<String>,
    pub warnings: Vec<String>,
    pub next_cursor: Option<String>,
}

fn main() {}
