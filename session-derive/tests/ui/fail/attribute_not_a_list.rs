use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session]
    token: Option<String>,
}

fn main() {}
