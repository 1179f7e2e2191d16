use std::collections::HashMap;

#[derive(devrev::CustomFields)]
#[custom(leaf = "ticket")]
struct TicketFields {
    impact: String,
    labels: Option<HashMap<String, String>>,
}

fn main() {}
