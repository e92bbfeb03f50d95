use session_core::Session;

#[derive(Session)]
struct Shop {
    _auth_user_id: Option<u64>,
}

fn main() {}
