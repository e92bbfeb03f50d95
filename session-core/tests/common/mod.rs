//! Helpers shared by the envelope suites (not every suite uses every one).
#![allow(dead_code, unreachable_pub)]

use std::sync::LazyLock;
use std::time::Duration;

use session_core::base64url;
use session_core::clock::Timestamp;
use session_core::envelope::{Codec, Context, Times};
use session_core::error::EnvelopeError;
use session_core::key::{Key, KeyRing};

/// The instant every suite treats as "now".
pub const NOW: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);

/// One key for the whole test binary (key derivation is not free).
pub static KEY: LazyLock<Key> = LazyLock::new(Key::generate);
/// An older key, used as a fallback.
pub static OLD_KEY: LazyLock<Key> = LazyLock::new(Key::generate);
/// A key that no ring below contains.
pub static OTHER_KEY: LazyLock<Key> = LazyLock::new(Key::generate);

/// Valid for an hour from [`NOW`].
pub fn times() -> Times {
    Times {
        issued_at: NOW,
        expires_at: NOW.saturating_add(Duration::from_secs(3600)),
    }
}

/// A default codec over [`KEY`].
pub fn codec() -> Codec {
    Codec::new(KEY.clone())
}

/// A codec whose current key is [`KEY`] and whose fallback is [`OLD_KEY`].
pub fn rotating_codec() -> Codec {
    Codec::new(
        KeyRing::new(KEY.clone())
            .with_fallback(OLD_KEY.clone())
            .expect("distinct keys"),
    )
}

/// The cookie context used by the suites.
pub const CTX: Context<'static> = Context::cookie("id");

/// A realistic session payload.
pub const PAYLOAD: &[u8] = br#"{"user_id":42,"cart":[1,2,3],"csrf":"Zm9vYmFy"}"#;

/// A payload large and repetitive enough to be deflated on the signed path.
pub fn compressible() -> Vec<u8> {
    let mut s = String::from("{\"items\":[");
    for i in 0..120 {
        s.push_str(&format!("{{\"sku\":\"item-{i}\",\"qty\":1}},"));
    }
    s.push_str("0]}");
    s.into_bytes()
}

/// Whether the signed token's header has the deflate flag set.
pub fn signed_is_compressed(token: &str) -> bool {
    let h = token.split('.').next().expect("three parts");
    base64url::decode(h).expect("canonical header")[6] & 1 == 1
}

/// Every way of flipping one bit of the token's text that still gives a
/// `&str` (bytes that are not UTF-8 are passed through lossily, which also
/// tests the non-ASCII path).
pub fn raw_bit_flips(token: &str) -> impl Iterator<Item = String> + '_ {
    let bytes = token.as_bytes();
    (0..bytes.len() * 8).map(move |bit| {
        let mut b = bytes.to_vec();
        b[bit / 8] ^= 1 << (bit % 8);
        String::from_utf8_lossy(&b).into_owned()
    })
}

/// Every prefix of the token, shorter than the token.
pub fn truncations(token: &str) -> impl Iterator<Item = String> + '_ {
    (0..token.len()).map(move |n| token[..n].to_owned())
}

/// The decoded bytes with every single bit flipped in turn.
pub fn byte_bit_flips(bytes: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    (0..bytes.len() * 8).map(move |bit| {
        let mut b = bytes.to_vec();
        b[bit / 8] ^= 1 << (bit % 8);
        b
    })
}

/// Asserts a token is refused as `Invalid` (and that checking it did not
/// panic, which the call itself proves).
#[track_caller]
pub fn assert_invalid(result: Result<session_core::envelope::Opened, EnvelopeError>, what: &str) {
    match result {
        Err(EnvelopeError::Invalid) => {}
        other => panic!("{what}: expected Invalid, got {other:?}"),
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The 6-bit value of a base64url character.
pub fn b64_value(c: u8) -> u8 {
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .expect("base64url character") as u8
}

/// The base64url character of a 6-bit value.
pub fn b64_char(v: u8) -> char {
    char::from(ALPHABET[usize::from(v & 63)])
}

/// The same base64url text with non-zero trailing bits in its last
/// character (non-canonical, B5). `None` if the length has no spare bits.
pub fn with_trailing_bits(part: &str) -> Option<String> {
    if part.len() % 4 == 0 {
        return None;
    }
    let mut s = part.to_owned();
    let last = s.pop()?;
    s.push(b64_char(b64_value(last as u8) | 1));
    Some(s)
}
