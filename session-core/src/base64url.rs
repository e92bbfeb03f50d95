//! The one place that chooses the base64 engine: URL-safe alphabet, no
//! padding, strict decoding (padding, trailing bits, whitespace and `+/` are
//! all rejected, B5).

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::NO_PAD;
use base64::engine::simd::Simd;

/// URL-safe alphabet, no padding, strict decoding (the `NO_PAD` config:
/// padding and non-canonical trailing bits are refused). AVX2 or NEON when
/// the CPU has it (detected once), else the scalar engine; both give the
/// same bytes and refuse the same input.
static URL_SAFE_NO_PAD: LazyLock<Simd> = LazyLock::new(|| Simd::url_safe(NO_PAD));

use crate::error::EnvelopeError;

/// The base64url alphabet.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Up to this many bytes (ids, signed headers and tags) the plain loops
/// below are used: the engine's set-up costs more than they do on short
/// input.
const SHORT: usize = 48;

/// The engine's smallest input with a SIMD step (its own threshold):
/// [`encode_to_slice`] encodes shorter parts with [`encode_short`].
const SIMD_MIN_ENCODE: usize = 128;

/// Every pair of symbols, by the 12 bits they encode, as a little-endian
/// `u16` (first symbol in the low byte): one load per two symbols instead
/// of a shift, a mask and a load per symbol (8 KiB).
const PAIRS: [u16; 4096] = {
    let mut table = [0u16; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = ALPHABET[i >> 6] as u16 | (ALPHABET[i & 63] as u16) << 8;
        i += 1;
    }
    table
};

/// The symbols of a group's 48 bits (first bits first), as the 8 bytes
/// to store.
#[inline(always)]
fn group_symbols(n: u64) -> [u8; 8] {
    let pair = |shift: u32| u64::from(PAIRS[((n >> shift) & 0xFFF) as usize]);
    (pair(36) | pair(24) << 16 | pair(12) << 32 | pair(0) << 48).to_le_bytes()
}

/// Encodes `bytes` into exactly `out` (`encoded_len(bytes.len())` long),
/// six bytes (eight symbols) at a time through one 64-bit word and four
/// loads from [`PAIRS`]. The runtime-sized entry (ids, tails); the
/// fixed-size one, [`encode_array`], has [`encode_groups`] inlined.
fn encode_short(bytes: &[u8], out: &mut [u8]) {
    encode_groups(bytes, out);
}

/// [`encode_short`]'s work, always inlined: unrolled where the size is
/// known.
#[inline(always)]
fn encode_groups(bytes: &[u8], out: &mut [u8]) {
    let mut groups = bytes.chunks_exact(6);
    let mut outs = out.chunks_exact_mut(8);
    for (g, o) in (&mut groups).zip(&mut outs) {
        let mut word = [0u8; 8];
        word[2..].copy_from_slice(g);
        o.copy_from_slice(&group_symbols(u64::from_be_bytes(word)));
    }
    let (rest, o) = (groups.remainder(), outs.into_remainder());
    if rest.is_empty() {
        return;
    }
    // The last group, zero-filled: its last symbol's unused low bits are
    // zero (canonical form). Shifts, not slice copies: a copy of a
    // variable length is a `memcpy` call, dearer than the few bytes.
    let mut n = 0u64;
    for &b in rest {
        n = n << 8 | u64::from(b);
    }
    let symbols = u64::from_le_bytes(group_symbols(n << (8 * (6 - rest.len()))));
    for (i, o) in o.iter_mut().enumerate() {
        *o = (symbols >> (8 * i)) as u8;
    }
}

/// Marks a symbol outside the alphabet in [`QUADS`]: above any quad's 24
/// bits.
const BAD: u32 = 0xFF00_0000;

