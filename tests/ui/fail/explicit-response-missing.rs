use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create", response = TagCreated)]
#[derive(serde::Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

fn main() {}
