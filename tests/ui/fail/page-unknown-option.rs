#[derive(serde::Deserialize, devrev::Page)]
pub struct TagsListResponse {
    #[page(item)]
    pub tags: Vec<String>,
    pub next_cursor: Option<String>,
}

fn main() {}
