// `builder` needs named fields, like the attribute itself: a tuple struct is
// refused once, on its fields.
use devrev::devrev_endpoint;

#[devrev_endpoint(POST, "/works.create", builder)]
#[derive(serde::Serialize)]
pub struct WorksCreateRequest(pub String);

#[derive(serde::Deserialize)]
pub struct WorksCreateResponse {}

fn main() {}
