//! The binary record format: what cookie stores sign or seal, and what a
//! server store may keep instead of JSON ([`Record::to_bytes`]).
//!
//! Every field's bytes are length-prefixed, so loading a record finds each
//! field without reading it: a request that touches one field of a large
//! session never scans the others (they are sliced out of one shared buffer
//! and written back as they came). JSON records carry every field through
//! serde_json's tokenizer on the way in.
//!
//! Layout of format 2, written (integers are LEB128; signed ones
//! zigzag-encoded first):
//!
//! ```text
//! 0xB2                                  format byte (a JSON record starts with '{')
//! created                               signed, unix ms
//! modified - created                    signed, ms (wrapping)
//! expiry-kind [expiry-value]            0 default, 1 idle (secs, nanos), 2 at (ms), 3 browser
//! expires_at - modified                 signed, ms (wrapping)
//! binding                               length, bytes
//! n-index  (name, value)*               lengths, bytes
//! n-fields (head, key, [deadline], raw)*  head: key length << 2 | flags;
//!                                       flags bit 0: a deadline follows
//!                                       (signed, unix ms); bit 1: raw is
//!                                       the JSON deflated; raw: length, bytes
//! ```
//!
//! Format 1 (`0xB1`, still read) differs in three places: `modified` and
//! `expires_at` are whole instants, not differences, and each field is
//! `key` (length, bytes), then a flags byte (the same two flags), then the
//! rest. Format 2 saves one byte a field, and in the header up to 6 (5
//! when `modified` equals `created`, one or two otherwise; one for an
//! expiry weeks away), which a cookie pays for in base64, in the MAC's
//! SHA-256 blocks and on the wire.
//!
//! Fields are written in key order. Reading is strict: every length is
//! checked against what is left, keys, binding and index must be UTF-8,
//! unknown flags are refused (format 1: format 2's head has room for none),
//! nothing may follow the last field, and counts never size an allocation
//! beyond the input. Field bytes are not scanned
//! here: they are checked (UTF-8, JSON, the field's type) when the field is
//! read, and a field that fails is reset alone.
//!
//! [`Record::to_bytes`]: crate::store::Record::to_bytes

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;

use crate::clock::Timestamp;
use crate::error::RecordError;
use crate::expiry::{Expiry, Meta};

/// The first byte of a binary record in the format written (2).
pub(crate) const FORMAT: u8 = 0xB2;
/// The first byte of a format 1 record (still read).
pub(crate) const FORMAT_1: u8 = 0xB1;

/// Whether `bytes` start as a binary record (either format) rather than
/// JSON.
pub(crate) fn is_binary(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(&(FORMAT | FORMAT_1)))
}

const EXPIRY_DEFAULT: u8 = 0;
const EXPIRY_IDLE: u8 = 1;
const EXPIRY_AT: u8 = 2;
const EXPIRY_BROWSER: u8 = 3;
const FLAG_DEADLINE: u8 = 1;
const FLAG_DEFLATED: u8 = 2;

mod writer;

pub(crate) use writer::{FIELD_OVERHEAD, HEADER_OVERHEAD, Writer};

/// Whether `b` is UTF-8; keys and bindings are short and almost always
/// ASCII, which is checked first (in line: it is a few instructions).
#[inline(always)]
fn is_utf8(b: &[u8]) -> bool {
    is_short_ascii(b) || std::str::from_utf8(b).is_ok()
}

/// Whether `b` is ASCII: from 4 to 16 bytes, as two overlapping words
/// (no loop); otherwise branch-free over the slice (`is_ascii` walks a
/// short one byte by byte).
#[inline(always)]
fn is_short_ascii(b: &[u8]) -> bool {
    let n = b.len();
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
    match n {
        8..=16 => (word(0) | word(n - 8)) & 0x8080_8080_8080_8080 == 0,
        4..=7 => (half(0) | half(n - 4)) & 0x8080_8080 == 0,
        _ => b.iter().fold(0, |acc, c| acc | c) < 0x80,
    }
}

/// Everything before the fields.
pub(crate) struct Header {
    pub(crate) meta: Meta,
    pub(crate) expires_at: Timestamp,
    /// Where the binding (checked to be UTF-8) is in the input.
    pub(crate) binding_at: Range<usize>,
    pub(crate) index: BTreeMap<String, String>,
    pub(crate) n_fields: u64,
}

/// One field: where its key and bytes are in the input.
pub(crate) struct Field {
    pub(crate) key: Range<usize>,
    pub(crate) deadline: Option<Timestamp>,
    pub(crate) raw: Range<usize>,
    /// `raw` is deflated JSON. Not checked to be anything yet: plain JSON
    /// is checked to be UTF-8 by whoever hands it out as text.
    pub(crate) deflated: bool,
}