/// Each byte's value as symbol `i` of a quad (shifted into place among
/// its 24 bits), or [`BAD`]: a quad is four loads ORed together, and its
/// validity the OR's top byte (4 KiB).
const QUADS: [[u32; 256]; 4] = {
    let mut table = [[BAD; 256]; 4];
    let mut i = 0;
    while i < 64 {
        let c = ALPHABET[i] as usize;
        let mut at = 0;
        while at < 4 {
            table[at][c] = (i as u32) << (18 - 6 * at);
            at += 1;
        }
        i += 1;
    }
    table
};

/// The 48 bits of up to eight symbols, first symbol highest (missing
/// symbols are zero bits), and whether any is outside the alphabet.
#[inline(always)]
fn group_bits(text: &[u8]) -> (u64, bool) {
    let (mut hi, mut lo) = (0u32, 0u32);
    for (i, &c) in text.iter().enumerate() {
        if i < 4 {
            hi |= QUADS[i][usize::from(c)];
        } else {
            lo |= QUADS[i & 3][usize::from(c)];
        }
    }
    (u64::from(hi) << 24 | u64::from(lo), (hi | lo) & BAD != 0)
}

/// A whole group of eight symbols: [`group_bits`] unrolled.
#[inline(always)]
fn full_group_bits(q: &[u8; 8]) -> (u64, bool) {
    let hi = QUADS[0][usize::from(q[0])]
        | QUADS[1][usize::from(q[1])]
        | QUADS[2][usize::from(q[2])]
        | QUADS[3][usize::from(q[3])];
    let lo = QUADS[0][usize::from(q[4])]
        | QUADS[1][usize::from(q[5])]
        | QUADS[2][usize::from(q[6])]
        | QUADS[3][usize::from(q[7])];
    (u64::from(hi) << 24 | u64::from(lo), (hi | lo) & BAD != 0)
}

/// The last, partial group of `rest` symbols into `out` (`rest.len()`
/// symbols carry `out.len()` bytes): false if a symbol is outside the
/// alphabet or the unused low bits are set (non-canonical).
#[inline(always)]
fn last_group(rest: &[u8], out: &mut [u8]) -> bool {
    let (n, bad) = group_bits(rest);
    // Byte by byte (at most five): see `encode_short`'s last group.
    for (i, o) in out.iter_mut().enumerate() {
        *o = (n >> (40 - 8 * i)) as u8;
    }
    // Bits past the output's are either unused bits of the last symbol
    // (must be zero) or missing symbols (zero).
    !bad && n & ((1u64 << (48 - 8 * out.len())) - 1) == 0
}

/// Decodes `text` into exactly `out` (`text.len() == encoded_len(out.len())`),
/// eight symbols (six bytes) at a time, strictly: any byte outside the
/// alphabet, or a last symbol with unused bits set (non-canonical), is
/// refused (B5).
fn decode_short(text: &[u8], out: &mut [u8]) -> Result<(), EnvelopeError> {
    if text.len() != encoded_len(out.len()) {
        return Err(EnvelopeError::Invalid);
    }
    let mut bad = false;
    let mut quads = text.chunks_exact(8);
    let mut outs = out.chunks_exact_mut(6);
    for (q, o) in (&mut quads).zip(&mut outs) {
        // A fixed-size group: unrolled, with no bounds checks.
        let (n, group_bad) = full_group_bits(<&[u8; 8]>::try_from(q).expect("chunks of 8"));
        bad |= group_bad;
        o.copy_from_slice(&n.to_be_bytes()[2..]);
    }
    let (rest, o) = (quads.remainder(), outs.into_remainder());
    if last_group(rest, o) && !bad {
        Ok(())
    } else {
        Err(EnvelopeError::Invalid)
    }
}

