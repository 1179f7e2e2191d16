#[derive(serde::Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<String>,
    pub next_cursor: Option<String>,
    pub prev_cursor: String,
}

fn main() {}
