// A family whose feature is off (`tags` is not a default feature): one error, rustc's
// own, with the note that names the feature to enable. The call adds none.
use devrev::tags::TagsCreateRequest;

async fn create(client: &devrev::Client) -> devrev::Result<()> {
    let created = TagsCreateRequest::new("vip").send(client).await?;
    println!("{}", created.tag.id);
    Ok(())
}

fn main() {
    let _ = create;
}
