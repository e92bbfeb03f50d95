use session_core::Session;

#[derive(Session)]
#[session(max_age = "14days", namespace = "shop")]
struct Shop {
    #[session(private, client)]
    token: Option<String>,
    #[session(max_age = "0m")]
    flash: Option<String>,
    #[session(secret)]
    note: String,
    _hidden: bool,
}

fn main() {}
