use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(private, client)]
    token: Option<String>,
}

fn main() {}
