use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create")]
#[derive(serde::Serialize)]
pub struct CreateTag {
    pub name: String,
}

fn main() {}
