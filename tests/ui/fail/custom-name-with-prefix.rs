#[derive(devrev::CustomFields)]
#[custom(leaf = "ticket")]
struct TicketFields {
    #[custom(name = "tnt__impact")]
    impact: String,
}

fn main() {}
