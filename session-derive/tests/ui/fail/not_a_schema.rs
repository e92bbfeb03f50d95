struct Plain {
    cart: Vec<u32>,
}

fn handler(_shop: session_core::Session<Plain>) {}

fn main() {}
