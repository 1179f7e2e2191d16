#[derive(devrev::CustomFields)]
#[custom(subtype = "bug_report")]
struct BugReportFields {
    build: String,
}

fn main() {}
