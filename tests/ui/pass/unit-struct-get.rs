// A `GET` endpoint without parameters: a unit struct, an empty query string.
use devrev::{devrev_endpoint, Endpoint, Method};
use serde::{Deserialize, Serialize};

#[devrev_endpoint(GET, "/dev-users.self")]
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct DevUsersSelfRequest;

#[derive(Deserialize)]
pub struct DevUsersSelfResponse {
    pub dev_user: serde_json::Value,
}

const _: () = assert!(matches!(<DevUsersSelfRequest as Endpoint>::METHOD, Method::Get));
const _: () = assert!(<DevUsersSelfRequest as Endpoint>::IDEMPOTENT);

async fn calls(client: &devrev::Client) -> devrev::Result<serde_json::Value> {
    let me = DevUsersSelfRequest.send(client).await?;
    let _ = DevUsersSelfRequest.send_with_meta(client).await?.into_value();
    Ok(me.dev_user)
}

fn main() {
    let _ = calls;
}
