#[derive(serde::Deserialize, devrev::Page)]
pub struct TagsListResponse {
    #[page(items)]
    pub tags: std::collections::HashSet<String>,
    pub next_cursor: Option<String>,
}

fn main() {}
