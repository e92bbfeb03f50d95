//! Persistence: what a save sends (`Changes`), the whole record, and the
//! bookkeeping after a save.

use super::*;

impl State {
    /// Whether a commit should write this session: when it was modified,
    /// or when `force` applies (save every request, re-seal under a new
    /// key) to a session already `stored`. A session never stored and still
    /// empty is never written (J2). Flushed sessions are the caller's case.
    pub fn wants_save(&self, stored: bool, force: bool) -> bool {
        let wanted = self.is_modified() || (force && stored);
        wanted && (stored || !self.is_empty())
    }

    // ----- persistence -----

    /// The changes to save, with the metadata as of `now`. Encodes only the
    /// dirty fields (and private fields sealed under a fallback key).
    ///
    /// # Errors
    ///
    /// [`FieldError`] if a value does not serialize or a private field has
    /// no keys to seal with.
    pub fn changes(&mut self) -> Result<Changes, FieldError> {
        // Sized once: every field written is dirty (or resealed).
        let written = self.slots.values().filter(|s| s.dirty || s.reseal).count();
        let mut set = Vec::with_capacity(written);
        // Private and indexed values are encoded (and sealed) one by one;
        // plain ones are deferred and encoded below into one shared buffer
        // (one allocation for all of them, not two per field).
        let (expires_at, index) = self.encode_pending(true, |key, raw, deadline| {
            set.push((key.to_cow(), raw.clone(), deadline));
        })?;
        let deferred = self.slots.values().filter(|s| s.is_deferred());
        let room: usize = deferred.map(Slot::encoded_len_hint).sum();
        // Fields encoded above come first in `set`; with none, the deferred
        // ones below are appended in key order already.
        let sorted = set.is_empty();
        if room > 0 {
            let mut buf = Vec::with_capacity(room);
            for (key, slot) in self.slots.iter_keyed_mut() {
                if !slot.is_deferred() {
                    continue;
                }
                let value = slot.value.as_ref().expect("deferred slots hold a value");
                value
                    .encode_to(&mut buf)
                    .map_err(|source| FieldError::Encode {
                        field: key.as_str().to_owned(),
                        source,
                    })?;
                // The hint has served: it now marks where this value ends
                // (it starts where the one before it ended), so no list of
                // ranges is allocated.
                slot.size_hint = buf.len();
            }
            let buf = bytes::Bytes::from(buf);
            // With no record buffer in use (a state built from a `Record`
            // or new), this buffer becomes it: the slots keep ranges into
            // it rather than a reference count each.
            let adopt = self.buf.is_empty();
            let mut start = 0;
            for (key, slot) in self.slots.iter_keyed_mut() {
                if !slot.is_deferred() {
                    continue;
                }
                let range = start..slot.size_hint;
                start = slot.size_hint;
                let raw = RawJson::from_shared(buf.slice(range.clone()));
                slot.raw = Some(if adopt {
                    Stored::InBuf(range, false)
                } else {
                    Stored::Json(raw.clone())
                });
                set.push((key.to_cow(), raw, slot.deadline));
            }
            if adopt {
                self.buf = buf;
            }
            if !sorted {
                // In key order, as before the split.
                set.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            }
        }
        Ok(Changes {
            meta: self.meta,
            expires_at,
            set,
            removed: self.removed.clone(),
            index,
        })
    }

