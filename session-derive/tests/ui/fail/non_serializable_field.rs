use session_core::Session;

#[derive(Default)]
struct Basket {
    items: Vec<u32>,
}

#[derive(Session)]
struct Shop {
    user_id: Option<u64>,
    cart: Basket,
}

fn main() {}