/// Encodes `bytes` as base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends the base64url encoding of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// The length of the unpadded encoding of `n` bytes: 4 symbols per 3
/// bytes, rounded up.
pub const fn encoded_len(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

/// Encodes `bytes` into exactly `out` (which must be
/// [`encoded_len`]`(bytes.len())` long), without allocating and without
/// re-checking the output as UTF-8: for a caller that builds one ASCII
/// buffer from several parts and checks it once.
///
/// # Panics
///
/// If `out` is not exactly the encoding's length.
pub fn encode_to_slice(bytes: &[u8], out: &mut [u8]) {
    assert_eq!(
        out.len(),
        encoded_len(bytes.len()),
        "output sized for the encoding"
    );
    // The engine's SIMD loop takes 24 bytes a step while 32 are left to
    // read, and leaves the rest (8 to 31 bytes) to a scalar loop of 3-byte
    // groups that costs ~35 instructions a group. It gets its whole steps
    // and 9 bytes more (the fewest whole groups it leaves to that loop);
    // `encode_short` encodes the rest, up to 23 bytes, ~5 instructions a
    // byte. Below `SIMD_MIN_ENCODE` bytes the engine takes no SIMD step.
    let head = bytes.len().saturating_sub(9) / 24 * 24 + 9;
    if head < SIMD_MIN_ENCODE {
        return encode_short(bytes, out);
    }
    let (out_head, out_rest) = out.split_at_mut(head / 3 * 4);
    let n = URL_SAFE_NO_PAD
        .encode_slice(&bytes[..head], out_head)
        .expect("output buffer holds the encoding");
    debug_assert_eq!(n, out_head.len());
    encode_short(&bytes[head..], out_rest);
}

/// [`encode_to_slice`] for a size known at compile time (a signed token's
/// header and tag): the short loop inlined and unrolled for that size.
///
/// # Panics
///
/// If `out` is not exactly the encoding's length.
#[inline]
pub fn encode_array<const N: usize>(bytes: &[u8; N], out: &mut [u8]) {
    assert_eq!(out.len(), encoded_len(N), "output sized for the encoding");
    encode_groups(bytes, out);
}

/// Encodes `bytes` into the front of `out` without allocating; returns the
/// text written.
///
/// # Panics
///
/// If `out` is shorter than the encoding (`bytes.len() * 4 / 3`, rounded
/// up).
pub fn encode_slice<'a>(bytes: &[u8], out: &'a mut [u8]) -> &'a str {
    let n = encoded_len(bytes.len());
    if bytes.len() <= SHORT {
        encode_short(bytes, &mut out[..n]);
        return std::str::from_utf8(&out[..n]).expect("base64url is ASCII");
    }
    let n = URL_SAFE_NO_PAD
        .encode_slice(bytes, out)
        .expect("output buffer holds the encoding");
    std::str::from_utf8(&out[..n]).expect("base64url is ASCII")
}

/// Whether `text` is the strict base64url encoding of exactly `n` bytes:
/// what [`decode_exact_bytes`] would accept for an `n`-byte output, checked
/// without decoding.
pub fn is_canonical(text: &[u8], n: usize) -> bool {
    if text.len() != encoded_len(n) {
        return false;
    }
    // A quad's last position holds each symbol's plain value (or `BAD`).
    let value = |c: u8| QUADS[3][usize::from(c)];
    let bad = text.iter().fold(0, |bad, &c| bad | value(c));
    let unused = 6 * text.len() - 8 * n;
    let last = text.last().map_or(0, |&c| value(c));
    bad & BAD == 0 && last & ((1 << unused) - 1) == 0
}

/// Decodes strict base64url text of exactly `encoded_len(N)` bytes into
/// `N` bytes (an id's 43 symbols into 32 bytes): the same strict rules as
/// [`decode_exact_bytes`] (B5), with the sizes known at compile time, so
/// the loop is unrolled and needs no bounds checks.
///
/// # Errors
///
/// [`EnvelopeError::Invalid`] for non-canonical input or any other length.
pub fn decode_array<const N: usize>(text: &[u8]) -> Result<[u8; N], EnvelopeError> {
    let mut out = [0u8; N];
    decode_into_array(text, &mut out)?;
    Ok(out)
}

