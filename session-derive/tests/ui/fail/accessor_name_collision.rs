use session_core::Session;

#[derive(Session)]
struct Shop {
    name: String,
    set_name: bool,
}

fn main() {}
