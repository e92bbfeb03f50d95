use session_core::Session;

#[derive(Session)]
#[session(expires = "1d")]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
