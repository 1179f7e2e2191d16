// The inferred response type is misspelled where it is declared: the error is on the
// attribute (not on the request's name, which a quick fix would rename) and names
// the type it looked for.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/works.create")]
#[derive(Debug, Serialize)]
pub struct WorksCreateRequest {
    pub title: String,
}

#[derive(Debug, Deserialize)]
pub struct WorkCreateResponse {
    pub id: String,
}

async fn create(client: &devrev::Client) -> devrev::Result<()> {
    let created = WorksCreateRequest { title: "x".into() }.send(client).await?;
    println!("{created:?}");
    Ok(())
}

fn main() {
    let _ = create;
}
