use session_core::Session;

#[derive(Session)]
struct Shop<'a> {
    name: &'a str,
}

fn main() {}
