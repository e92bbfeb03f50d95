//! Every attribute at once, as in the example.

use serde::{Deserialize, Serialize};
use session_core::Session;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub sku: String,
    pub qty: u32,
}

fn default_lang() -> String {
    "en".to_owned()
}

/// The shop's session.
#[derive(Session, Default)]
#[session(max_age = "14d", idle = "30m", absolute = "30d", namespace = "shop")]
pub struct Shop {
    user_id: Option<u64>,
    #[session(index)]
    account: Option<String>,
    /// What is in the basket.
    cart: Vec<Item>,
    #[session(private)]
    payment_token: Option<String>,
    #[session(max_age = "5m")]
    flash: Option<String>,
    #[session(rename = "lang", default = "default_lang")]
    language: String,
    #[session(client)]
    theme: String,
    #[session(skip)]
    scratch: Vec<u8>,
}

fn main() {
    use session_core::schema::Schema;
    let spec = <Shop as Schema>::SPEC;
    assert_eq!(spec.namespace, "shop");
    assert_eq!(spec.fields.len(), 7);
    assert_eq!(spec.fields[5].key, "shop.lang");

    let handle = session_core::Handle::empty(std::sync::Arc::new(session_core::Config::new()));
    let shop: session_core::Session<Shop> = handle.typed();
    assert_eq!(*shop.language(), "en");
    shop.set_user_id(Some(7));
    shop.cart_mut().push(Item { sku: "a".into(), qty: 1 });
    assert_eq!(shop.take_cart().len(), 1);
    shop.reset_flash();
    let _: ShopSession = ShopSession::from(handle.clone());
    let whole = shop.take_all();
    assert_eq!(whole.user_id, Some(7));
    assert!(whole.scratch.is_empty());
    shop.set_all(whole);
    shop.cycle_key();
}
