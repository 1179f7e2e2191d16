// A `POST` endpoint without parameters: a unit struct, sent as `{}`.
use devrev::{devrev_endpoint, Endpoint, Method};
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "/dev-users.self")]
#[derive(Serialize)]
pub struct DevUsersSelfPostRequest;

#[derive(Deserialize)]
pub struct DevUsersSelfPostResponse {}

const _: () = assert!(matches!(<DevUsersSelfPostRequest as Endpoint>::METHOD, Method::Post));
const _: () = assert!(!<DevUsersSelfPostRequest as Endpoint>::IDEMPOTENT);

async fn calls(client: &devrev::Client) -> devrev::Result<()> {
    let DevUsersSelfPostResponse {} = DevUsersSelfPostRequest.send(client).await?;
    let _ = DevUsersSelfPostRequest.send_with_meta(client).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
