use session_core::Session;

#[derive(Session)]
#[session(private)]
struct Shop {
    token: Option<String>,
}

fn main() {}
