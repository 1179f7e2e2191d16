#[derive(devrev::CustomFields)]
#[custom(leaf = "ticket", leaf_type = "ticket")]
struct TicketFields {
    impact: String,
}

fn main() {}
