use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(private, private)]
    token: Option<String>,
}

fn main() {}
