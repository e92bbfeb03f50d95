//! Revocation for cookie sessions (D8): a small server-side list of
//! logged-out session serials, kept in any [`Store`].
//!
//! Each cookie session carries a random serial under the reserved key
//! [`SERIAL_KEY`]. `flush` and `cycle_key` write the old serial into the
//! list (as an empty record that expires when the old cookie would have),
//! and a cookie whose serial is listed loads as an empty session. The list
//! holds only ended sessions, so it stays small; any store works (memory
//! for one process, Redis or SQL for many).

use std::fmt;
use std::sync::Arc;

use serde_json::value::to_raw_value;
use session_core::clock::Timestamp;
use session_core::error::StoreError;
use session_core::expiry::Meta;
use session_core::id::Id;
use session_core::state::State;
use session_core::store::{DynStore, Record, Store};

/// The reserved key holding a cookie session's serial.
pub const SERIAL_KEY: &str = "_sid";

/// The revocation list. Cheap to clone.
#[derive(Clone)]
pub struct Revocations {
    store: Arc<dyn DynStore>,
}

impl fmt::Debug for Revocations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Revocations")
    }
}

impl Revocations {
    /// Keeps revoked serials in `store`.
    pub fn new(store: impl Store) -> Self {
        Revocations {
            store: Arc::new(store),
        }
    }

    /// Whether `serial` was revoked.
    ///
    /// # Errors
    ///
    /// When the store failed (mapped to 503 by the layer: an outage does not
    /// silently accept revoked cookies, nor log everyone out).
    pub async fn is_revoked(&self, serial: &Id) -> Result<bool, StoreError> {
        Ok(self.store.load(serial).await?.is_some())
    }

    /// Revokes `serial` until `until` (when its cookie expires anyway).
    ///
    /// # Errors
    ///
    /// When the store failed.
    pub async fn revoke(
        &self,
        serial: &Id,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let record = Record::new(Meta::new(now), until);
        match self.store.create(serial, &record).await {
            Ok(()) | Err(StoreError::Collision) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The serial stored in a session, if any.
pub(crate) fn serial(state: &State) -> Option<Id> {
    state.with_raw(SERIAL_KEY, parse_serial).flatten()
}

/// Whether the session carries a valid serial ([`serial`] is `Some`),
/// checked without decoding it (this runs on every save).
pub(crate) fn has_serial(state: &State) -> bool {
    state
        .with_raw(SERIAL_KEY, |raw| match raw {
            [b'"', inner @ .., b'"'] => Id::is_valid_text(inner),
            _ => parse_serial(raw).is_some(),
        })
        .unwrap_or(false)
}

/// A serial from its JSON. Ids need no escapes, so the form every serial is
/// written in, `"…"`, is read as bytes without serde_json (this
/// runs on every save of a cookie session); anything else goes through
/// serde_json. Both give the same result: what is not a JSON string of id
/// characters is `None`.
fn parse_serial(raw: &[u8]) -> Option<Id> {
    match raw {
        // Id characters need no escape; a backslash (an escape, which
        // serde_json could not borrow either) is not one of them.
        [b'"', inner @ .., b'"'] => Id::parse_bytes(inner).ok(),
        _ => Id::parse(serde_json::from_slice::<&str>(raw).ok()?).ok(),
    }
}

/// Gives the session a fresh serial.
pub(crate) fn new_serial(state: &mut State, serial: &Id) {
    let raw = to_raw_value(&serial.to_string()).expect("a string always serializes");
    state.set_raw(SERIAL_KEY, raw);
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_core::config::Config;

    /// The plain-string fast path reads exactly what serde_json reads.
    #[test]
    fn parse_serial_agrees_with_serde_json() {
        let id = Id::parse(&"A".repeat(session_core::id::ID_LEN)).unwrap();
        let text = id.to_string();
        let by_serde = |raw: &[u8]| Id::parse(serde_json::from_slice::<&str>(raw).ok()?).ok();
        let cases: Vec<Vec<u8>> = vec![
            format!("\"{text}\"").into(),
            format!(" \"{text}\" ").into(),
            format!("\"{}\\u0041\"", &text[1..]).into(),
            format!("\"{text}").into(),
            format!("\"{text}\"x").into(),
            format!("\"{}\"", &text[1..]).into(),
            format!("\"{}\"\"", &text[1..]).into(),
            format!("\"{}\\\"", &text[1..]).into(),
            b"\"\"".to_vec(),
            b"\"".to_vec(),
            b"1".to_vec(),
            b"null".to_vec(),
            vec![b'"', 0xff, b'"'],
            Vec::new(),
        ];
        assert_eq!(parse_serial(&cases[0]), Some(id));
        for raw in &cases {
            let mut state = State::new(Arc::new(Config::new()));
            if let Ok(value) =
                serde_json::value::RawValue::from_string(String::from_utf8_lossy(raw).into_owned())
            {
                state.set_raw(SERIAL_KEY, value);
                assert_eq!(has_serial(&state), serial(&state).is_some(), "{raw:?}");
            }
            assert_eq!(
                parse_serial(raw),
                by_serde(raw),
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
        // An escaped form cannot be borrowed by serde_json: `None`, as
        // before the fast path.
        assert_eq!(parse_serial(&cases[2]), None);
    }
}
