use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(rename = "lang")]
    language: String,
    #[session(rename = "lang")]
    locale: String,
}

fn main() {}
