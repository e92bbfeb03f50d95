use session_core::Session;

#[derive(Session)]
#[session(absolute = "30m1h")]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
