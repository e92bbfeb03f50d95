//! A [`State`] written straight to a record's bytes and read straight back,
//! for stores that hold the whole record as one value (cookie sessions):
//! the same bytes as [`Record::to_bytes`] and [`Record::to_json`], without
//! building the intermediate [`Record`].
//!
//! [`Record`]: crate::store::Record
//! [`Record::to_bytes`]: crate::store::Record::to_bytes
//! [`Record::to_json`]: crate::store::Record::to_json

use std::sync::Arc;

use bytes::Bytes;

use crate::clock::Timestamp;
use crate::config::Config;
use crate::envelope::{DEFAULT_MAX_INFLATED, deflate_if_it_pays};
use crate::error::{FieldError, RecordError};
use crate::expiry::is_expired;
use crate::id::Id;
use crate::state::slot::{SlotKey, Slots, less};
use crate::state::{Slot, State, Stored};
use crate::store::Record;
use crate::wire::{FIELD_OVERHEAD, HEADER_OVERHEAD, Reader, Writer, is_binary};

impl State {
    /// A session loaded from a record's bytes, binary
    /// ([`State::to_bytes`], [`Record::to_bytes`](crate::store::Record::to_bytes))
    /// or JSON ([`State::to_json`]): the same state as
    /// `State::from_record(config, id, Record::from_bytes(bytes)?)`, built
    /// without the intermediate [`Record`]. Each field keeps a slice of
    /// `bytes` and is parsed only when read.
    ///
    /// # Errors
    ///
    /// [`RecordError`] for bytes that are not a record.
    pub fn from_bytes(
        config: Arc<Config>,
        id: Option<Id>,
        bytes: impl Into<Bytes>,
    ) -> Result<Self, RecordError> {
        Self::from_bytes_with(config, id, bytes.into(), None)
    }

    /// As [`State::from_bytes`], with fields past their deadline at `now`
    /// dropped (for a caller that has just read the clock).
    ///
    /// # Errors
    ///
    /// As [`State::from_bytes`].
    pub fn from_bytes_at(
        config: Arc<Config>,
        id: Option<Id>,
        bytes: impl Into<Bytes>,
        now: Timestamp,
    ) -> Result<Self, RecordError> {
        Self::from_bytes_with(config, id, bytes.into(), Some(now))
    }

    /// Reads a record; `now` is read from the clock only if a field has a
    /// deadline and the caller gave none.
    fn from_bytes_with(
        config: Arc<Config>,
        id: Option<Id>,
        bytes: Bytes,
        mut now: Option<Timestamp>,
    ) -> Result<Self, RecordError> {
        if !is_binary(&bytes) {
            return Ok(Self::from_json(config, id, &bytes)?);
        }
        let mut r = Reader::new(&bytes);
        let h = r.header()?;
        // Fields come in key order (as written): each fills the next
        // prepared slot in place. Past the first that does not (a record
        // written otherwise), the rest are inserted one by one. Order is
        // checked on the keys in the record, not on the copies just
        // written to the slots (reading those back as words would wait
        // for the narrower writes to land).
        let mut slots = Slots::prepared(r.cap(h.n_fields));
        let (mut filled, mut in_order) = (0, true);
        let mut last_key = 0..0;
        for _ in 0..h.n_fields {
            let f = r.field()?;
            let mut now = || *now.get_or_insert_with(|| config.clock().now());
            if f.deadline.is_some_and(|d| is_expired(d, now())) {
                continue;
            }
            let raw = Some(Stored::InBuf(f.raw, f.deflated));
            if in_order {
                let after = filled == 0 || less(&bytes[last_key.clone()], &bytes[f.key.clone()]);
                if let Some((key, slot)) = slots.prepared_at(filled).filter(|_| after) {
                    last_key = f.key.clone();
                    key.set_in_record(&bytes, f.key);
                    (slot.raw, slot.deadline) = (raw, f.deadline);
                    filled += 1;
                    continue;
                }
                in_order = false;
                slots.truncate(filled);
            }
            let slot = Slot {
                raw,
                deadline: f.deadline,
                ..Slot::default()
            };
            slots.insert(SlotKey::in_record(&bytes, f.key), slot);
        }
        r.finish()?;
        if in_order {
            slots.truncate(filled);
        }
        let binding = SlotKey::in_record(&bytes, h.binding_at);
        let (meta, index) = (h.meta, h.index);
        Ok(Self::loaded(
            config,
            id,
            meta,
            (slots, bytes),
            index,
            binding,
        ))
    }

