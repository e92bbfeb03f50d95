use session_core::Session;

#[derive(Session)]
struct Shop {
    lang: String,
    #[session(rename = "lang")]
    language: String,
}

fn main() {}
