//! Logging in and out on a session, with Django's rules (D7).
//!
//! The bound user is kept under the reserved key `_auth_user` (a leading
//! `_` cannot clash with a schema field).
//!
//! * [`login`] of an anonymous session **cycles** its id (fixation defence,
//!   D5) and keeps its data (an anonymous cart survives login).
//! * [`login`] of a session bound to **another** user empties it and gives
//!   it a new id: nothing of the previous user survives (Django's `flush`
//!   in `login()`, CVE-2014-0482). The same user logging in again cycles.
//! * [`logout`] flushes: data cleared, record and cookie deleted (D6).
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use session_core::{Config, Handle, auth};
//!
//! let session = Handle::empty(Arc::new(Config::new()));
//! assert_eq!(auth::login(&session, "alice"), auth::Login::Cycled);
//! assert_eq!(auth::user(&session).as_deref(), Some("alice"));
//! assert_eq!(auth::login(&session, "bob"), auth::Login::Flushed);
//! ```

use serde_json::value::to_raw_value;

use crate::session::Handle;

/// The reserved key holding the logged-in user.
pub const USER_KEY: &str = "_auth_user";

/// What [`login`] did to the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Login {
    /// Anonymous or the same user: new id, data kept.
    Cycled,
    /// Bound to another user: emptied, new id.
    Flushed,
}

/// The user bound to the session, if any.
pub fn user(session: &Handle) -> Option<String> {
    let raw = session.lock().get_raw(USER_KEY)?;
    serde_json::from_str(raw.get()).ok()
}

/// Binds `user` to the session; see the [module docs](self).
pub fn login(session: &Handle, user_id: &str) -> Login {
    let previous = user(session);
    let mut s = session.lock();
    let outcome = match previous {
        Some(p) if p != user_id => {
            // Django flushes here; our flush would delete the session at
            // commit, so clear + cycle gives the same result (old record
            // deleted, nothing kept, new id) and keeps the new login.
            s.clear();
            Login::Flushed
        }
        _ => Login::Cycled,
    };
    s.cycle_key();
    s.set_raw(
        USER_KEY,
        to_raw_value(user_id).expect("a string always serializes"),
    );
    outcome
}

/// Logs out: flushes the session (D6).
pub fn logout(session: &Handle) {
    session.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::Config;

    #[test]
    fn login_other_user_clears_previous_data_d7() {
        let s = Handle::empty(Arc::new(Config::new()));
        s.lock()
            .set_raw("cart", to_raw_value(&[1, 2]).expect("serializes"));
        assert_eq!(login(&s, "alice"), Login::Cycled);
        assert!(s.lock().get_raw("cart").is_some(), "anonymous data kept");
        assert_eq!(login(&s, "alice"), Login::Cycled);
        assert_eq!(login(&s, "bob"), Login::Flushed);
        assert!(s.lock().get_raw("cart").is_none(), "alice's data gone");
        assert_eq!(user(&s).as_deref(), Some("bob"));
        assert!(s.lock().is_cycled());
    }
}
