use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(private, index)]
    account: Option<String>,
}

fn main() {}
