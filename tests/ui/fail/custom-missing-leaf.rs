#[derive(devrev::CustomFields)]
struct TicketFields {
    impact: String,
}

fn main() {}
