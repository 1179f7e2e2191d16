// A full URL as the path: the error names the path to write and where the host goes.
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(POST, "https://api.devrev.ai/works.create")]
#[derive(Debug, Serialize)]
pub struct WorksCreateRequest {
    pub title: String,
}

#[derive(Debug, Deserialize)]
pub struct WorksCreateResponse {}

fn main() {}
