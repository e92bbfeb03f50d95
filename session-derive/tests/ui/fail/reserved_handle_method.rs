use session_core::Session;

#[derive(Session)]
struct Shop {
    flush: bool,
}

fn main() {}
