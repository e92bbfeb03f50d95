use session_core::Session;

#[derive(Session)]
struct Shop {
    #[session(rename = "_auth_user_id")]
    user_id: Option<u64>,
}

fn main() {}
