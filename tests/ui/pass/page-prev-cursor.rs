// `#[derive(Page)]` implements `prev_cursor()` from a `prev_cursor` field;
// without the field the trait's default (`None`) stays.
use devrev::Page;
use serde::Deserialize;

#[derive(Deserialize, devrev::Page)]
pub struct WithPrev {
    pub works: Vec<u32>,
    pub next_cursor: Option<String>,
    pub prev_cursor: core::option::Option<std::string::String>,
}

#[derive(Deserialize, devrev::Page)]
pub struct WithoutPrev {
    pub works: Vec<u32>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, devrev::Page)]
pub struct Generic<T> {
    pub items: Vec<T>,
    pub prev_cursor: Option<String>,
    pub next_cursor: Option<String>,
}

fn main() {
    let page = WithPrev { works: vec![1], next_cursor: Some("n".into()), prev_cursor: Some("p".into()) };
    assert_eq!(page.prev_cursor(), Some("p"));
    assert_eq!(page.next_cursor(), Some("n"));
    let first = WithPrev { works: vec![], next_cursor: None, prev_cursor: None };
    assert_eq!(first.prev_cursor(), None);

    let page = WithoutPrev { works: vec![1], next_cursor: Some("n".into()) };
    assert_eq!(page.prev_cursor(), None);

    let page = Generic { items: vec!["x"], prev_cursor: Some("back".into()), next_cursor: None };
    assert_eq!(page.prev_cursor(), Some("back"));
    assert_eq!(page.into_items(), vec!["x"]);
}
