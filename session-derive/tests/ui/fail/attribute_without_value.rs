use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(max_age)]
    flash: Option<String>,
}

fn main() {}
