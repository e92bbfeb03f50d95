//! One bad attribute gives one error: the stub impls emitted alongside keep
//! every use of the type below compiling (no "not a session schema", no "no
//! method named `cart`").

use session_core::Session;

#[derive(Session)]
#[session(namespace = "shop")]
struct Shop {
    #[session(max_age = "five minutes")]
    flash: Option<String>,
    cart: Vec<u32>,
}

fn handler(shop: Session<Shop>) -> usize {
    shop.set_flash(Some("saved".to_owned()));
    shop.cart_mut().push(1);
    let n = shop.cart().len();
    shop.cycle_key();
    let _accessor: &ShopSession = &shop;
    n
}

fn main() {
    let _ = handler;
}
