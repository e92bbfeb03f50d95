use session_core::Session;

#[derive(Session)]
#[session(max_age = "30x")]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
