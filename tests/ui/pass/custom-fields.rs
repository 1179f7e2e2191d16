//! Every accepted shape of `#[derive(CustomFields)]` and `#[derive(CustomEnum)]`.
#![deny(warnings)]

use devrev::custom_fields::{CustomFields, FieldType, Id};

#[derive(Debug, PartialEq, devrev::CustomEnum)]
pub enum Impact {
    Low,
    #[custom(rename = "very high")]
    VeryHigh,
}

/// Tenant fields of tickets, with every supported type.
#[derive(Debug, PartialEq, devrev::CustomFields)]
#[custom(leaf = "ticket")]
pub struct TicketFields {
    pub impact: Impact,
    pub r#type: Option<String>,
    #[custom(name = "users", filterable)]
    pub affected_users: Option<i64>,
    pub ratio: Option<f64>,
    pub flagged: bool,
    pub seen: Option<devrev::models::Timestamp>,
    pub related: Option<Id>,
    pub labels: Option<Vec<String>>,
    pub impacts: Vec<Impact>,
    pub counts: std::option::Option<Vec<i64>>,
}

#[derive(devrev::CustomFields)]
#[custom(subtype = "bug_report", leaf = "issue")]
struct BugReportFields {
    build: String,
}

#[derive(devrev::CustomFields)]
#[custom(leaf = "account", crate = ::devrev)]
struct Empty {}

fn main() {
    assert_eq!(TicketFields::FIELDS[1].wire, "tnt__type");
    assert_eq!(TicketFields::FIELDS[2].wire, "tnt__users");
    assert!(TicketFields::FIELDS[2].filterable);
    assert_eq!(TicketFields::FIELDS[0].allowed_values, &["Low", "very high"]);
    assert_eq!(TicketFields::FIELDS[8].field_type, FieldType::Enum);
    assert!(TicketFields::FIELDS[8].array && TicketFields::FIELDS[8].required);
    assert_eq!(BugReportFields::FIELDS[0].wire, "ctype__build");
    assert_eq!(BugReportFields::SUBTYPE, Some("bug_report"));
    let fields = BugReportFields { build: "1.2".into() };
    assert_eq!(fields.to_custom_fields()["ctype__build"], "1.2");
    assert_eq!(Empty::fragment().leaf_type, "account");
}
