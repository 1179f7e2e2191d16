// A field named `type`: rustc's own error, with its `r#type` fix; the struct literal and the call add none.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/works.create")]
#[derive(Debug, Serialize)]
pub struct WorksCreateRequest {
    pub type: String,
    pub title: String,
}

#[derive(Debug, Deserialize)]
pub struct WorksCreateResponse {
    pub id: String,
}

async fn create(client: &devrev::Client) -> devrev::Result<()> {
    let created = WorksCreateRequest { r#type: "issue".into(), title: "x".into() }.send(client).await?;
    println!("{}", created.id);
    Ok(())
}

fn main() {
    let _ = create;
}
