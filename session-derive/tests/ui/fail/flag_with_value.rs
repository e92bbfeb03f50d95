use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(private = true)]
    token: Option<String>,
}

fn main() {}