/// [`decode_array`]'s work, into the caller's array: not inlined, so each
/// group's bytes are stored before the next group is read (the caller
/// sees them even on an error) and few values are live at once.
#[inline(never)]
fn decode_into_array<const N: usize>(text: &[u8], out: &mut [u8; N]) -> Result<(), EnvelopeError> {
    if text.len() != encoded_len(N) {
        return Err(EnvelopeError::Invalid);
    }
    let mut quads = text.chunks_exact(8);
    let mut outs = out.chunks_exact_mut(6);
    for (q, o) in (&mut quads).zip(&mut outs) {
        let (n, bad) = full_group_bits(<&[u8; 8]>::try_from(q).expect("chunks of 8"));
        // Checked group by group. Which group is bad says nothing secret.
        if bad {
            return Err(EnvelopeError::Invalid);
        }
        o.copy_from_slice(&n.to_be_bytes()[2..]);
    }
    let (rest, o) = (quads.remainder(), outs.into_remainder());
    if last_group(rest, o) {
        Ok(())
    } else {
        Err(EnvelopeError::Invalid)
    }
}

/// Decodes strict base64url without padding.
///
/// The result's capacity is exactly its length, so a `Bytes` made from it
/// takes the buffer over without allocating a shared header.
///
/// # Errors
///
/// [`EnvelopeError::Invalid`] for any non-canonical input.
// `with_capacity` and `resize`, not `vec![0; n]`: see below.
#[allow(clippy::slow_vector_initialization)]
pub fn decode(text: &str) -> Result<Vec<u8>, EnvelopeError> {
    let n = decoded_len(text.len());
    // Not `vec![0; n]`: that allocates with `calloc`, which glibc serves
    // past its per-thread cache (a sealed open cost ~195 instructions
    // more).
    let mut out = Vec::with_capacity(n);
    out.resize(n, 0);
    decode_exact_bytes(text.as_bytes(), &mut out)?;
    Ok(out)
}

/// The length of what `len` symbols decode to. Four symbols per three
/// bytes; a lone last symbol (length 1 mod 4) encodes no byte, and
/// [`decode_exact_bytes`] refuses it by length.
const fn decoded_len(len: usize) -> usize {
    len / 4 * 3 + (len % 4).saturating_sub(1)
}

/// The largest tail [`decode_split`] keeps apart.
const SPLIT_MAX: usize = 64;

/// Decodes strict base64url without padding, with its last `T` bytes (a
/// tag) kept apart: the same verdict as [`decode`] (B5), and the bytes
/// before the tail in a buffer whose capacity is exactly its length, so a
/// `Bytes` made from it takes the buffer over without allocating a shared
/// header, even when the tail does not start at a symbol boundary.
///
/// # Errors
///
/// [`EnvelopeError::Invalid`] for any non-canonical input, or one that
/// decodes to fewer than `T` bytes.
// `with_capacity` and `resize`, not `vec![0; n]`: see `decode`.
#[allow(clippy::slow_vector_initialization)]
pub fn decode_split<const T: usize>(text: &str) -> Result<(Vec<u8>, [u8; T]), EnvelopeError> {
    const { assert!(T <= SPLIT_MAX, "a tail of at most SPLIT_MAX bytes") };
    let text = text.as_bytes();
    let n = decoded_len(text.len());
    let head_len = n.checked_sub(T).ok_or(EnvelopeError::Invalid)?;
    // As in `decode_exact_bytes`: the engine gets its whole steps (if at
    // least two, all within the head), decoded in place; `decode_short`
    // the rest, head and tail at once, on the stack (at most 24 bytes of
    // the head then, or 48 with no engine part).
    let steps = head_len.saturating_sub(1) / 24;
    let (engine_bytes, engine_symbols) = match steps {
        0 | 1 => (0, 0),
        _ => (24 * steps, 32 * steps),
    };
    let mut rest = [0u8; 2 * SPLIT_MAX];
    let rest = &mut rest[..n - engine_bytes];
    // Refuses a length of 1 mod 4 too: no byte count encodes to one.
    decode_short(&text[engine_symbols..], rest)?;
    let mut head = Vec::with_capacity(head_len);
    if engine_bytes > 0 {
        // The engine's byte past its steps is the first of `rest`.
        head.resize(engine_bytes + 1, 0);
        by_engine_steps(text, &mut head, steps)?;
        head.truncate(engine_bytes);
    }
    let (rest_of_head, tail) = rest.split_at(head_len - engine_bytes);
    head.extend_from_slice(rest_of_head);
    let tail = <[u8; T]>::try_from(tail).expect("T bytes after the head");
    Ok((head, tail))
}

