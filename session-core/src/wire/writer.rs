//! Writing a record in the binary format (see the parent module for the
//! layout).

use std::collections::BTreeMap;
use std::ops::Range;

use super::{
    EXPIRY_AT, EXPIRY_BROWSER, EXPIRY_DEFAULT, EXPIRY_IDLE, FLAG_DEADLINE, FLAG_DEFLATED, FORMAT,
};
use crate::clock::Timestamp;
use crate::envelope::{DEFAULT_MAX_INFLATED, deflate_if_it_pays};
use crate::expiry::{Expiry, Meta};

/// Appends a record to a buffer.
pub(crate) struct Writer<'a>(pub(crate) &'a mut Vec<u8>);

impl Writer<'_> {
    pub(crate) fn u(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    pub(crate) fn i(&mut self, v: i64) {
        self.u(((v << 1) ^ (v >> 63)) as u64);
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    pub(super) fn expiry(&mut self, expiry: Expiry) {
        match expiry {
            Expiry::Default => self.0.push(EXPIRY_DEFAULT),
            Expiry::Idle(d) => {
                self.0.push(EXPIRY_IDLE);
                self.u(d.as_secs());
                self.u(u64::from(d.subsec_nanos()));
            }
            Expiry::At(t) => {
                self.0.push(EXPIRY_AT);
                self.i(t.unix_millis());
            }
            Expiry::BrowserSession => self.0.push(EXPIRY_BROWSER),
        }
    }

    /// Everything before the fields, ending with the field count.
    pub(crate) fn header(
        &mut self,
        meta: &Meta,
        expires_at: Timestamp,
        binding: &[u8],
        index: &BTreeMap<String, String>,
        n_fields: usize,
    ) {
        self.0.push(FORMAT);
        let (created, modified) = (meta.created.unix_millis(), meta.modified.unix_millis());
        self.i(created);
        self.i(modified.wrapping_sub(created));
        self.expiry(meta.expiry);
        self.i(expires_at.unix_millis().wrapping_sub(modified));
        self.bytes(binding);
        self.u(index.len() as u64);
        for (name, value) in index {
            self.bytes(name.as_bytes());
            self.bytes(value.as_bytes());
        }
        self.u(n_fields as u64);
    }

    pub(crate) fn field(
        &mut self,
        key: &[u8],
        deadline: Option<Timestamp>,
        raw: &[u8],
        deflated: bool,
    ) -> Range<usize> {
        let deflated = if deflated { FLAG_DEFLATED } else { 0 };
        self.key(key, deadline, deflated);
        self.bytes(raw);
        self.0.len() - raw.len()..self.0.len()
    }
}

impl Writer<'_> {
    /// A field's head, key and deadline: everything before its bytes.
    #[inline]
    fn key(&mut self, key: &[u8], deadline: Option<Timestamp>, flags: u8) {
        let flags = flags | if deadline.is_some() { FLAG_DEADLINE } else { 0 };
        self.u((key.len() as u64) << 2 | u64::from(flags));
        self.0.extend_from_slice(key);
        if let Some(d) = deadline {
            self.i(d.unix_millis());
        }
    }

    /// A field whose bytes `encode` appends (JSON), deflated afterwards if
    /// they reach `deflate_from` bytes and that pays. Returns where the
    /// stored bytes are in the output, and whether they are deflated.
    /// Inlined, as [`Writer::key`]: called, the two cost ~37 instructions a field.
    #[inline]
    pub(crate) fn field_with<E>(
        &mut self,
        key: &[u8],
        deadline: Option<Timestamp>,
        deflate_from: Option<usize>,
        size_hint: usize,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(Range<usize>, bool), E> {
        // The head's first byte holds the flags (its low bits).
        let flags_at = self.0.len();
        self.key(key, deadline, 0);
        // Room for the length as the hint predicts it (the bytes it
        // replaces, for an edited field; the caller sized the output with
        // it): usually right, so the value is written once, where it stays.
        let len_at = self.0.len();
        let reserved = if size_hint < 0x80 {
            self.0.push(0);
            1
        } else {
            let reserved = varint_len(size_hint as u64);
            self.0.resize(len_at + reserved, 0);
            reserved
        };
        encode(self.0)?;
        let start = len_at + reserved;
        let mut deflated = false;
        if let Some(packed) = deflate_from
            .filter(|t| self.0.len() - start >= *t)
            .and_then(|_| deflate_if_it_pays(&self.0[start..], DEFAULT_MAX_INFLATED))
        {
            self.0.truncate(start);
            self.0.extend_from_slice(&packed);
            self.0[flags_at] |= FLAG_DEFLATED;
            deflated = true;
        }
        let len = self.0.len() - start;
        if reserved == 1 && len < 0x80 {
            self.0[len_at] = len as u8; // The usual case: as reserved.
            return Ok((start..self.0.len(), deflated));
        }
        let needed = varint_len(len as u64);
        let end = self.0.len();
        if needed > reserved {
            // Longer than predicted: shift the value right.
            self.0.resize(end + needed - reserved, 0);
            self.0.copy_within(start..end, start + needed - reserved);
        } else if needed < reserved {
            // Shorter: shift it left (an over-long length is refused by
            // the reader, so the prefix must be minimal).
            self.0.copy_within(start..end, len_at + needed);
            self.0.truncate(end - (reserved - needed));
        }
        let mut at = len_at;
        let mut v = len as u64;
        while v >= 0x80 {
            self.0[at] = (v as u8) | 0x80;
            v >>= 7;
            at += 1;
        }
        self.0[at] = v as u8;
        let start = len_at + needed;
        Ok((start..self.0.len(), deflated))
    }
}

/// Bytes of the LEB128 form of `v`.
fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Bytes a header and its fields need, at most, besides the field bytes.
pub(crate) const FIELD_OVERHEAD: usize = 1 + 10 + 10 + 10;
pub(crate) const HEADER_OVERHEAD: usize = 1 + 4 * 10 + 1 + 2 * 10 + 10 + 10;
