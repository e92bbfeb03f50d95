//! One stored field: its raw bytes, decoded value and flags, and how a
//! field is decoded from and encoded (sealed if private) to its stored form.

use super::*;

use std::borrow::Cow;
use std::ops::Range;

use bytes::Bytes;

use super::held::{Held, copy_via_json};

/// A field's stored bytes.
#[derive(Clone)]
pub(crate) enum Stored {
    /// JSON text (a sealed token's JSON string for private fields). As
    /// read from a record it is not checked yet: serde checks it when the
    /// field is decoded.
    Json(RawJson),
    /// JSON text deflated: binary records only, for large fields (see
    /// [`Compression::field_threshold`](crate::envelope::Compression::field_threshold)).
    Deflated(Bytes),
    /// Bytes of the state's buffer (the binary record it was read from or
    /// last written to), JSON or deflated JSON as above: a field read from
    /// or written to a record costs no reference count of its own.
    InBuf(Range<usize>, bool),
}

impl Stored {
    /// The JSON text's bytes, inflated if needed (within 64 KiB and 50:1,
    /// J4), for decoding. `buf` is the state's buffer.
    #[inline]
    pub(crate) fn text<'a>(&'a self, buf: &'a [u8]) -> Result<Cow<'a, [u8]>, &'static str> {
        match self.stored_bytes(buf) {
            (json, false) => Ok(Cow::Borrowed(json)),
            (packed, true) => crate::envelope::inflate_field(packed)
                .map(Cow::Owned)
                .map_err(|_| "deflated field does not inflate within the caps"),
        }
    }

    /// The JSON text, inflated if needed. `buf` is the state's buffer.
    /// In line, the inflating path apart: a save gathering its fields
    /// takes each as a slice of the buffer without a call (see
    /// `State::gather_changes`).
    #[inline]
    pub(crate) fn json(&self, buf: &Bytes) -> Result<Cow<'_, RawJson>, &'static str> {
        match self {
            Stored::Json(json) => Ok(Cow::Borrowed(json)),
            Stored::InBuf(range, false) => {
                Ok(Cow::Owned(RawJson::from_shared(buf.slice(range.clone()))))
            }
            Stored::Deflated(_) | Stored::InBuf(_, true) => self.inflated(buf),
        }
    }

    #[inline(never)]
    fn inflated(&self, buf: &[u8]) -> Result<Cow<'_, RawJson>, &'static str> {
        let text = Bytes::from(self.text(buf)?.into_owned());
        Ok(Cow::Owned(RawJson::from_shared(text)))
    }

    /// The bytes as they are stored, and whether they are deflated. `buf`
    /// is the state's buffer.
    #[inline]
    pub(crate) fn stored_bytes<'a>(&'a self, buf: &'a [u8]) -> (&'a [u8], bool) {
        match self {
            Stored::Json(json) => (json.as_bytes(), false),
            Stored::Deflated(packed) => (packed, true),
            Stored::InBuf(range, deflated) => (&buf[range.clone()], *deflated),
        }
    }

    /// The length of the JSON text, if it is stored plain.
    pub(crate) fn plain_len(&self) -> Option<usize> {
        match self {
            Stored::Json(json) => Some(json.len()),
            Stored::InBuf(range, false) => Some(range.len()),
            Stored::Deflated(_) | Stored::InBuf(_, true) => None,
        }
    }
}

/// One stored field.
#[derive(Default)]
pub(crate) struct Slot {
    /// The bytes as loaded (sealed for private fields), if any.
    pub(crate) raw: Option<Stored>,
    /// The decoded value, once read or written: common types in place,
    /// others (and any a getter shared, to hand it out without holding
    /// the session's lock) behind an `Arc`, or boxed if decoded for a
    /// write guard.
    pub(crate) value: Option<Held>,
    /// Written since load.
    pub(crate) dirty: bool,
    /// Sealed under a fallback key: re-seal on the next save (E2, E6).
    pub(crate) reseal: bool,
    /// Per-field expiry.
    pub(crate) deadline: Option<Timestamp>,
    /// The spec the value was written through (for private sealing and
    /// per-field max-age at save time).
    pub(crate) spec: Option<&'static FieldSpec>,
    /// For a deferred value: the length of the JSON it replaces (0 if
    /// none), so the writer reserves about the right room for it.
    pub(crate) size_hint: usize,
}