    /// Stamps the metadata with `now`, encodes every slot that must be
    /// written (dirty, or sealed under a fallback key) into its own `raw`,
    /// reporting each to `written`, and folds index changes into the loaded
    /// index. Returns the new expiry and the index changes.
    ///
    /// With `defer_plain`, dirty values that are neither private nor
    /// indexed are not encoded here: their `raw` is cleared and the caller
    /// encodes them straight into its output (see
    /// [`Slot::is_deferred`]), then stores their bytes.
    pub(super) fn encode_pending(
        &mut self,
        defer_plain: bool,
        mut written: impl FnMut(&SlotKey, &RawJson, Option<Timestamp>),
    ) -> Result<(Timestamp, IndexChanges), FieldError> {
        let now = self.config.clock().now();
        self.meta.modified = now;
        let expires_at = self.policy.expires_at(&self.meta);
        let config = &*self.config;
        for (slot_key, slot) in self.slots.iter_keyed_mut() {
            if !(slot.dirty || slot.reseal && slot.value.is_some()) {
                continue;
            }
            if slot.dirty {
                slot.deadline = slot
                    .spec
                    .and_then(|s| s.max_age)
                    .map(|a| now.saturating_add(a));
            }
            if defer_plain
                && slot.value.is_some()
                && slot.spec.is_some_and(|s| !s.private && !s.index)
            {
                slot.drop_raw();
                continue;
            }
            // A slot set through `set_raw` already holds its bytes.
            let key = slot_key.as_str();
            if let Some(raw) = encode_slot(config, &self.binding, key, slot)? {
                slot.raw = Some(Stored::Json(raw));
            }
            // Just encoded, or set through `set_raw`: JSON either way.
            match slot.raw.as_ref().map(|r| r.json(&self.buf)) {
                Some(Ok(raw)) => written(slot_key, &raw, slot.deadline),
                _ => tracing::warn!(field = key, "session field has no bytes to write"),
            }
        }
        let index = self.index_changes();
        for (name, value) in &index {
            match value {
                Some(v) => self.loaded_index.insert(name.clone(), v.clone()),
                None => self.loaded_index.remove(name),
            };
        }
        Ok((expires_at, index))
    }

    /// The whole record as of `now` (for new sessions, cycled ids and
    /// cookie stores). Unknown fields are included unchanged.
    ///
    /// # Errors
    ///
    /// As [`State::changes`].
    pub fn to_record(&mut self) -> Result<Record, FieldError> {
        // Encoded fields stay in their slots; each is copied once, below.
        let (expires_at, _) = self.encode_pending(false, |_, _, _| {})?;
        let mut record = Record::new(self.meta, expires_at);
        record.binding = self.binding.as_str().to_owned();
        // Slots are in key order: each map is built in one bulk pass.
        for (key, slot) in self.slots.iter() {
            let Some(stored) = &slot.raw else { continue };
            let raw = match stored.json(&self.buf) {
                Ok(raw) => raw.into_owned(),
                Err(reason) => {
                    // Only a corrupted deflated field: dropped, as a field
                    // that does not decode is reset.
                    tracing::warn!(field = key, reason, "session field dropped");
                    continue;
                }
            };
            record.fields.insert(key.to_owned(), raw);
            if let Some(deadline) = slot.deadline {
                record.deadlines.insert(key.to_owned(), deadline);
            }
        }
        record.index = self.loaded_index.clone();
        Ok(record)
    }

    pub(super) fn index_changes(&self) -> IndexChanges {
        let indexed = |s: &Slot| s.dirty && s.spec.is_some_and(|spec| spec.index);
        if self.removed.is_empty() && !self.slots.values().any(indexed) {
            return Vec::new(); // The usual save: no index changes.
        }
        let mut out: Vec<(String, Option<String>)> = self
            .slots
            .values()
            .filter_map(|slot| {
                let spec = slot.spec.filter(|s| s.index && slot.dirty)?;
                let buf = &self.buf;
                let text = slot
                    .raw
                    .as_ref()
                    .and_then(|r| index_text(&*r.json(buf).ok()?));
                Some((spec.key.to_owned(), text))
            })
            .collect();
        out.extend(self.removed.iter().map(|k| (k.clone(), None)));
        out
    }

    /// Marks the state as saved under `id`: clears dirty bits and flags.
    pub(crate) fn mark_saved(&mut self, id: Option<Id>) {
        self.id = id;
        self.is_new = id.is_none() && self.is_new;
        if id.is_some() {
            self.is_new = false;
        }
        for slot in self.slots.values_mut() {
            slot.dirty = false;
            slot.reseal = false;
        }
        self.removed.clear();
        self.modified = false;
        self.cycled = false;
        self.flushed = false;
    }
}

/// Index values that changed, by stored key (`None`: no longer indexed).
type IndexChanges = Vec<(String, Option<String>)>;

/// The text form of an indexed value: strings as themselves, `null` as no
/// value, anything else as its JSON.
fn index_text(raw: &RawJson) -> Option<String> {
    match serde_json::from_slice::<serde_json::Value>(raw.as_bytes()).ok()? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}
