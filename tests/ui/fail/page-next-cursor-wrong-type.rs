#[derive(serde::Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub tags: Vec<String>,
    pub next_cursor: String,
}

fn main() {}
