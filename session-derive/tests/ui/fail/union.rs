use session_core::Session;

#[derive(Session)]
union Shop {
    a: u32,
    b: f32,
}

fn main() {}
