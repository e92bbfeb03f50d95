use session_core::Session;

#[derive(Session)]
#[session(max_age = "401d")]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
