//! The one place that chooses the base64 engine: URL-safe alphabet, no
//! padding, strict decoding (padding, trailing bits, whitespace and `+/` are
//! all rejected, B5).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::EnvelopeError;

/// Encodes `bytes` as base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends the base64url encoding of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
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
}
