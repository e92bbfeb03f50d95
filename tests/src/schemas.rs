//! The schemas the HTTP suites use, made with `#[derive(Session)]`.

use session_core::Session;

/// A shop session: a user, a cart, and a private payment token.
#[derive(Session, Default)]
pub struct Shop {
    /// The logged-in user.
    user_id: Option<u64>,
    /// Items in the cart.
    cart: Vec<String>,
    /// Sealed even inside a signed cookie.
    #[session(private)]
    payment_token: Option<String>,
}
