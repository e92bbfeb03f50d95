use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(max_age = "30")]
    flash: Option<String>,
}

fn main() {}
