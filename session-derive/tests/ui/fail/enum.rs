use session_core::Session;

#[derive(Session)]
enum Shop {
    Empty,
    Full { cart: Vec<u32> },
}

fn main() {}
