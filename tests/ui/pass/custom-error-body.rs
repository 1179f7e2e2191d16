// `error = ...` with a custom body: `Deserialize` plus `devrev::ErrorBody`.
use devrev::{devrev_endpoint, Endpoint, ErrorBody};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct LegacyError {
    pub code: u32,
    pub text: String,
}

impl ErrorBody for LegacyError {
    fn message(&self) -> Option<&str> {
        Some(&self.text)
    }
}

// Every method has a default: an empty impl is enough.
#[derive(Debug, Deserialize)]
pub struct Opaque {}
impl ErrorBody for Opaque {}

#[devrev_endpoint(POST, "/legacy.call", error = LegacyError)]
#[derive(Serialize)]
pub struct LegacyCallRequest {
    pub id: String,
}

#[derive(Deserialize)]
pub struct LegacyCallResponse {}

#[devrev_endpoint(GET, "/legacy.get", response = LegacyCallResponse, error = Opaque)]
#[derive(Serialize)]
pub struct LegacyGet;

fn types<E: Endpoint<Error = B>, B>() {}

async fn calls(client: &devrev::Client) {
    let request = LegacyCallRequest { id: "1".into() };
    match request.send(client).await {
        Ok(LegacyCallResponse {}) => {}
        Err(error) => {
            let _: Option<u16> = error.status();
        }
    }
    let _ = LegacyGet.send_with_meta(client).await;
}

fn main() {
    types::<LegacyCallRequest, LegacyError>();
    types::<LegacyGet, Opaque>();
    let _ = calls;
}
