// The inferred response type is declared under another name.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Debug, Serialize)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct TagCreateResponse {
    pub id: String,
}

async fn create(client: &devrev::Client) -> devrev::Result<()> {
    let created = TagsCreateRequest { name: "vip".into() }.send(client).await?;
    println!("{}", created.id);
    Ok(())
}

fn main() {
    let _ = create;
}
