#[derive(serde::Deserialize, devrev::Page)]
pub struct TagsListResponse {
    pub total: u64,
    pub next_cursor: Option<String>,
}

fn main() {}
