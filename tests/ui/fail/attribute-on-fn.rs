use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/tags.create")]
pub fn tags_create(name: String) -> String {
    name
}

fn main() {}
