#[derive(devrev::CustomEnum)]
enum Impact {
    #[custom(rename = "high")]
    Severe,
    #[custom(rename = "high")]
    High,
}

fn main() {}
