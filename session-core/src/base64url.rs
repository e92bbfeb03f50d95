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
    if text.len() != encoded_len(out.len()) {
        return Err(EnvelopeError::Invalid);
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
