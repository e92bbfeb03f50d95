use session_core::Session;

#[derive(serde::Serialize, serde::Deserialize)]
struct Money {
    cents: u64,
}

#[derive(Session)]
struct Shop {
    total: Money,
}

fn main() {}
