use session_core::Session;

fn default_lang() -> u32 {
    0
}

#[derive(Session)]
struct Shop {
    #[session(default = "default_lang")]
    language: String,
}

fn main() {}