/// Decodes strict base64url without padding into exactly `out.len()`
/// bytes, without allocating.
///
/// # Errors
///
/// [`EnvelopeError::Invalid`] for non-canonical input or any other length.
pub fn decode_exact(text: &str, out: &mut [u8]) -> Result<(), EnvelopeError> {
    decode_exact_bytes(text.as_bytes(), out)
}

/// [`decode_exact`] for text given as bytes (refused unless they are all
/// in the alphabet, so no UTF-8 check is needed first).
///
/// # Errors
///
/// As [`decode_exact`].
pub fn decode_exact_bytes(text: &[u8], out: &mut [u8]) -> Result<(), EnvelopeError> {
    if text.len() != encoded_len(out.len()) {
        return Err(EnvelopeError::Invalid);
    }
    if out.len() <= SHORT {
        return decode_short(text, out);
    }
    let steps = (text.len() - 2) / 32;
    if steps < 2 {
        return by_engine(text, out);
    }
    by_engine_steps(text, out, steps)?;
    decode_short(&text[32 * steps..], &mut out[24 * steps..])
}

/// URL-safe, no padding, trailing bits allowed: only for the engine's
/// part of a long decode ([`by_engine_steps`]), whose last symbol is
/// decoded again, strictly, by `decode_short`.
static URL_SAFE_STEPS: LazyLock<Simd> =
    LazyLock::new(|| Simd::url_safe(NO_PAD.with_decode_allow_trailing_bits(true)));

/// The engine's part of a long decode: its `steps` whole SIMD steps (32
/// symbols, 24 bytes each) from the front of `text` into the front of
/// `out`; `decode_short` decodes the rest, from symbol `32 * steps` into
/// byte `24 * steps`, in fewer instructions than the engine's scalar
/// loops. The engine leaves the last partial or whole quad of its input
/// to a suffix decoder whose cost grows with the quad's symbols, so it is
/// given two symbols past its steps (one byte, `out[24 * steps]`, which
/// `decode_short` writes again, checking its symbols strictly).
/// `text` must have at least `32 * steps + 2` symbols and `out` at least
/// `24 * steps + 1` bytes. Inlined: a call cost more than the suffix
/// saved.
#[inline(always)]
fn by_engine_steps(text: &[u8], out: &mut [u8], steps: usize) -> Result<(), EnvelopeError> {
    let (symbols, bytes) = (32 * steps + 2, 24 * steps + 1);
    match URL_SAFE_STEPS.decode_slice(&text[..symbols], &mut out[..bytes]) {
        Ok(n) if n == bytes => Ok(()),
        _ => Err(EnvelopeError::Invalid),
    }
}

