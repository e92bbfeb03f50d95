use session_core::Session;

#[derive(Session)]
struct Shop {
    test_cookie: bool,
}

fn main() {}