impl Slot {
    /// A changed value whose bytes the writer encodes straight into its
    /// output (`encode_pending` with `defer_plain` left it without bytes).
    pub(crate) fn is_deferred(&self) -> bool {
        self.dirty && self.raw.is_none() && self.value.is_some()
    }

    /// Lets go of the stored bytes of a value about to be written again,
    /// keeping their length as the hint for its new encoding.
    pub(crate) fn drop_raw(&mut self) {
        if let Some(old) = self.raw.take().as_ref().and_then(Stored::plain_len) {
            self.size_hint = old;
        }
    }

    /// The room to expect for a deferred value's JSON: a little more than
    /// the bytes it replaces, the common edit (an item pushed, a counter
    /// grown).
    pub(crate) fn encoded_len_hint(&self) -> usize {
        self.size_hint + self.size_hint / 16 + 8
    }

    pub(crate) fn typed<T: Value>(&self) -> &T {
        self.value
            .as_ref()
            .and_then(Held::get::<T>)
            .expect("slot holds a decoded value of the accessor's type")
    }

    /// A copy of the decoded value if it is a plain value held in place
    /// (see [`Held::copied`]).
    pub(crate) fn copied<T: Value>(&self) -> Option<T> {
        self.value.as_ref().and_then(Held::copied::<T>)
    }

    /// The decoded value, shared (for getters: no lock is held after). A
    /// value held in place moves behind an `Arc` first.
    pub(crate) fn shared<T: Value>(&mut self) -> Arc<T> {
        self.value
            .as_mut()
            .and_then(Held::shared::<T>)
            .expect("slot holds a decoded value of the accessor's type")
    }

    /// The decoded value, exclusively. If a getter's [`crate::session::Ref`]
    /// still shares the current value, the writer gets its own copy (made
    /// through serde, so field types need not be `Clone`); the reader keeps
    /// seeing the value it was given.
    pub(crate) fn typed_mut<T: Value>(&mut self) -> &mut T {
        // Plain loads (a reader's `Ref::into_arc` may even have made a
        // `Weak`): the `get_mut` below is the one compare-and-swap.
        if self.value.as_ref().is_some_and(Held::is_shared_elsewhere) {
            self.unshare::<T>();
        }
        self.value
            .as_mut()
            .and_then(Held::get_mut_unique::<T>)
            .expect("a value held in place or a fresh Arc is unique and of the accessor's type")
    }

    /// Gives the slot its own copy of a value a getter still shares. Apart
    /// from [`Slot::typed_mut`], whose common path then keeps a small frame.
    #[cold]
    #[inline(never)]
    fn unshare<T: Value>(&mut self) {
        let copy: T = copy_via_json(self.typed::<T>());
        self.value = Some(Held::new(copy));
    }

    /// Moves the decoded value out (copied if a getter still shares it).
    pub(crate) fn into_typed<T: Value>(mut self) -> T {
        let held = self
            .value
            .take()
            .expect("slot holds a decoded value of the accessor's type");
        drop(self);
        held.into_value::<T>()
            .unwrap_or_else(|shared| copy_via_json(&*shared))
    }
}

/// Whether the slot is past its own deadline. The clock is read only for
/// a slot that has one (most have none).
#[inline]
pub(super) fn slot_expired(slot: &Slot, clock: &dyn crate::clock::Clock) -> bool {
    slot.deadline.is_some_and(|d| is_expired(d, clock.now()))
}

/// A field's value decoded, and whether it was sealed under a fallback
/// key. In line in each reader: no frame of its own to return it through.
#[inline(always)]
pub(super) fn decode_field<T: Value>(
    config: &Config,
    binding: &SlotKey,
    spec: &FieldSpec,
    raw: &Stored,
    buf: &[u8],
) -> Result<(T, bool), &'static str> {
    let raw = raw.text(buf)?;
    if !spec.private {
        return serde_json::from_slice(&raw)
            .map(|v| (v, false))
            .map_err(|_| "not valid JSON for the field's type");
    }
    let (payload, rotated) = open_field(config, binding, spec, &raw)?;
    serde_json::from_slice(&payload)
        .map(|v| (v, rotated))
        .map_err(|_| "private field's plaintext does not decode as the field's type")
}

