use session_core::Session;

#[derive(Session)]
struct Shop(Vec<u32>, Option<u64>);

fn main() {}
