use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(default = "default_lang")]
    language: String,
}

fn main() {}
