use session_core::Session;

#[derive(Session)]
struct Shop;

fn main() {}
