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
use session_core::base64url;
use session_core::clock::Timestamp;
use session_core::error::StoreError;
use session_core::expiry::Meta;
use session_core::id::{ID_LEN, Id};
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

/// Bytes of a serial: 128 random bits. A serial is not a credential (it
/// rides inside the signed or sealed cookie); it only has to be unique, and
/// every byte of it is carried, signed or sealed and base64-coded on every
/// request, so it is half an id.
pub const SERIAL_BYTES: usize = 16;
/// Length of a serial's text form (base64url, no padding).
pub const SERIAL_LEN: usize = 22;

/// The serial stored in a session, if any, as the key of its entry in the
/// revocation list.
pub(crate) fn serial(state: &State) -> Option<Id> {
    state.with_raw(SERIAL_KEY, parse_serial).flatten()
}

/// Whether the session carries a valid serial ([`serial`] is `Some`),
/// checked without decoding it (this runs on every save).
pub(crate) fn has_serial(state: &State) -> bool {
    state
        .with_raw(SERIAL_KEY, |raw| match raw {
            // Either length, canonical (each check refuses the other's).
            [b'"', inner @ .., b'"'] => {
                base64url::is_canonical(inner, SERIAL_BYTES) || Id::is_valid_text(inner)
            }
            _ => parse_serial(raw).is_some(),
        })
        .unwrap_or(false)
}

/// A serial from its JSON: 22 characters (128 bits), or the 43 of an id
/// that cookies made before serials were shortened carry. Serial characters
/// need no escapes, so the form every serial is written in, `"…"`, is read
/// as bytes without serde_json (this runs on every save of a cookie
/// session); anything else goes through serde_json. Both give the same
/// result: what is not a JSON string of a serial is `None`.
fn parse_serial(raw: &[u8]) -> Option<Id> {
    match raw {
        // A backslash (an escape, which serde_json could not borrow
        // either) is not a serial character.
        [b'"', inner @ .., b'"'] => serial_key(inner),
        _ => serial_key(serde_json::from_slice::<&str>(raw).ok()?.as_bytes()),
    }
}

/// The revocation-list key of a serial's text: a legacy 43-character serial
/// is an id already; a 22-character one is the first half of an id's text
/// (its 128 bits, then zeros), so the two forms never name the same entry
/// by chance.
fn serial_key(text: &[u8]) -> Option<Id> {
    if text.len() != SERIAL_LEN {
        return Id::parse_bytes(text).ok();
    }
    // Canonical first: otherwise the last symbol's unused bits would spill
    // into the id's second half.
    if !base64url::is_canonical(text, SERIAL_BYTES) {
        return None;
    }
    let mut id = [b'A'; ID_LEN]; // 'A' is a zero symbol
    id[..SERIAL_LEN].copy_from_slice(text);
    Id::parse_bytes(&id).ok()
}

/// Gives the session a fresh serial: the first 128 bits of `fresh`, an id
/// just drawn from the configured generator.
pub(crate) fn new_serial(state: &mut State, fresh: &Id) {
    let mut text = [0u8; SERIAL_LEN];
    let text = base64url::encode_slice(&fresh.as_bytes()[..SERIAL_BYTES], &mut text);
    let raw = to_raw_value(text).expect("a string always serializes");
    state.set_raw(SERIAL_KEY, raw);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;
    use session_core::config::Config;
    use session_core::id::ID_BYTES;

    fn with_serial(raw: &str) -> Option<State> {
        let value = RawValue::from_string(raw.to_owned()).ok()?;
        let mut state = State::new(Arc::new(Config::new()));
        state.set_raw(SERIAL_KEY, value);
        Some(state)
    }

    /// The plain-string fast path reads exactly what serde_json reads, for
    /// serials of both lengths, and `has_serial` agrees with `serial`.
    #[test]
    fn parse_serial_agrees_with_serde_json() {
        let legacy = Id::parse(&"A".repeat(ID_LEN)).unwrap().to_string();
        let short = "B".repeat(SERIAL_LEN - 1) + "A";
        let by_serde =
            |raw: &[u8]| serial_key(serde_json::from_slice::<&str>(raw).ok()?.as_bytes());
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for text in [&legacy, &short] {
            cases.extend([
                format!("\"{text}\"").into(),
                format!(" \"{text}\" ").into(),
                format!("\"{}\\u0041\"", &text[1..]).into(),
                format!("\"{text}").into(),
                format!("\"{text}\"x").into(),
                format!("\"{}\"", &text[1..]).into(),
                format!("\"{text}A\"").into(),
                format!("\"{}\"\"", &text[1..]).into(),
                format!("\"{}\\\"", &text[1..]).into(),
                // The last symbol carries bits past the end: not canonical.
                format!("\"{}B\"", &text[..text.len() - 1]).into(),
            ]);
        }
        cases.extend([
            b"\"\"".to_vec(),
            b"\"".to_vec(),
            b"1".to_vec(),
            b"null".to_vec(),
            vec![b'"', 0xff, b'"'],
            Vec::new(),
        ]);
        assert!(parse_serial(format!("\"{legacy}\"").as_bytes()).is_some());
        assert!(parse_serial(format!("\"{short}\"").as_bytes()).is_some());
        for raw in &cases {
            let shown = String::from_utf8_lossy(raw);
            if let Some(state) = with_serial(&shown) {
                assert_eq!(has_serial(&state), serial(&state).is_some(), "{shown}");
            }
            assert_eq!(parse_serial(raw), by_serde(raw), "{shown}");
        }
        // An escaped form cannot be borrowed by serde_json: `None`, as
        // before the fast path.
        assert_eq!(parse_serial(&cases[2]), None);
    }

    /// D8: a fresh serial is 22 characters and reads back as the same
    /// revocation key every time; a cookie made before serials were
    /// shortened still names its own entry; different serials name
    /// different entries.
    #[test]
    fn serials_are_short_and_old_ones_still_name_their_entry_d8() {
        let mut state = State::new(Arc::new(Config::new()));
        let fresh = Id::generate();
        new_serial(&mut state, &fresh);
        let text = state.with_raw(SERIAL_KEY, <[u8]>::to_vec).unwrap();
        assert_eq!(
            text.len(),
            SERIAL_LEN + 2,
            "{}",
            String::from_utf8_lossy(&text)
        );
        assert!(has_serial(&state));
        let key = serial(&state).unwrap();
        assert_eq!(serial(&state), Some(key));
        assert_eq!(
            &key.as_bytes()[..SERIAL_BYTES],
            &fresh.as_bytes()[..SERIAL_BYTES]
        );
        assert_eq!(
            &key.as_bytes()[SERIAL_BYTES..],
            &[0u8; ID_BYTES - SERIAL_BYTES]
        );
        let mut other = State::new(Arc::new(Config::new()));
        new_serial(&mut other, &Id::generate());
        assert_ne!(serial(&other), Some(key));
        let legacy = Id::generate();
        let old = with_serial(&format!("\"{legacy}\"")).unwrap();
        assert!(has_serial(&old));
        assert_eq!(serial(&old), Some(legacy));
    }
}