/// A private field's sealed token opened: its plaintext, and whether it
/// was sealed under a fallback key. Apart from [`decode_field`] (one copy,
/// not one per field type), whose common path then keeps a small frame
/// (and does not look up the key ring: plain fields need none).
#[inline(never)]
fn open_field(
    config: &Config,
    binding: &SlotKey,
    spec: &FieldSpec,
    raw: &[u8],
) -> Result<(Bytes, bool), &'static str> {
    let codec = config
        .codec()
        .ok_or("private field but no key ring is configured")?;
    let token: String =
        serde_json::from_slice(raw).map_err(|_| "private field is not a sealed token")?;
    let opened = codec
        .open_field(&Context::field(binding.as_str(), spec.key), &token)
        .map_err(|_| "private field failed to open (tampered, moved or unknown key)")?;
    Ok((opened.payload, opened.rotated))
}

/// A state's fields by stored key, kept sorted: records are written in key
/// order, so loading one appends. Sessions hold tens of fields, so a lookup
/// is a scan that compares lengths first; keys are a schema's
/// `&'static str` or short inline copies, so neither costs an allocation.
#[derive(Default)]
pub(crate) struct Slots(Vec<(SlotKey, Slot)>);

/// A prepared slot: an empty inline key, an empty slot (constants, so they
/// are copied from read-only data, not built on the stack for each).
const EMPTY_KEY: SlotKey = SlotKey::Inline(0, [0; INLINE]);
const EMPTY_SLOT: Slot = Slot {
    raw: None,
    value: None,
    dirty: false,
    reseal: false,
    deadline: None,
    spec: None,
    size_hint: 0,
};

/// `a < b` for short keys: by their first eight (or four) bytes as one
/// word, else byte by byte. They differ within a few bytes, and either
/// beats a `memcmp` call.
#[inline]
pub(super) fn less(a: &[u8], b: &[u8]) -> bool {
    // Keys of 4 bytes or more usually differ in their first four (or
    // eight): compared as big-endian words, which order as the bytes do.
    let n = a.len().min(b.len());
    let word = |s: &[u8]| u64::from_be_bytes(s[..8].try_into().expect("8 bytes"));
    let half = |s: &[u8]| u32::from_be_bytes(s[..4].try_into().expect("4 bytes"));
    if n >= 8 && word(a) != word(b) {
        return word(a) < word(b);
    }
    if (4..8).contains(&n) && half(a) != half(b) {
        return half(a) < half(b);
    }
    match a.iter().zip(b).find(|(x, y)| x != y) {
        Some((x, y)) => x < y,
        None => a.len() < b.len(),
    }
}

thread_local! {
    /// The emptied slot vector of the last state dropped on this thread,
    /// for the next state built here (see [`Slots::recycle`]).
    static SPARE: std::cell::Cell<Vec<(SlotKey, Slot)>> =
        const { std::cell::Cell::new(Vec::new()) };
}

/// The largest capacity (in slots) of a vector kept for reuse.
const SPARE_CAP: usize = 64;

/// The kept empty vector, if it has room for `n` slots.
fn spare(n: usize) -> Option<Vec<(SlotKey, Slot)>> {
    if n == 0 {
        return None;
    }
    let kept = SPARE.try_with(std::cell::Cell::take).ok()?;
    if kept.capacity() >= n {
        return Some(kept);
    }
    // Too small for this one: kept for the next.
    let _ = SPARE.try_with(|spare| spare.set(kept));
    None
}

/// Up to this many slots, lookups scan; past it, binary search.
const SCAN_MAX: usize = 16;

/// Key equality for the scan. Keys are short: those of 4 to 16 bytes are
/// compared as two overlapping words each, in line, instead of by a
/// `memcmp` call per candidate of the same length (keys of one namespace
/// often share it).
#[inline]
fn same_key(a: &[u8], b: &[u8]) -> bool {
    fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
        let mut w = [0u8; N];
        w.copy_from_slice(&s[at..at + N]);
        w
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        _ => a == b,
    }
}

