use session_core::Session;

#[derive(Session)]
#[session(idle = 1800)]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
