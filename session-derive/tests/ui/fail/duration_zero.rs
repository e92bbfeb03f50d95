use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(max_age = "0s")]
    flash: Option<String>,
}

fn main() {}
