// `stream`: `send` returns the answer's server-sent events, each decoded
// into the response type; beta and builder combine with it.
use devrev::{devrev_endpoint, Client, EventStream};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct Chunk {
    pub text: String,
}

#[devrev_endpoint(POST, "/recommendations.chat.completions", stream, response = Chunk, beta, builder)]
#[derive(Serialize)]
pub struct ChatRequest {
    pub prompt: String,
    pub stream_format: Option<String>,
}

#[allow(dead_code)]
async fn call(client: &Client) -> devrev::Result<Option<Chunk>> {
    let mut events: EventStream<Chunk> = ChatRequest::new("hi").stream_format("text").send(client).await?;
    events.try_next().await
}

fn main() {}
