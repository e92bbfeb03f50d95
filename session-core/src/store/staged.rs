//! A save staged in a session's state, for
//! [`Store::save_staged`](super::Store::save_staged).

use super::{Changes, Record};
use crate::clock::Timestamp;
use crate::expiry::Meta;
use crate::state::State;

/// A save made ready: every field it writes encoded (and sealed) in the
/// session's state, not yet gathered into a [`Changes`]. A store that
/// holds its records in memory writes it straight into the live record
/// ([`Staged::write_into`]: no list of changes is built); any other
/// gathers it ([`Staged::into_changes`]). See
/// [`Store::save_staged`](super::Store::save_staged).
pub struct Staged<'a> {
    pub(crate) state: &'a mut State,
    pub(crate) expires_at: Timestamp,
    pub(crate) index: Vec<(String, Option<String>)>,
    /// How many fields the save writes (at most).
    pub(crate) written: usize,
}

impl Staged<'_> {
    /// The metadata the save writes.
    pub fn meta(&self) -> &Meta {
        self.state.meta()
    }

    /// The changes, gathered: what [`State::changes`] returns.
    pub fn into_changes(self) -> Changes {
        self.state
            .gather_changes(self.expires_at, self.index, self.written)
    }

    /// Writes the changes into `record`, as [`Changes::apply_owned`] does
    /// with [`Staged::into_changes`]' result, without gathering them.
    pub fn write_into(self, record: &mut Record) {
        self.state.write_staged(self.expires_at, self.index, record);
    }
}

impl std::fmt::Debug for Staged<'_> {
    /// Field names only, never values (private fields included).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staged")
            .field("state", &self.state)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}