mod varint;
use varint::u_long;
#[cfg(test)]
use varint::u_loop;

/// Reads a record from a buffer.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Set by [`Reader::header`]: the record is in format 1.
    format_1: bool,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            format_1: false,
        }
    }

    fn bad(&self, what: &'static str) -> RecordError {
        RecordError::Malformed { at: self.pos, what }
    }

    #[inline]
    fn byte(&mut self, what: &'static str) -> Result<u8, RecordError> {
        let b = *self.buf.get(self.pos).ok_or_else(|| self.bad(what))?;
        self.pos += 1;
        Ok(b)
    }

    #[inline(always)]
    fn u(&mut self, what: &'static str) -> Result<u64, RecordError> {
        // Most numbers here (lengths, counts) fit in one byte.
        if let Some(&b) = self.buf.get(self.pos).filter(|b| **b < 0x80) {
            self.pos += 1;
            return Ok(u64::from(b));
        }
        let (v, pos) = u_long(self.buf, self.pos);
        self.pos = pos;
        v.ok_or_else(|| self.bad(what))
    }

    #[inline]
    fn i(&mut self, what: &'static str) -> Result<i64, RecordError> {
        let v = self.u(what)?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    #[inline]
    fn time(&mut self, what: &'static str) -> Result<Timestamp, RecordError> {
        self.i(what).map(Timestamp::from_unix_millis)
    }

    /// A length-prefixed run of bytes: its place in the input.
    #[inline(always)]
    fn range(&mut self, what: &'static str) -> Result<Range<usize>, RecordError> {
        let len = self.u(what)?;
        self.take(len, what)
    }

    /// The next `len` bytes: their place in the input.
    #[inline(always)]
    fn take(&mut self, len: u64, what: &'static str) -> Result<Range<usize>, RecordError> {
        let left = (self.buf.len() - self.pos) as u64;
        if len > left {
            return Err(self.bad(what));
        }
        let start = self.pos;
        self.pos += len as usize;
        Ok(start..self.pos)
    }

    fn text(&mut self, what: &'static str) -> Result<&'a str, RecordError> {
        let r = self.range(what)?;
        std::str::from_utf8(&self.buf[r]).map_err(|_| self.bad(what))
    }

    /// A length-prefixed run of bytes checked to be UTF-8, left as bytes.
    #[inline(always)]
    fn utf8(&mut self, what: &'static str) -> Result<Range<usize>, RecordError> {
        let r = self.range(what)?;
        if is_utf8(&self.buf[r.clone()]) {
            Ok(r)
        } else {
            Err(self.bad(what))
        }
    }

    pub(crate) fn header(&mut self) -> Result<Header, RecordError> {
        let format = self.byte("empty record")?;
        self.format_1 = match format {
            FORMAT => false,
            FORMAT_1 => true,
            _ => return Err(RecordError::Format(format)),
        };
        let created = self.time("created")?;
        let modified = self.time_after(created, "modified")?;
        let expiry = match self.byte("expiry kind")? {
            EXPIRY_DEFAULT => Expiry::Default,
            EXPIRY_IDLE => {
                let secs = self.u("idle seconds")?;
                let nanos = u32::try_from(self.u("idle nanoseconds")?)
                    .ok()
                    .filter(|n| *n < 1_000_000_000)
                    .ok_or_else(|| self.bad("idle nanoseconds"))?;
                Expiry::Idle(Duration::new(secs, nanos))
            }
            EXPIRY_AT => Expiry::At(self.time("expiry instant")?),
            EXPIRY_BROWSER => Expiry::BrowserSession,
            _ => return Err(self.bad("expiry kind")),
        };
        let expires_at = self.time_after(modified, "expires_at")?;
        let binding_at = self.utf8("binding")?;
        let n_index = self.u("index count")?;
        let mut index = BTreeMap::new();
        for _ in 0..n_index {
            let name = self.text("index name")?.to_owned();
            let value = self.text("index value")?.to_owned();
            index.insert(name, value);
        }
        let n_fields = self.u("field count")?;
        Ok(Header {
            meta: Meta {
                created,
                modified,
                expiry,
            },
            expires_at,
            binding_at,
            index,
            n_fields,
        })
    }

    /// An instant written as a whole (format 1) or as the difference
    /// from `base` (format 2).
    #[inline]
    fn time_after(
        &mut self,
        base: Timestamp,
        what: &'static str,
    ) -> Result<Timestamp, RecordError> {
        let v = self.i(what)?;
        let ms = if self.format_1 {
            v
        } else {
            base.unix_millis().wrapping_add(v)
        };
        Ok(Timestamp::from_unix_millis(ms))
    }

    /// The next field, its key checked to be UTF-8 (in line: field loops
    /// keep it in registers).
    #[inline(always)]
    pub(crate) fn field(&mut self) -> Result<Field, RecordError> {
        self.field_keyed(|k| is_utf8(k).then_some(()))
            .map(|((), f)| f)
    }

    /// [`Reader::field`] with the key as text, for a caller that copies it
    /// into a `String`: checked once, here, rather than here and again
    /// by `String::from_utf8`. Same checks, same errors.
    #[inline]
    pub(crate) fn field_str(&mut self) -> Result<(&'a str, Field), RecordError> {
        self.field_keyed(|k| std::str::from_utf8(k).ok())
    }

    /// The next field, its key checked by `key` (`None`: not UTF-8).
    #[inline(always)]
    fn field_keyed<K>(
        &mut self,
        key: impl FnOnce(&'a [u8]) -> Option<K>,
    ) -> Result<(K, Field), RecordError> {
        if self.format_1 {
            self.field_keyed_in::<true, K>(key)
        } else {
            self.field_keyed_in::<false, K>(key)
        }
    }

    /// Whether the record is in format 1 (once [`Reader::header`] read it).
    pub(crate) fn is_format_1(&self) -> bool {
        self.format_1
    }

    /// [`Reader::field`] in the format given (`FORMAT_1`, as
    /// [`Reader::is_format_1`] says): a loop per format tests it once.
    #[inline(always)]
    pub(crate) fn field_in<const FORMAT_1: bool>(&mut self) -> Result<Field, RecordError> {
        self.field_keyed_in::<FORMAT_1, ()>(|k| is_utf8(k).then_some(()))
            .map(|((), f)| f)
    }

    /// [`Reader::field_keyed`] in the format given.
    #[inline(always)]
    fn field_keyed_in<const FORMAT_1: bool, K>(
        &mut self,
        key: impl FnOnce(&'a [u8]) -> Option<K>,
    ) -> Result<(K, Field), RecordError> {
        let (range, flags) = if FORMAT_1 {
            let len = self.u("field key")?;
            let range = self.take(len, "field key")?;
            (range, None)
        } else {
            let head = self.u("field head")?;
            let range = self.take(head >> 2, "field key")?;
            (range, Some((head & 3) as u8))
        };
        let buf = self.buf;
        let checked = key(&buf[range.clone()]).ok_or_else(|| self.bad("field key"))?;
        let flags = match flags {
            Some(flags) => flags,
            None => {
                let flags = self.byte("field flags")?;
                if flags & !(FLAG_DEADLINE | FLAG_DEFLATED) != 0 {
                    return Err(self.bad("field flags"));
                }
                flags
            }
        };
        let deadline = if flags & FLAG_DEADLINE != 0 {
            Some(self.time("field deadline")?)
        } else {
            None
        };
        let deflated = flags & FLAG_DEFLATED != 0;
        let raw = self.range("field bytes")?;
        let field = Field {
            key: range,
            deadline,
            raw,
            deflated,
        };
        Ok((checked, field))
    }

    /// Fails unless the whole input was read.
    pub(crate) fn finish(&self) -> Result<(), RecordError> {
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(self.bad("trailing bytes"))
        }
    }

    /// The reader as a new value whose address no call takes (unlike
    /// [`Reader::header`]'s): a loop of in-line reads keeps it in registers.
    #[inline(always)]
    pub(crate) fn moved(self) -> Self {
        self
    }

    /// An upper bound for a count read from the input: no allocation is
    /// sized beyond what the input could hold (each field takes 3+ bytes).
    pub(crate) fn cap(&self, n: u64) -> usize {
        let left = (self.buf.len() - self.pos) / 3;
        usize::try_from(n).unwrap_or(usize::MAX).min(left)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::envelope::{DEFAULT_MAX_INFLATED, deflate_if_it_pays};
    use crate::store::Record;

    /// `record` in format 1, as this crate wrote it before format 2; the
    /// fields named in `deflated` are stored deflated.
    pub(crate) fn format_1(record: &Record, deflated: &[&str]) -> Vec<u8> {
        let mut out = vec![FORMAT_1];
        let mut w = Writer(&mut out);
        w.i(record.meta.created.unix_millis());
        w.i(record.meta.modified.unix_millis());
        w.expiry(record.meta.expiry);
        w.i(record.expires_at.unix_millis());
        w.bytes(record.binding.as_bytes());
        w.u(record.index.len() as u64);
        for (name, value) in &record.index {
            w.bytes(name.as_bytes());
            w.bytes(value.as_bytes());
        }
        w.u(record.fields.len() as u64);
        for (key, raw) in &record.fields {
            w.bytes(key.as_bytes());
            let deadline = record.deadlines.get(key);
            let packed = deflated
                .contains(&key.as_str())
                .then(|| deflate_if_it_pays(raw.as_bytes(), DEFAULT_MAX_INFLATED))
                .map(|p| p.expect("the test's value deflates"));
            let flags = u8::from(deadline.is_some()) | if packed.is_some() { 2 } else { 0 };
            w.0.push(flags);
            if let Some(d) = deadline {
                w.i(d.unix_millis());
            }
            w.bytes(packed.as_deref().unwrap_or(raw.as_bytes()));
        }
        out
    }

    /// [`Reader::field_str`] reads what [`Reader::field`] reads, in both
    /// formats, and refuses a key that is not UTF-8 with the same error at
    /// the same place (B8: strict reading).
    #[test]
    fn field_str_agrees_with_field_b8() {
        use crate::clock::Timestamp;
        use crate::store::RawJson;
        let t = Timestamp::from_unix_seconds;
        let mut record = Record::new(Meta::new(t(1)), t(10));
        for (k, v) in [("a", "1"), ("clé", "\"x\""), ("z", "[2]")] {
            record
                .fields
                .insert(k.into(), RawJson::from_json(v).expect("json"));
        }
        record.deadlines.insert("z".into(), t(5));
        let read_all = |bytes: &[u8], as_str: bool| -> Vec<Result<_, String>> {
            let mut r = Reader::new(bytes);
            let n = r.header().expect("header").n_fields;
            (0..n)
                .map(|_| {
                    let f = if as_str {
                        r.field_str().map(|(k, f)| {
                            assert_eq!(k.as_bytes(), &bytes[f.key.clone()]);
                            f
                        })
                    } else {
                        r.field()
                    };
                    f.map(|f| (f.key, f.deadline, f.raw, f.deflated))
                        .map_err(|e| e.to_string())
                })
                .collect()
        };
        let good = [record.to_bytes(), format_1(&record, &[])];
        for bytes in &good {
            assert_eq!(read_all(bytes, true), read_all(bytes, false));
        }
        // "clé" becomes "cl\xff\xa9": not UTF-8.
        for mut bytes in good {
            let at = bytes
                .windows(2)
                .position(|w| w == [0xc3, 0xa9])
                .expect("the key is there");
            bytes[at] = 0xff;
            let (by_str, by_bytes) = (read_all(&bytes, true), read_all(&bytes, false));
            assert_eq!(by_str[1], by_bytes[1]);
            assert!(by_str[1].as_ref().is_err_and(|e| e.contains("field key")));
        }
    }

    /// The word-wise ASCII check agrees with `is_ascii` for every length
    /// around its cases and a high bit at every position.
    #[test]
    fn short_ascii_agrees_with_is_ascii() {
        for n in 0..=40 {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(is_short_ascii(&a), "{n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] |= 0x80;
                assert!(!is_short_ascii(&b), "{n} {at}");
            }
        }
    }

    /// The one-word read of a number agrees with the byte loop, at every
    /// position of the end byte and in what it leaves unread.
    #[test]
    fn word_varint_agrees_with_the_byte_loop() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            let len = rng.gen_range(1..=12);
            let mut buf: Vec<u8> = (0..len).map(|_| rng.r#gen::<u8>() | 0x80).collect();
            let end = rng.gen_range(0..len + 1);
            if end < len {
                buf[end] &= 0x7f;
            }
            assert_eq!(u_long(&buf, 0), u_loop(&buf, 0), "{buf:x?}");
        }
    }

    /// Every length of LEB128 reads back, and what does not fit a u64 (a
    /// tenth byte above 1, an eleventh byte, a cut-off number) is refused
    /// (B8: strict reading).
    #[test]
    fn varints_read_back_and_overflow_is_refused() {
        let mut values: Vec<u64> = (0..64).map(|s| 1u64 << s).collect();
        values.extend(values.clone().iter().map(|v| v - 1));
        values.push(u64::MAX);
        for v in values {
            let mut buf = Vec::new();
            Writer(&mut buf).u(v);
            let mut r = Reader::new(&buf);
            assert_eq!(r.u("n").ok(), Some(v), "{v}");
            r.finish().expect("all read");
            // Cut short by one byte: refused.
            let mut r = Reader::new(&buf[..buf.len() - 1]);
            assert!(r.u("n").is_err(), "{v}");
        }
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
        assert!(r.u("n").is_err());
        let mut r = Reader::new(&[0x80; 11]);
        assert!(r.u("n").is_err());
    }
}
