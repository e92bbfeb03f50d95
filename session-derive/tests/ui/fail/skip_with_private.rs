use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(skip, private)]
    scratch: Vec<u8>,
}

fn main() {}
