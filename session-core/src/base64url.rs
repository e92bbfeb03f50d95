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

/// Marks a byte outside the alphabet in [`DECODE`] (above any symbol's value).
const INVALID: u8 = 0xFF;

/// Each byte's value in the alphabet, or [`INVALID`].
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Up to this many bytes (ids, signed headers and tags) the plain loops
/// below are used: the engine's set-up costs more than they do on short
/// input.
const SHORT: usize = 48;

/// Encodes `bytes` into exactly `out` (`encoded_len(bytes.len())` long),
/// one 3-byte group at a time.
fn encode_short(bytes: &[u8], out: &mut [u8]) {
    let symbol = |n: u32, shift: u32| ALPHABET[((n >> shift) & 63) as usize];
    let mut groups = bytes.chunks_exact(3);
    let mut outs = out.chunks_exact_mut(4);
    for (g, o) in (&mut groups).zip(&mut outs) {
        let n = u32::from(g[0]) << 16 | u32::from(g[1]) << 8 | u32::from(g[2]);
        o[0] = symbol(n, 18);
        o[1] = symbol(n, 12);
        o[2] = symbol(n, 6);
        o[3] = symbol(n, 0);
    }
    let o = outs.into_remainder();
    match *groups.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            o[0] = symbol(n, 18);
            o[1] = symbol(n, 12);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            o[0] = symbol(n, 18);
            o[1] = symbol(n, 12);
            o[2] = symbol(n, 6);
        }
        _ => {}
    }
}

/// Decodes `text` into exactly `out` (`text.len() == encoded_len(out.len())`),
/// strictly: any byte outside the alphabet, or a last symbol with trailing
/// bits set (non-canonical), is refused (B5).
fn decode_short(text: &[u8], out: &mut [u8]) -> Result<(), EnvelopeError> {
    let value = |c: u8| u32::from(DECODE[usize::from(c)]);
    let mut quads = text.chunks_exact(4);
    let mut outs = out.chunks_exact_mut(3);
    let mut bad = 0;
    for (q, o) in (&mut quads).zip(&mut outs) {
        let (a, b, c, d) = (value(q[0]), value(q[1]), value(q[2]), value(q[3]));
        bad |= a | b | c | d;
        let n = a << 18 | b << 12 | c << 6 | d;
        o[0] = (n >> 16) as u8;
        o[1] = (n >> 8) as u8;
        o[2] = n as u8;
    }
    let o = outs.into_remainder();
    match (quads.remainder(), o.len()) {
        (&[], 0) => {}
        (&[a, b], 1) => {
            let (a, b) = (value(a), value(b));
            // Only 8 of the 12 bits carry data: the rest must be zero.
            bad |= a | b | (b & 0x0F) << 6;
            o[0] = (a << 2 | b >> 4) as u8;
        }
        (&[a, b, c], 2) => {
            let (a, b, c) = (value(a), value(b), value(c));
            bad |= a | b | c | (c & 0x03) << 6;
            let n = a << 12 | b << 6 | c;
            o[0] = (n >> 10) as u8;
            o[1] = (n >> 2) as u8;
        }
        _ => return Err(EnvelopeError::Invalid),
    }
    // Symbol values are below 64; `INVALID` and set trailing bits are not.
    if bad < 64 {
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
    if bytes.len() <= SHORT {
        return encode_short(bytes, out);
    }
    let n = URL_SAFE_NO_PAD
        .encode_slice(bytes, out)
        .expect("output buffer holds the encoding");
    debug_assert_eq!(n, out.len());
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

/// Decodes strict base64url without padding.
///
/// # Errors
///
/// [`EnvelopeError::Invalid`] for any non-canonical input.
pub fn decode(text: &str) -> Result<Vec<u8>, EnvelopeError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| EnvelopeError::Invalid)
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

    #[test]
    fn encode_to_slice_matches_encode() {
        let data: Vec<u8> = (0..100u8).collect();
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
            assert_eq!(back, bytes);
            for at in 0..out.len() {
                for b in 0..=255u8 {
                    let mut t = out.clone();
                    t[at] = b;
                    let engine = URL_SAFE_NO_PAD.decode(&t).ok();
                    let mut mine = vec![0u8; len];
                    let ours = decode_short(&t, &mut mine).ok().map(|()| mine);
                    assert_eq!(ours, engine, "{len} bytes, {b:#x} at {at}");
                }
            }
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
