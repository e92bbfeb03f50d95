use session_core::Session;

#[derive(Session)]
#[session(crate = "session core")]
struct Shop {
    cart: Vec<u32>,
}

fn main() {}
