use session_core::Session;

#[derive(Session)]
#[session(namespace = "shop")]
#[session(namespace = "store")]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
