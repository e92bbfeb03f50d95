use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(secret)]
    token: Option<String>,
}

fn main() {}
