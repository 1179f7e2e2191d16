#[derive(devrev::CustomEnum)]
enum Impact {
    Low,
    High(u8),
}

fn main() {}
