#[derive(devrev::CustomFields)]
#[custom(leaf = "ticket")]
struct TicketFields {
    impact: String,
    #[custom(name = "impact")]
    impact_level: Option<i64>,
}

fn main() {}
