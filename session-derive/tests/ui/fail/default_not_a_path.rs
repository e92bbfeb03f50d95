use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(default = "|| String::new()")]
    language: String,
}

fn main() {}