impl Slots {
    fn find(&self, key: &[u8]) -> Result<usize, usize> {
        if self.0.len() <= SCAN_MAX {
            let hit = self.0.iter().position(|(k, _)| same_key(k.as_bytes(), key));
            return hit.ok_or_else(|| self.0.partition_point(|(k, _)| k.as_bytes() < key));
        }
        self.0.binary_search_by(|(k, _)| k.as_bytes().cmp(key))
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Slot> {
        self.find(key.as_bytes()).ok().map(|i| &self.0[i].1)
    }

    /// The slot under `key`, created empty if missing (for a schema's
    /// key, [`Slots::schema_entry`]).
    pub(crate) fn entry(&mut self, key: SlotKey) -> &mut Slot {
        let i = match self.find(key.as_bytes()) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, Slot::default()));
                i
            }
        };
        &mut self.0[i].1
    }

    /// The slot under a schema's `key`, created empty if missing. The
    /// index where the key was last found (in any state: records of one
    /// schema share their layout) is tried first, and checked, so reading
    /// a loaded field costs one key comparison rather than a scan (in line).
    #[inline(always)]
    pub(crate) fn schema_entry(&mut self, key: &'static str) -> &mut Slot {
        let guess = super::hints::HINTS.guess(key);
        // On a hit the index is checked once, by the `get`.
        let hit = self.0.get(guess).is_some_and(|(k, _)| k.is(key));
        let (k, slot) = if hit {
            &mut self.0[guess]
        } else {
            self.schema_index(key)
        };
        // A loaded key met by its schema: its `'static` name, for saves.
        match k {
            SlotKey::Static(_) => {}
            // An inline key owns nothing: no call to drop it.
            SlotKey::Inline(..) => *k = SlotKey::Static(key),
            SlotKey::Heap(_) => *k = SlotKey::Static(key),
        }
        slot
    }

    /// The entry of a schema's `key` (inserted empty if missing), the hint
    /// missed: apart from [`Slots::schema_entry`], whose hit then keeps a
    /// small frame.
    #[inline(never)]
    fn schema_index(&mut self, key: &'static str) -> &mut (SlotKey, Slot) {
        let i = match self.find(key.as_bytes()) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (SlotKey::Static(key), Slot::default()));
                i
            }
        };
        super::hints::HINTS.keep(key, i);
        &mut self.0[i]
    }

    /// Inserts or replaces (a repeated key: the last one wins). Appends
    /// when keys come in order, as records are written.
    pub(crate) fn insert(&mut self, key: SlotKey, slot: Slot) {
        if self
            .0
            .last()
            .is_none_or(|(last, _)| last.as_bytes() < key.as_bytes())
        {
            self.0.push((key, slot));
            return;
        }
        match self.find(key.as_bytes()) {
            Ok(i) => self.0[i].1 = slot,
            Err(i) => self.0.insert(i, (key, slot)),
        }
    }

    /// `n` empty slots (inline empty keys), to be filled in place, in key
    /// order, by [`Slots::prepared_at`]; [`Slots::truncate`] then drops
    /// those left over. Filled in place, a loaded field costs no slot built
    /// on the stack and copied in: such a copy reads back, as wide words,
    /// the narrow fields just written (flags, enum tags), which stalls the
    /// CPU's store forwarding (measured: about half the time
    /// `State::from_bytes` spent outside the reader).
    ///
    /// The vector is one a state dropped on this thread gave back, when
    /// there is one large enough (see [`Slots::recycle`]), slots emptied.
    pub(crate) fn prepared(n: usize) -> Self {
        let mut slots = spare(n).unwrap_or_else(|| Vec::with_capacity(n));
        if slots.len() != n {
            slots.truncate(n);
            slots.resize_with(n, || (EMPTY_KEY, EMPTY_SLOT));
        }
        Slots(slots)
    }

    /// Empties the slots in place and keeps their vector for the next state
    /// built on this thread ([`Slots::prepared`]): a loaded state then costs
    /// no allocation for its slots (memory store through the web layer: one
    /// `malloc` and `free` fewer per request). One vector of modest size is
    /// kept per thread; the rest are freed. A slot whose key and bytes own
    /// nothing (no bytes, or bytes in the state's buffer) is emptied field
    /// by field, only its value let go, not dropped and overwritten
    /// (from_bytes probe: 2580 -> 2435); inline key bytes stay, unread.
    pub(crate) fn recycle(&mut self) {
        let mut slots = std::mem::take(&mut self.0);
        if slots.capacity() == 0 || slots.capacity() > SPARE_CAP {
            return;
        }
        for entry in &mut slots {
            match entry {
                (SlotKey::Inline(len, _), slot)
                    if matches!(slot.raw, None | Some(Stored::InBuf(..)))
                        && slot.value.is_none() =>
                {
                    *len = 0;
                    slot.raw = None;
                    (slot.deadline, slot.spec, slot.size_hint) = (None, None, 0);
                    (slot.dirty, slot.reseal) = (false, false);
                }
                // A field read through its schema: its value to let go.
                (key @ (SlotKey::Static(_) | SlotKey::Inline(..)), slot)
                    if matches!(slot.raw, None | Some(Stored::InBuf(..))) =>
                {
                    *key = EMPTY_KEY;
                    slot.raw = None;
                    slot.value = None;
                    (slot.deadline, slot.spec, slot.size_hint) = (None, None, 0);
                    (slot.dirty, slot.reseal) = (false, false);
                }
                _ => *entry = (EMPTY_KEY, EMPTY_SLOT),
            }
        }
        // During thread teardown the vector is simply freed.
        let _ = SPARE.try_with(|spare| spare.set(slots));
    }

    /// The prepared slot `at` (with its key), if there is one: the caller
    /// sets both in place, in key order.
    #[inline]
    pub(crate) fn prepared_at(&mut self, at: usize) -> Option<(&mut SlotKey, &mut Slot)> {
        let (k, slot) = self.0.get_mut(at)?;
        Some((k, slot))
    }

    /// Keeps the first `n` slots. Usually all are kept: then no call to
    /// drop an empty run of slots (from_bytes probe: 38 instructions).
    #[inline]
    pub(crate) fn truncate(&mut self, n: usize) {
        if n < self.0.len() {
            self.0.truncate(n);
        }
    }

    /// The prepared slot `at` (with its key), for keys taken in order from
    /// a sorted map: no comparison.
    pub(crate) fn next_sorted(&mut self, at: usize) -> (&mut SlotKey, &mut Slot) {
        let (k, slot) = &mut self.0[at];
        (k, slot)
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<Slot> {
        self.find(key.as_bytes()).ok().map(|i| self.0.remove(i).1)
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Slot)> {
        self.0.iter().map(|(k, s)| (k.as_str(), s))
    }

    pub(crate) fn iter_keyed_mut(&mut self) -> impl Iterator<Item = (&SlotKey, &mut Slot)> {
        self.0.iter_mut().map(|(k, s)| (&*k, s))
    }

    /// Keys as bytes (no UTF-8 check), for writers.
    pub(crate) fn iter_bytes(&self) -> impl Iterator<Item = (&[u8], &Slot)> {
        self.0.iter().map(|(k, s)| (k.as_bytes(), s))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Slot> {
        self.0.iter().map(|(_, s)| s)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        self.0.iter_mut().map(|(_, s)| s)
    }
}

impl std::ops::Index<&str> for Slots {
    type Output = Slot;
    fn index(&self, key: &str) -> &Slot {
        self.get(key).expect("no slot under this key")
    }
}

/// Keys up to this many bytes are stored inline.
const INLINE: usize = 22;

/// Copies `src` (at most [`INLINE`] bytes) to the start of `dst` as two
/// overlapping fixed-size moves, in line: a key copied from a record's
/// `String` costs no `memcpy` call (measured: 42 → about 12 instructions
/// per key). Bytes of `dst` past `src.len()` are left as they were.
#[inline]
fn copy_short(dst: &mut [u8; INLINE], src: &[u8]) {
    fn part<const N: usize>(dst: &mut [u8], src: &[u8], at: usize) {
        dst[at..at + N].copy_from_slice(&src[at..at + N]);
    }
    let n = src.len();
    match n {
        16..=INLINE => {
            part::<16>(dst, src, 0);
            part::<8>(dst, src, n - 8);
        }
        8..=15 => {
            part::<8>(dst, src, 0);
            part::<8>(dst, src, n - 8);
        }
        4..=7 => {
            part::<4>(dst, src, 0);
            part::<4>(dst, src, n - 4);
        }
        1..=3 => {
            dst[0] = src[0];
            dst[n / 2] = src[n / 2];
            dst[n - 1] = src[n - 1];
        }
        _ => dst[..n].copy_from_slice(src),
    }
}

/// A slot's key (or a record's binding): UTF-8, checked when it was made;
/// short ones are kept inline.
#[derive(Clone)]
pub(crate) enum SlotKey {
    /// A schema's key.
    Static(&'static str),
    /// A short key, copied inline.
    Inline(u8, [u8; INLINE]),
    /// A long key.
    Heap(Box<str>),
}

impl SlotKey {
    /// A key from text (copied inline when short).
    pub(crate) fn copied(key: &str) -> Self {
        let b = key.as_bytes();
        if b.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            copy_short(&mut buf, b);
            SlotKey::Inline(b.len() as u8, buf)
        } else {
            SlotKey::Heap(key.into())
        }
    }

    /// A key from bytes already checked to be UTF-8 (by the record
    /// reader): a short one is copied as is, without checking again.
    pub(crate) fn from_utf8(key: &[u8]) -> Self {
        if key.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..key.len()].copy_from_slice(key);
            return SlotKey::Inline(key.len() as u8, buf);
        }
        SlotKey::copied(std::str::from_utf8(key).expect("checked to be UTF-8 by the reader"))
    }

    /// The key at `at` in `record` (checked to be UTF-8 by the reader).
    /// A short key is copied as a fixed-size block when the record has
    /// room past it (no length-dependent copy); bytes past its length are
    /// never read.
    #[inline]
    pub(crate) fn in_record(record: &[u8], at: Range<usize>) -> Self {
        let len = at.len();
        match record.get(at.start..at.start + INLINE) {
            Some(block) if len <= INLINE => {
                let mut buf = [0u8; INLINE];
                buf.copy_from_slice(block);
                SlotKey::Inline(len as u8, buf)
            }
            _ => SlotKey::from_utf8(&record[at]),
        }
    }

    /// Makes this `key`, in place when it is short ([`Slots::prepared`]).
    #[inline]
    pub(crate) fn set_copied(&mut self, key: &str) {
        let b = key.as_bytes();
        match self {
            SlotKey::Inline(len, buf) if b.len() <= INLINE => {
                *len = b.len() as u8;
                copy_short(buf, b);
            }
            _ => *self = SlotKey::copied(key),
        }
    }

    /// Makes this the key at `at` in `record` (checked to be UTF-8 by the
    /// reader), in place: as [`SlotKey::in_record`], without a key built
    /// elsewhere and copied in.
    #[inline]
    pub(crate) fn set_in_record(&mut self, record: &[u8], at: Range<usize>) {
        let len = at.len();
        if let (SlotKey::Inline(l, buf), Some(block)) =
            (&mut *self, record.get(at.start..at.start + INLINE))
        {
            if len <= INLINE {
                *l = len as u8;
                buf.copy_from_slice(block);
                return;
            }
        }
        *self = SlotKey::from_utf8(&record[at]);
    }

    /// Whether this is `key` (a schema's: the same text is often the
    /// same `'static` string, compared by address first). In line.
    #[inline(always)]
    fn is(&self, key: &'static str) -> bool {
        match self {
            SlotKey::Static(s) => std::ptr::eq(*s, key) || *s == key,
            SlotKey::Inline(len, buf) => same_key(&buf[..usize::from(*len)], key.as_bytes()),
            SlotKey::Heap(s) => **s == *key,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            SlotKey::Static(s) => s.as_bytes(),
            SlotKey::Inline(len, buf) => &buf[..usize::from(*len)],
            SlotKey::Heap(s) => s.as_bytes(),
        }
    }

    /// The key for a change set: borrowed when it is a schema's.
    #[inline]
    pub(crate) fn to_cow(&self) -> Cow<'static, str> {
        match self {
            SlotKey::Static(s) => Cow::Borrowed(s),
            other => Cow::Owned(other.as_str().to_owned()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            SlotKey::Static(s) => s,
            SlotKey::Inline(len, buf) => {
                std::str::from_utf8(&buf[..usize::from(*len)]).expect("keys are UTF-8")
            }
            SlotKey::Heap(s) => s,
        }
    }
}

#[cfg(test)]
#[path = "slot_tests.rs"]
mod tests;
