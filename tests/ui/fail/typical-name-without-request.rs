// A request whose name does not end in `Request`, without `response =`: one error, on the name; the call and the use of its answer add none.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/tags.create")]
#[derive(Debug, Serialize)]
pub struct CreateTag {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct TagsCreateResponse {
    pub id: String,
}

async fn create(client: &devrev::Client) -> devrev::Result<()> {
    let created = CreateTag { name: "vip".into() }.send(client).await?;
    println!("{}", created.id);
    Ok(())
}

fn main() {
    let _ = create;
}
