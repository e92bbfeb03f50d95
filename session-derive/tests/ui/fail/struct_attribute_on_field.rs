use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(namespace = "shop")]
    cart: Vec<u32>,
}

fn main() {}
