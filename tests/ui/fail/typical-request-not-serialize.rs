// A request without `Serialize`.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Debug)]
pub struct TagsCreateRequest {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct TagsCreateResponse {
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
