//! Hand-written schemas: exactly what `#[derive(Session)]` generates (a
//! static [`SchemaSpec`], an accessor wrapping [`Handle`] with a getter,
//! setter, `_mut` guard and `take_` per field), used by the HTTP suites
//! until the derive lands.

use std::ops::Deref;

use session_core::session::{Ref, RefMut};
use session_core::{FieldSpec, Handle, Schema, SchemaSpec};

/// A shop session: a user, a cart, and a private payment token.
#[derive(Debug, Default)]
pub struct Shop {
    /// The logged-in user.
    pub user_id: Option<u64>,
    /// Items in the cart.
    pub cart: Vec<String>,
    /// Sealed even inside a signed cookie.
    pub payment_token: Option<String>,
}

static SHOP_FIELDS: [FieldSpec; 3] = [
    FieldSpec::new("user_id", "user_id"),
    FieldSpec::new("cart", "cart"),
    FieldSpec {
        private: true,
        ..FieldSpec::new("payment_token", "payment_token")
    },
];

static SHOP_SPEC: SchemaSpec = SchemaSpec {
    name: "Shop",
    namespace: "",
    fields: &SHOP_FIELDS,
    max_age: None,
    idle: None,
    absolute: None,
};

impl Schema for Shop {
    const SPEC: &'static SchemaSpec = &SHOP_SPEC;
    type Accessor = ShopAccess;
}

/// The accessor type `Session<Shop>` dereferences to.
#[derive(Debug, Clone)]
pub struct ShopAccess(Handle);

impl From<Handle> for ShopAccess {
    fn from(h: Handle) -> Self {
        ShopAccess(h)
    }
}

impl Deref for ShopAccess {
    type Target = Handle;
    fn deref(&self) -> &Handle {
        &self.0
    }
}

impl ShopAccess {
    /// The user id.
    pub fn user_id(&self) -> Ref<'_, Option<u64>> {
        self.0.get(&SHOP_FIELDS[0], Default::default)
    }
    /// Sets the user id.
    pub fn set_user_id(&self, v: Option<u64>) {
        self.0.set(&SHOP_FIELDS[0], v);
    }
    /// The cart.
    pub fn cart(&self) -> Ref<'_, Vec<String>> {
        self.0.get(&SHOP_FIELDS[1], Default::default)
    }
    /// The cart, for writing.
    pub fn cart_mut(&self) -> RefMut<'_, Vec<String>> {
        self.0.get_mut(&SHOP_FIELDS[1], Default::default)
    }
    /// Sets the cart.
    pub fn set_cart(&self, v: Vec<String>) {
        self.0.set(&SHOP_FIELDS[1], v);
    }
    /// Removes and returns the cart.
    pub fn take_cart(&self) -> Vec<String> {
        self.0.take(&SHOP_FIELDS[1], Default::default)
    }
    /// The payment token.
    pub fn payment_token(&self) -> Ref<'_, Option<String>> {
        self.0.get(&SHOP_FIELDS[2], Default::default)
    }
    /// Sets the payment token.
    pub fn set_payment_token(&self, v: Option<String>) {
        self.0.set(&SHOP_FIELDS[2], v);
    }
}
