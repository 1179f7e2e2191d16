use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/works.create", beta, idempotent, beta = false)]
#[derive(serde::Serialize)]
pub struct WorksCreateRequest {
    pub title: String,
}

#[derive(serde::Deserialize)]
pub struct WorksCreateResponse {}

fn main() {}
