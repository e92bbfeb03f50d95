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
    // Ids need no escapes: a borrowed `&str` reads any valid serial.
    let parse = |b: &[u8]| Id::parse(serde_json::from_slice::<&str>(b).ok()?).ok();
    state.with_raw(SERIAL_KEY, parse).flatten()
}

/// Gives the session a fresh serial.
pub(crate) fn new_serial(state: &mut State, serial: &Id) {
    let raw = to_raw_value(&serial.to_string()).expect("a string always serializes");
    state.set_raw(SERIAL_KEY, raw);
}
