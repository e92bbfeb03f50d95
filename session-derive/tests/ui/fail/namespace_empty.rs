use session_core::Session;

#[derive(Session)]
#[session(namespace = "")]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
