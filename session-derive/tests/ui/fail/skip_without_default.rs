use session_core::Session;

struct Connection {
    fd: i32,
}

#[derive(Session)]
struct Shop {
    cart: Vec<u32>,
    #[session(skip)]
    db: Connection,
}

fn main() {}
