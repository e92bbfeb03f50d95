//! A [`State`] written straight to a record's bytes and read straight back,
//! for stores that hold the whole record as one value (cookie sessions):
//! the same bytes as [`Record::to_bytes`] and [`Record::to_json`], without
//! building the intermediate [`Record`].
//!
//! [`Record`]: crate::store::Record
//! [`Record::to_bytes`]: crate::store::Record::to_bytes
//! [`Record::to_json`]: crate::store::Record::to_json

use std::ops::Range;
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
use crate::wire::{FIELD_OVERHEAD, Field, HEADER_OVERHEAD, Reader, Writer, is_binary};

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
        let mut r = r.moved();
        let mut now = || *now.get_or_insert_with(|| config.clock().now());
        // Fields come in key order (as written): each fills the next
        // prepared slot in place. From the first that does not (a record
        // written otherwise), the rest are inserted one by one. Order is
        // checked on the keys in the record, not on the copies just
        // written to the slots (reading those back as words would wait
        // for the narrower writes to land), by their first eight bytes as
        // one word (kept from the key before), and whole only when those
        // are equal. The first key is compared with an empty one before
        // it: an empty first key (never written by a schema) is inserted.
        let mut slots = Slots::prepared(r.cap(h.n_fields));
        let mut left = h.n_fields;
        // One loop per format: each field's read tests it no more.
        let (filled, stray) = if r.is_format_1() {
            fill_in_order::<true>(&mut r, &bytes, &mut slots, &mut left, &mut now)?
        } else {
            fill_in_order::<false>(&mut r, &bytes, &mut slots, &mut left, &mut now)?
        };
        slots.truncate(filled);
        if let Some(f) = stray {
            insert_field(&mut slots, &bytes, f);
            while left > 0 {
                left -= 1;
                let f = r.field()?;
                if !f.deadline.is_some_and(|d| is_expired(d, now())) {
                    insert_field(&mut slots, &bytes, f);
                }
            }
        }
        r.finish()?;
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
        // The output is sized from the record it replaces (a save usually
        // changes it little; one that grows it more regrows the buffer),
        // without a pass over the slots; a state with no record yet (new,
        // or built from a `Record`) is sized field by field.
        let fields = match self.buf.len() {
            0 => self
                .slots
                .iter_bytes()
                .filter_map(|(k, s)| {
                    let raw = match &s.raw {
                        Some(raw) => raw.stored_bytes(&self.buf).0.len(),
                        None if s.is_deferred() => s.encoded_len_hint(),
                        None => return None,
                    };
                    Some(k.len() + raw + FIELD_OVERHEAD)
                })
                .sum(),
            old => old + old / 2,
        };
        let binding = self.binding.as_bytes();
        let mut out = Vec::with_capacity(fields + HEADER_OVERHEAD + binding.len());
        let mut w = Writer(&mut out);
        // The field count, last in the header, is known once the fields
        // are written: it is patched in below (a byte, widened past 127).
        w.header(&self.meta, expires_at, binding, &self.loaded_index, 0);
        let n_at = w.0.len() - 1;
        let mut written = 0;
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
            written += 1;
        }
        match u8::try_from(written) {
            Ok(n) if n < 0x80 => out[n_at] = n,
            _ => widen_count(&mut out, n_at, written, &mut self.slots),
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

/// Fills the prepared slots in place with the fields that come in key
/// order, counting down `left`: how many were filled, and the first field
/// out of order (the caller inserts it and the rest), if any. In line in
/// [`State::from_bytes`], the reader kept in registers, once per format
/// (`FORMAT_1`, as the reader says: from_bytes probe, 116 instructions
/// fewer than one loop testing it twice a field).
#[inline(always)]
fn fill_in_order<const FORMAT_1: bool>(
    r: &mut Reader<'_>,
    bytes: &[u8],
    slots: &mut Slots,
    left: &mut u64,
    now: &mut impl FnMut() -> Timestamp,
) -> Result<(usize, Option<Field>), RecordError> {
    let mut filled = 0;
    let (mut last_key, mut last_word) = (0..0, 0);
    while *left > 0 {
        *left -= 1;
        let f = r.field_in::<FORMAT_1>()?;
        if f.deadline.is_some_and(|d| is_expired(d, now())) {
            continue;
        }
        let word = key_word(bytes, &f.key);
        let after = last_word < word
            || (last_word == word && less(&bytes[last_key.clone()], &bytes[f.key.clone()]));
        match slots.prepared_at(filled).filter(|_| after) {
            Some((key, slot)) => {
                (last_key, last_word) = (f.key.clone(), word);
                key.set_in_record(bytes, f.key);
                (slot.raw, slot.deadline) = (Some(Stored::InBuf(f.raw, f.deflated)), f.deadline);
                filled += 1;
            }
            None => return Ok((filled, Some(f))),
        }
    }
    Ok((filled, None))
}

/// Writes a field count of more than one byte at `at` in `record`, where
/// one byte was left for it: the fields move right, and so does every
/// slot's range in it (after `to_bytes` wrote them, every slot with bytes
/// has them there).
#[cold]
fn widen_count(record: &mut Vec<u8>, at: usize, n: usize, slots: &mut Slots) {
    let mut count = Vec::new();
    Writer(&mut count).u(n as u64);
    let d = count.len() - 1;
    record.splice(at..=at, count);
    for slot in slots.values_mut() {
        if let Some(Stored::InBuf(range, _)) = &mut slot.raw {
            *range = range.start + d..range.end + d;
        }
    }
}

/// A field read out of key order: inserted where it sorts.
fn insert_field(slots: &mut Slots, record: &[u8], f: Field) {
    let slot = Slot {
        raw: Some(Stored::InBuf(f.raw, f.deflated)),
        deadline: f.deadline,
        ..Slot::default()
    };
    slots.insert(SlotKey::in_record(record, f.key), slot);
}

/// The first eight bytes of the key at `at` in `record` as a big-endian
/// word, zero past the key's end. Keys whose words differ order as their
/// words do (a key that is a prefix of the other has the smaller word, or
/// an equal one); equal words leave the order open.
#[inline]
fn key_word(record: &[u8], at: &Range<usize>) -> u64 {
    /// The high `n` bytes of a word, by `n`.
    const MASKS: [u64; 9] = {
        let mut m = [0; 9];
        let mut n = 1;
        while n <= 8 {
            m[n] = !(u64::MAX >> (8 * n - 1) >> 1);
            n += 1;
        }
        m
    };
    let n = at.len().min(8);
    let word = match record.get(at.start..at.start + 8) {
        Some(w) => u64::from_be_bytes(w.try_into().expect("8 bytes")),
        // Near the end of the record: copied byte by byte.
        None => {
            let mut w = [0u8; 8];
            w[..n].copy_from_slice(&record[at.start..at.start + n]);
            u64::from_be_bytes(w)
        }
    };
    word & MASKS[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys whose first words differ order as their words do; equal keys
    /// have equal words. Keys with zero bytes, shared prefixes and
    /// non-ASCII bytes, at the end of the record or followed by other
    /// bytes.
    #[test]
    fn key_words_order_as_the_keys_do() {
        let keys: [&[u8]; 14] = [
            b"",
            b"\0",
            b"a",
            b"a\0",
            b"a\0\0",
            b"ab",
            b"abcdefg",
            b"abcdefg\0",
            b"abcdefgh",
            b"abcdefgh\0",
            b"abcdefgi",
            b"abcdefghij",
            b"b",
            b"ab\xc3\xa9",
        ];
        let word = |key: &[u8], tail: usize| {
            let record = [key, &[0xaa; 9][..tail]].concat();
            key_word(&record, &(0..key.len()))
        };
        for a in keys {
            for b in keys {
                for (ta, tb) in [(0, 0), (9, 9), (0, 9), (9, 0)] {
                    let (wa, wb) = (word(a, ta), word(b, tb));
                    if a == b {
                        assert_eq!(wa, wb, "{a:?}");
                    } else if wa != wb {
                        assert_eq!(wa < wb, a < b, "{a:?} {b:?}");
                    }
                }
            }
        }
    }

    /// A field count past 127 (two bytes, widened after the fields are
    /// written) gives the bytes `Record::to_bytes` gives, with a record
    /// buffer or without, as the count falls under 128 and grows past it
    /// again; the state reads its fields from the moved ranges after
    /// (`to_record` takes them from there).
    #[test]
    fn field_counts_past_127_are_written_as_records_write_them() {
        let config = crate::state::tests::config();
        let raw = crate::state::tests::raw;
        let now = config.clock().now();
        let mut record = Record::new(crate::expiry::Meta::new(now), now);
        for i in 0..130 {
            let value = raw(&i.to_string());
            record.fields.insert(format!("f{i:03}"), value.into());
        }
        let written_whole = |s: &mut State, n: u64| {
            let bytes = s.to_bytes().unwrap();
            assert_eq!(bytes, s.to_record().unwrap().to_bytes());
            assert_eq!(Reader::new(&bytes).header().unwrap().n_fields, n);
            bytes
        };
        let mut s = State::from_record(Arc::clone(&config), None, record);
        let bytes = written_whole(&mut s, 130);
        let mut s = State::from_bytes(Arc::clone(&config), None, bytes).unwrap();
        for i in 0..5 {
            s.remove_raw(&format!("f{i:03}"));
        }
        written_whole(&mut s, 125);
        for i in 200..210 {
            s.set_raw(&format!("f{i}"), raw("\"x\""));
        }
        written_whole(&mut s, 135);
        written_whole(&mut s, 135);
    }

    /// Keys that share their first eight bytes (a namespace), or are
    /// empty, are ordered whole: in order they fill the slots in place,
    /// out of order (or repeated) they load sorted, the last of a repeated
    /// key winning.
    #[test]
    fn keys_sharing_a_first_word_load_sorted() {
        use std::collections::BTreeMap;
        let config = crate::state::tests::config();
        let meta = crate::expiry::Meta::new(config.clock().now());
        let orders: [&[&str]; 6] = [
            &["", "a", "b"],
            &["\0", "", "a"],
            &["checkout", "checkout.a", "checkout.b", "checkouts"],
            &["checkout.b", "checkout.a", "checkout", "checkouts"],
            &["checkout.a", "checkout.a", "checkout.b"],
            &["checkouts", "checkout\0", "checkout"],
        ];
        for order in orders {
            let mut out = Vec::new();
            let mut w = Writer(&mut out);
            w.header(&meta, Timestamp::MAX, b"b", &BTreeMap::new(), order.len());
            let mut want = BTreeMap::new();
            for (i, key) in order.iter().enumerate() {
                w.field(key.as_bytes(), None, i.to_string().as_bytes(), false);
                want.insert(key.to_string(), i.to_string());
            }
            let s = State::from_bytes(Arc::clone(&config), None, out).unwrap();
            let got: BTreeMap<String, String> = s
                .slots
                .iter()
                .map(|(k, slot)| {
                    let raw = slot.raw.as_ref().unwrap().stored_bytes(&s.buf).0;
                    (k.to_owned(), String::from_utf8(raw.to_vec()).unwrap())
                })
                .collect();
            assert_eq!(got, want, "{order:?}");
            let keys: Vec<&str> = s.slots.keys().collect();
            assert!(keys.is_sorted(), "{keys:?}");
        }
    }
}