/// Decodes `text` with the engine into exactly `out`.
fn by_engine(text: &[u8], out: &mut [u8]) -> Result<(), EnvelopeError> {
    match URL_SAFE_NO_PAD.decode_slice(text, out) {
        Ok(n) if n == out.len() => Ok(()),
        _ => Err(EnvelopeError::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decode_b5() {
        assert_eq!(decode("aGk").unwrap(), b"hi");
        // Exact capacity at every length, and a lone last symbol refused.
        let data: Vec<u8> = (0..100u8).collect();
        for len in 0..data.len() {
            let back = decode(&encode(&data[..len])).unwrap();
            assert_eq!((back.len(), back.capacity()), (len, len));
        }
        for bad in ["a", "aGkxa", "aGkxaGkxa"] {
            assert!(decode(bad).is_err(), "{bad:?} accepted");
        }
        for bad in ["aGk=", "aGl", "aG k", "aGk\n", "a+/b", "a/bc", "*"] {
            assert!(decode(bad).is_err(), "{bad:?} accepted");
        }
    }

    /// Long inputs go through the SIMD kernels: every foreign byte at every
    /// position, and a non-canonical last symbol, are still refused (B5),
    /// and every length round-trips.
    #[test]
    fn strict_decode_holds_on_the_simd_path_b5() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 37 % 251) as u8).collect();
        for len in 0..data.len() {
            assert_eq!(decode(&encode(&data[..len])).unwrap(), &data[..len]);
        }
        let text = encode(&data[..200]);
        for at in 0..text.len() {
            for bad in [b'+', b'/', b'=', b' ', b'\n', b'.', 0x80] {
                let mut t = text.clone().into_bytes();
                t[at] = bad;
                let t = String::from_utf8_lossy(&t).into_owned();
                assert!(decode(&t).is_err(), "{bad:#x} at {at} accepted");
            }
        }
        // 200 bytes: 267 symbols, the last carrying 4 bits; set a low bit.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut t = text.into_bytes();
        let last = t.len() - 1;
        let v = ALPHABET.iter().position(|c| *c == t[last]).unwrap();
        assert_eq!(v & 3, 0, "a canonical last symbol has its 2 low bits clear");
        t[last] = ALPHABET[v | 1];
        assert!(decode(std::str::from_utf8(&t).unwrap()).is_err());
    }

    /// Every length, past the engine's SIMD threshold and its steps: the
    /// engine's part and the short loop's part join up exactly.
    #[test]
    fn encode_to_slice_matches_encode() {
        let data: Vec<u8> = (0..400u32).map(|i| (i * 53 % 256) as u8).collect();
        for len in 0..data.len() {
            let mut out = vec![0u8; encoded_len(len)];
            encode_to_slice(&data[..len], &mut out);
            assert_eq!(out, encode(&data[..len]).into_bytes(), "{len} bytes");
        }
    }

    #[test]
    #[should_panic(expected = "output sized for the encoding")]
    fn encode_to_slice_refuses_a_wrong_size() {
        encode_to_slice(b"abc", &mut [0u8; 5]);
    }

    /// The short loops agree with the engine on every length they handle:
    /// same text out, and the same verdict on every symbol replaced by
    /// every byte value (alphabet, padding, foreign, non-canonical last
    /// symbol).
    #[test]
    fn short_loops_agree_with_the_engine_b5() {
        let data: Vec<u8> = (0..=SHORT as u32).map(|i| (i * 97 % 256) as u8).collect();
        for len in 0..=SHORT {
            let bytes = &data[..len];
            let mut out = vec![0u8; encoded_len(len)];
            encode_short(bytes, &mut out);
            let by_engine = URL_SAFE_NO_PAD.encode(bytes);
            assert_eq!(out, by_engine.as_bytes(), "{len} bytes");
            let mut back = vec![0u8; len];
            decode_short(&out, &mut back).unwrap();
            assert!(is_canonical(&out, len));
            assert!(!is_canonical(&out, len + 1));
            assert_eq!(back, bytes);
            for at in 0..out.len() {
                for b in 0..=255u8 {
                    let mut t = out.clone();
                    t[at] = b;
                    let engine = URL_SAFE_NO_PAD.decode(&t).ok();
                    let mut mine = vec![0u8; len];
                    let ours = decode_short(&t, &mut mine).ok().map(|()| mine);
                    assert_eq!(ours, engine, "{len} bytes, {b:#x} at {at}");
                    assert_eq!(is_canonical(&t, len), engine.is_some());
                }
            }
        }
    }

    /// The fixed-size path (ids: 43 symbols, 32 bytes; and a size with no
    /// full group) gives the bytes and the verdict of the runtime-sized
    /// path on every byte value at every position, and refuses any other
    /// length (B5).
    #[test]
    fn decode_array_agrees_with_decode_exact_b5() {
        fn check<const N: usize>() {
            let data: [u8; N] = std::array::from_fn(|i| (i * 89 + 3) as u8);
            let text = encode(&data).into_bytes();
            assert_eq!(decode_array::<N>(&text).unwrap(), data);
            for at in 0..text.len() {
                for b in 0..=255u8 {
                    let mut t = text.clone();
                    t[at] = b;
                    let mut exact = [0u8; N];
                    let want = decode_exact_bytes(&t, &mut exact).ok().map(|()| exact);
                    assert_eq!(decode_array::<N>(&t).ok(), want, "{N}: {b:#x} at {at}");
                }
            }
            for len in [0, text.len() - 1, text.len() + 1] {
                let t = vec![b'A'; len];
                assert!(decode_array::<N>(&t).is_err(), "{N}: length {len}");
            }
        }
        check::<32>();
        check::<2>();
        check::<6>();
    }

    /// The split decode agrees with `decode` on every length around the
    /// tail and the engine's steps, and on every foreign byte at every
    /// position (B5); the head's capacity is its length.
    #[test]
    fn decode_split_agrees_with_decode_b5() {
        fn check<const T: usize>(data: &[u8]) {
            for len in 0..data.len() {
                let text = encode(&data[..len]);
                let want = decode(&text).ok().filter(|d| d.len() >= T);
                let got = decode_split::<T>(&text).ok();
                if let Some((head, _)) = &got {
                    assert_eq!(head.capacity(), head.len(), "{T}: {len} bytes");
                }
                let got = got.map(|(head, tail)| [&head[..], &tail[..]].concat());
                assert_eq!(got, want, "{T}: {len} bytes");
            }
        }
        let data: Vec<u8> = (0..340u32).map(|i| (i * 29 % 251) as u8).collect();
        check::<0>(&data);
        check::<1>(&data);
        check::<16>(&data);
        check::<SPLIT_MAX>(&data[..100]);
        // Foreign bytes, a non-canonical last symbol and a lone symbol.
        let text = encode(&data[..290]);
        for at in 0..text.len() {
            for bad in [b'+', b'/', b'=', b' ', 0x80] {
                let mut t = text.clone().into_bytes();
                t[at] = bad;
                let t = String::from_utf8_lossy(&t).into_owned();
                assert!(decode_split::<16>(&t).is_err(), "{bad:#x} at {at}");
            }
        }
        let mut t = encode(&data[..20]).into_bytes();
        *t.last_mut().unwrap() ^= 1;
        let t = String::from_utf8(t).unwrap();
        assert_eq!(decode_split::<16>(&t).ok(), None);
        assert!(decode(&t).is_err());
        for len in [0, 1, 5, 21, 25, 41] {
            let bad = "A".repeat(len);
            assert!(decode_split::<16>(&bad).is_err(), "{len} symbols");
        }
    }

    #[test]
    fn decode_exact_is_strict_and_sized_b5() {
        let mut two = [0u8; 2];
        decode_exact("aGk", &mut two).unwrap();
        assert_eq!(&two, b"hi");
        for bad in ["aGk=", "aGl", "aG", "aGkx", "a+k", "*Gk"] {
            assert!(decode_exact(bad, &mut two).is_err(), "{bad:?} accepted");
        }
        let mut three = [0u8; 3];
        assert!(decode_exact("aGk", &mut three).is_err());
    }
}
