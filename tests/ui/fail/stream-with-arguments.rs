use devrev::devrev_endpoint;

#[derive(serde::Deserialize)]
pub struct Chunk {}

#[devrev_endpoint(POST, "/recommendations.chat.completions", stream(format = sse), response = Chunk)]
#[derive(serde::Serialize)]
pub struct ChatRequest {
    pub prompt: String,
}

fn main() {}
