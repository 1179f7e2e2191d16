#[derive(devrev::CustomFields)]
#[custom(leaf = "ticket")]
enum TicketFields {
    Impact(String),
}

fn main() {}
