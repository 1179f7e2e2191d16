#[derive(serde::Deserialize, devrev::Page)]
pub enum TagsListResponse {
    Page { tags: Vec<String>, next_cursor: Option<String> },
}

fn main() {}
