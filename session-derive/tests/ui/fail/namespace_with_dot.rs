use session_core::Session;

#[derive(Session)]
#[session(namespace = "shop.eu")]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
