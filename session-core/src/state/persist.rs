//! Persistence: what a save sends (`Changes`), the whole record, and the
//! bookkeeping after a save.

use super::*;

use crate::store::Staged;

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
        self.stage().map(Staged::into_changes)
    }

    /// Makes a save ready: stamps the metadata with `now` and encodes (and
    /// seals) every field it writes into its slot, without gathering them
    /// into a [`Changes`]. Everything that can fail happens here: what
    /// follows ([`Staged::write_into`] or [`Staged::into_changes`]) cannot.
    ///
    /// # Errors
    ///
    /// As [`State::changes`].
    pub(crate) fn stage(&mut self) -> Result<Staged<'_>, FieldError> {
        // Private and indexed values are encoded (and sealed) one by one;
        // plain ones are deferred and encoded below into one shared buffer
        // (one allocation for all of them, not two per field).
        // Fields written counted here: the change set is sized without
        // another pass over the slots.
        let (mut room, mut written) = (0, 0);
        let (expires_at, index) = self.encode_pending(true, |s| {
            written += 1;
            if s.is_deferred() {
                room += s.encoded_len_hint();
            }
        })?;
        if room > 0 {
            self.encode_deferred(room)?;
        }
        Ok(Staged {
            state: self,
            expires_at,
            index,
            written,
        })
    }

    /// Encodes the deferred values into one buffer of `room` bytes, and
    /// points each slot at its bytes in it.
    fn encode_deferred(&mut self, room: usize) -> Result<(), FieldError> {
        let mut buf = Vec::with_capacity(room);
        // With no record buffer in use (a state built from a `Record` or
        // new), this buffer becomes it: each slot takes its range as it
        // is encoded (one pass; the slots keep ranges into it rather than
        // a reference count each). A value that fails to encode stops
        // the pass; the buffer is still adopted, so the ranges taken hold.
        let adopt = self.buf.is_empty();
        let mut failed = None;
        for (key, slot) in self.slots.iter_keyed_mut() {
            if !slot.is_deferred() {
                continue;
            }
            let value = slot.value.as_ref().expect("deferred slots hold a value");
            let start = buf.len();
            if let Err(source) = value.encode_to(&mut buf) {
                failed = Some(FieldError::Encode {
                    field: key.as_str().to_owned(),
                    source,
                });
                break;
            }
            if adopt {
                slot.raw = Some(Stored::InBuf(start..buf.len(), false));
            } else {
                // The hint has served: it now marks where this value ends
                // (it starts where the one before it ended), so no list
                // of ranges is allocated.
                slot.size_hint = buf.len();
            }
        }
        let buf = Bytes::from(buf);
        if adopt {
            self.buf = buf;
        } else if failed.is_none() {
            let mut start = 0;
            for slot in self.slots.values_mut() {
                if !slot.is_deferred() {
                    continue;
                }
                let range = start..slot.size_hint;
                start = slot.size_hint;
                slot.raw = Some(Stored::Json(RawJson::from_shared(buf.slice(range))));
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// The fields a staged save writes, in key order, with their bytes
    /// and deadlines: every slot that [`State::encode_pending`] (or
    /// [`State::encode_deferred`]) just encoded.
    fn staged_fields(
        &mut self,
    ) -> impl Iterator<Item = (&SlotKey, RawJson, Option<Timestamp>)> + '_ {
        let buf = &self.buf;
        self.slots
            .iter_keyed_mut()
            .filter_map(move |(key, slot)| Some((key, staged_raw(slot, buf)?, slot.deadline)))
    }

    /// [`Staged::into_changes`]: the staged fields gathered, sized once
    /// (`written`: as many as the stage counted).
    pub(crate) fn gather_changes(
        &mut self,
        expires_at: Timestamp,
        index: IndexChanges,
        written: usize,
    ) -> Changes {
        let mut set = Vec::with_capacity(written);
        // A plain loop, not `staged_fields`: its closure was called, not
        // inlined, once a field. With `Stored::json` and `SlotKey::to_cow`
        // in line and no counting pass, derive probe: 99,436 -> 98,865
        // instructions.
        let buf = &self.buf;
        for (key, slot) in self.slots.iter_keyed_mut() {
            if let Some(raw) = staged_raw(slot, buf) {
                set.push((key.to_cow(), raw, slot.deadline));
            }
        }
        Changes {
            meta: self.meta,
            expires_at,
            set,
            // Usually none: no call to clone an empty list.
            removed: match self.removed.is_empty() {
                true => Vec::new(),
                false => self.removed.clone(),
            },
            index,
        }
    }

    /// [`Staged::write_into`]: the staged save applied to `record` in
    /// place, as [`Changes::apply_owned`] would apply the gathered changes.
    pub(crate) fn write_staged(
        &mut self,
        expires_at: Timestamp,
        index: IndexChanges,
        record: &mut Record,
    ) {
        crate::store::apply_head(record, self.meta, expires_at, &self.removed);
        for (key, raw, deadline) in self.staged_fields() {
            crate::store::put_field(record, key.as_str(), raw, deadline);
        }
        // Usually none: the empty list is not walked and dropped.
        if !index.is_empty() {
            for (name, value) in index {
                crate::store::put_index(record, name, value);
            }
        }
    }

    /// Stamps the metadata with `now`, encodes every slot that must be
    /// written (dirty, or sealed under a fallback key) into its own `raw`,
    /// and folds index changes into the loaded index. Returns the new
    /// expiry and the index changes.
    ///
    /// With `defer_plain`, dirty values that are neither private nor
    /// indexed are not encoded here: their `raw` is cleared and the caller
    /// encodes them straight into its output (see
    /// [`Slot::is_deferred`]), then stores their bytes. Every slot to be
    /// written is reported to `written`, deferred or not (a stage counts
    /// them, and the room deferred ones take, without another pass over
    /// the slots).
    pub(super) fn encode_pending(
        &mut self,
        defer_plain: bool,
        mut written: impl FnMut(&Slot),
    ) -> Result<(Timestamp, IndexChanges), FieldError> {
        let now = self.config.clock().now();
        self.meta.modified = now;
        let expires_at = self.policy.expires_at(&self.meta);
        let config = &*self.config;
        // Whether an indexed value changed (every changed slot is met
        // below): if none did and none was removed, the usual save, the
        // index is not looked at again.
        let mut indexed = false;
        for (slot_key, slot) in self.slots.iter_keyed_mut() {
            if !is_written(slot) {
                continue;
            }
            indexed |= slot.dirty && slot.spec.is_some_and(|s| s.index);
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
                written(slot);
                continue;
            }
            // A slot set through `set_raw` already holds its bytes.
            let key = slot_key.as_str();
            if let Some(raw) = encode_slot(config, &self.binding, key, slot)? {
                slot.raw = Some(Stored::Json(raw));
            }
            // Just encoded, or set through `set_raw`: JSON either way.
            if slot.raw.as_ref().is_none_or(|r| r.json(&self.buf).is_err()) {
                tracing::warn!(field = key, "session field has no bytes to write");
            }
            written(slot);
        }
        if !indexed && self.removed.is_empty() {
            return Ok((expires_at, Vec::new()));
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
        let (expires_at, _) = self.encode_pending(false, |_| {})?;
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

/// The bytes a staged save writes for `slot`, if it writes it: just
/// encoded, or set through `set_raw`, JSON either way
/// (`encode_pending` warned of a slot without bytes).
#[inline]
fn staged_raw(slot: &Slot, buf: &Bytes) -> Option<RawJson> {
    if !is_written(slot) {
        return None;
    }
    Some(slot.raw.as_ref()?.json(buf).ok()?.into_owned())
}

/// The slot's value encoded (and sealed if private, bound to the record's
/// `binding`), or `None` for a slot without a decoded value (set through
/// `set_raw`: its raw bytes stand).
fn encode_slot(
    config: &Config,
    binding: &SlotKey,
    key: &str,
    slot: &Slot,
) -> Result<Option<RawJson>, FieldError> {
    let Some(value) = &slot.value else {
        return Ok(None);
    };
    // Sized from the bytes it replaces (most edits keep the size close):
    // no regrowing while serde writes.
    let private = slot.spec.is_some_and(|s| s.private);
    let hint = match slot.raw.as_ref().and_then(Stored::plain_len) {
        Some(old) if !private => old + 16,
        _ => 64,
    };
    let mut out = Vec::with_capacity(hint);
    value
        .encode_to(&mut out)
        .map_err(|source| FieldError::Encode {
            field: key.to_owned(),
            source,
        })?;
    let raw = RawJson::from_shared(Bytes::from(out));
    match slot.spec {
        Some(spec) if spec.private => {
            let codec = config
                .codec()
                .ok_or_else(|| FieldError::NoKeys(key.to_owned()))?;
            let ctx = Context::field(binding.as_str(), spec.key);
            let token = codec.seal_field(&ctx, raw.as_bytes());
            let sealed = RawJson::encode(&token).expect("a string always serializes");
            Ok(Some(sealed))
        }
        _ => Ok(Some(raw)),
    }
}

/// Whether a save writes `slot`: changed, or sealed under a fallback key
/// (and so re-sealed under the current one).
fn is_written(slot: &Slot) -> bool {
    slot.dirty || slot.reseal && slot.value.is_some()
}

/// Index values that changed, by stored key (`None`: no longer indexed).
pub(crate) type IndexChanges = Vec<(String, Option<String>)>;

/// The text form of an indexed value: strings as themselves, `null` as no
/// value, anything else as its JSON.
fn index_text(raw: &RawJson) -> Option<String> {
    match serde_json::from_slice::<serde_json::Value>(raw.as_bytes()).ok()? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod staged_tests {
    use super::*;
    use crate::state::tests::{SECRET_FIELD, config, raw};

    static COUNT: FieldSpec = FieldSpec::new("count", "a.count");
    static NOTE: FieldSpec = FieldSpec::new("note", "a.note");
    static USER: FieldSpec = FieldSpec {
        index: true,
        ..FieldSpec::new("user", "a.user")
    };
    static BRIEF: FieldSpec = FieldSpec {
        max_age: Some(std::time::Duration::from_secs(60)),
        ..FieldSpec::new("brief", "a.brief")
    };

    /// A stored record with a field of each kind, and the config.
    fn stored() -> (Arc<Config>, Record) {
        let config = config();
        let now = config.clock().now();
        let mut record = Record::new(Meta::new(now), now);
        for (k, v) in [("a.count", "1"), ("a.note", "\"n\""), ("gone", "0")] {
            record.fields.insert(k.into(), raw(v).into());
        }
        record.fields.insert("legacy".into(), raw("[1]").into());
        (config, record)
    }

    /// The same edits on `state`: two deferred plain values (one shared
    /// buffer), a sealed one, an indexed one, one with a deadline, one set
    /// raw and one removed.
    fn edit(state: &mut State) {
        state.set(&COUNT, 2u64);
        state.set(&NOTE, "longer note".to_owned());
        state.set(&SECRET_FIELD, "card-4242".to_owned());
        state.set(&USER, "u7".to_owned());
        state.set(&BRIEF, true);
        state.set_raw("tool", raw("{\"t\":1}"));
        state.remove_raw("gone");
    }

    /// Both ways to apply a staged save (into a record the store holds,
    /// or gathered into `Changes`) leave the record the same, whether the
    /// state adopts the new buffer (loaded from a `Record`) or keeps the
    /// one it was read from (loaded from bytes); and the state goes on
    /// the same either way.
    #[test]
    fn written_in_place_matches_gathered_changes_h3() {
        let (config, record) = stored();
        let from_bytes = |r: &Record| {
            let bytes = State::from_record(Arc::clone(&config), None, r.clone())
                .to_bytes()
                .unwrap();
            State::from_bytes(Arc::clone(&config), None, bytes).unwrap()
        };
        let fresh = |r: &Record| State::from_record(Arc::clone(&config), None, r.clone());
        for load in [&fresh as &dyn Fn(&Record) -> State, &from_bytes] {
            let (mut gathered, mut in_place) = (load(&record), load(&record));
            let (mut by_changes, mut by_staged) = (record.clone(), record.clone());
            edit(&mut gathered);
            edit(&mut in_place);
            let changes = gathered.changes().unwrap();
            let keys: Vec<&str> = changes.set.iter().map(|(k, _, _)| k.as_ref()).collect();
            assert_eq!(
                keys,
                ["a.brief", "a.count", "a.note", "a.user", "secret", "tool"]
            );
            changes.apply_owned(&mut by_changes);
            let staged = in_place.stage().unwrap();
            assert_eq!(staged.meta(), gathered.meta());
            staged.write_into(&mut by_staged);
            // Sealed values differ (fresh nonces): compared opened.
            let opened = |r: &Record| {
                let mut s = State::from_record(Arc::clone(&config), None, r.clone());
                (s.get(&SECRET_FIELD, String::new).clone(), s.keys().len())
            };
            assert_eq!(opened(&by_changes), opened(&by_staged));
            let plain = |mut r: Record| {
                r.fields.remove("secret");
                (r.to_json(), r.deadlines, r.index)
            };
            assert_eq!(plain(by_changes), plain(by_staged.clone()));
            assert_eq!(by_staged.fields["a.note"].get(), "\"longer note\"");
            assert_eq!(
                by_staged.index.get("a.user").map(String::as_str),
                Some("u7")
            );
            assert!(by_staged.deadlines.contains_key("a.brief"));
            assert!(!by_staged.fields.contains_key("gone"));
            // The state written in place saves the same whole record next.
            gathered.mark_saved(None);
            in_place.mark_saved(None);
            assert!(!in_place.is_modified());
            let whole = |s: &mut State| plain(s.to_record().unwrap());
            assert_eq!(whole(&mut gathered), whole(&mut in_place));
        }
    }

    /// A field removed and then set again is written, not removed (the
    /// list of removals is looked at only when it has entries).
    #[test]
    fn set_after_remove_writes_the_field_again() {
        let (config, record) = stored();
        let mut state = State::from_record(config, None, record);
        state.set(&COUNT, 3u64);
        state.remove_raw("a.note");
        state.remove_raw("gone");
        state.set(&NOTE, "back".to_owned());
        let changes = state.changes().unwrap();
        let set: Vec<&str> = changes.set.iter().map(|(k, _, _)| k.as_ref()).collect();
        assert_eq!(set, ["a.count", "a.note"]);
        assert_eq!(changes.removed, ["gone"]);
    }

    /// A save with nothing deferred (only a removal) stages no buffer and
    /// writes only the removal and the metadata.
    #[test]
    fn staged_removal_alone_writes_no_field() {
        let (config, record) = stored();
        let mut state = State::from_record(config, None, record.clone());
        state.remove_raw("gone");
        let mut written = record;
        state.stage().unwrap().write_into(&mut written);
        let keys: Vec<&str> = written.fields.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a.count", "a.note", "legacy"]);
        assert_eq!(written.meta, *state.meta());
    }

    /// A value that does not encode fails a stage of a state with no
    /// record buffer (which adopts the stage's) as it fails any other:
    /// the error names it, the values stay readable, and once it is
    /// fixed the save writes the rest, whether encoded before it or not
    /// (and the whole record holds them).
    #[test]
    fn a_stage_that_fails_midway_keeps_the_state_whole() {
        static MAP: FieldSpec = FieldSpec::new("map", "a.map");
        let mut state = State::new(config());
        state.set(&COUNT, 4u64);
        state.set(&MAP, std::collections::BTreeMap::from([((1u8, 2u8), 3u8)]));
        state.set(&NOTE, "after".to_owned());
        for _ in 0..2 {
            let err = state.changes().unwrap_err();
            assert!(err.to_string().contains("a.map"), "{err}");
            assert_eq!(*state.get(&COUNT, || 0u64), 4);
            assert_eq!(*state.get(&NOTE, String::new), "after");
        }
        state.reset(&MAP);
        let bytes = state.to_bytes().unwrap();
        let mut back = State::from_bytes(config(), None, bytes).unwrap();
        assert_eq!(*back.get(&NOTE, String::new), "after");
        let set = state.changes().unwrap().set;
        assert_eq!(set.len(), 2);
        assert_eq!((set[0].0.as_ref(), set[0].1.get()), ("a.count", "4"));
        assert_eq!((set[1].0.as_ref(), set[1].1.get()), ("a.note", "\"after\""));
    }

    /// The index pass is skipped only when no indexed value changed and
    /// nothing was removed: a plain change gives no index changes, an
    /// indexed change or a removal gives them as before.
    #[test]
    fn index_changes_only_when_an_indexed_value_changed_or_was_removed() {
        let (config, record) = stored();
        let index = |edit: &dyn Fn(&mut State)| {
            let mut state = State::from_record(Arc::clone(&config), None, record.clone());
            edit(&mut state);
            state.changes().unwrap().index
        };
        assert_eq!(index(&|s| s.set(&COUNT, 5u64)), []);
        let some = |k: &str, v: &str| (k.to_owned(), Some(v.to_owned()));
        assert_eq!(
            index(&|s| s.set(&USER, "u8".to_owned())),
            [some("a.user", "u8")]
        );
        assert_eq!(
            index(&|s| s.remove_raw("gone")),
            [("gone".to_owned(), None)]
        );
    }
}