    /// The whole record in the binary format, as of now: the same bytes as
    /// `self.to_record()?.to_bytes()`, written straight from the fields
    /// (unchanged fields are copied as they were loaded).
    ///
    /// # Errors
    ///
    /// As [`State::changes`].
    pub fn to_bytes(&mut self) -> Result<Bytes, FieldError> {
        self.to_bytes_deflating(None)
    }

    /// As [`State::to_bytes`], deflating on its own each field whose JSON
    /// has at least `threshold` bytes, when that saves bytes (see
    /// [`Compression::field_threshold`](crate::envelope::Compression::field_threshold)).
    /// A deflated field stays deflated in the state, so it is written as is
    /// until it changes. `None` deflates nothing.
    ///
    /// # Errors
    ///
    /// As [`State::changes`].
    pub fn to_bytes_deflating(&mut self, threshold: Option<usize>) -> Result<Bytes, FieldError> {
        // Changed plain values are encoded below, straight into the output.
        let (expires_at, _) = self.encode_pending(true, |_| {})?;
        if let Some(threshold) = threshold {
            for slot in self.slots.values_mut() {
                let Some(raw) = &slot.raw else { continue };
                let (json, deflated) = raw.stored_bytes(&self.buf);
                if !deflated && json.len() >= threshold {
                    if let Some(packed) = deflate_if_it_pays(json, DEFAULT_MAX_INFLATED) {
                        slot.raw = Some(Stored::Deflated(Bytes::from(packed)));
                    }
                }
            }
        }
        let (n, len) = self
            .slots
            .iter_bytes()
            .filter_map(|(k, s)| {
                let raw = match &s.raw {
                    Some(raw) => raw.stored_bytes(&self.buf).0.len(),
                    None if s.is_deferred() => s.encoded_len_hint(),
                    None => return None,
                };
                Some(k.len() + raw)
            })
            .fold((0, 0), |(n, len), l| (n + 1, len + l + FIELD_OVERHEAD));
        let mut out = Vec::with_capacity(len + HEADER_OVERHEAD + self.binding.as_bytes().len());
        let mut w = Writer(&mut out);
        let binding = self.binding.as_bytes();
        w.header(&self.meta, expires_at, binding, &self.loaded_index, n);
        // Each slot's bytes are written, then the slot points at them in
        // the output, which becomes the state's buffer (the old one, and
        // owned field bytes, are let go). A value that fails to encode is
        // skipped and stays as it was (changed, no bytes), so every slot
        // stays valid; the error is returned once the others are written.
        let mut failed = None;
        let buf = &self.buf;
        for (key, slot) in self.slots.iter_keyed_mut() {
            let key = key.as_bytes();
            let at = if let Some(raw) = &slot.raw {
                let (bytes, deflated) = raw.stored_bytes(buf);
                (w.field(key, slot.deadline, bytes, deflated), deflated)
            } else if slot.is_deferred() {
                let value = slot.value.as_ref().expect("deferred slots hold a value");
                let hint = slot.encoded_len_hint();
                match w.field_with(key, slot.deadline, threshold, hint, |out| {
                    value.encode_to(out)
                }) {
                    Ok(at) => at,
                    Err(source) => {
                        failed.get_or_insert(FieldError::Encode {
                            field: String::from_utf8_lossy(key).into_owned(),
                            source,
                        });
                        continue;
                    }
                }
            } else {
                continue;
            };
            slot.raw = Some(Stored::InBuf(at.0, at.1));
        }
        self.buf = Bytes::from(out);
        match failed {
            Some(e) => Err(e),
            None => Ok(self.buf.clone()),
        }
    }

    /// A session loaded from a record's JSON (as written by
    /// [`State::to_json`] or [`Record::to_json`]).
    ///
    /// # Errors
    ///
    /// The serde error for bytes that [`Record::from_json`] refuses.
    pub fn from_json(
        config: Arc<Config>,
        id: Option<Id>,
        bytes: &[u8],
    ) -> Result<Self, serde_json::Error> {
        let record = Record::from_json(bytes)?;
        Ok(Self::from_record(config, id, record))
    }

    /// The whole record as JSON, as of now: `self.to_record()?.to_json()`.
    ///
    /// # Errors
    ///
    /// As [`State::changes`].
    pub fn to_json(&mut self) -> Result<Vec<u8>, FieldError> {
        Ok(self.to_record()?.to_json())
    }
}
