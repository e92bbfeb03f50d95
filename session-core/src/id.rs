//! Session ids: 256 bits from the operating system's CSPRNG, as 43
//! base64url characters.
//!
//! Parsing is strict: exact length, base64url alphabet, canonical trailing
//! bits (D3). There is no way to make an [`Id`] from chosen text other than
//! parsing one that we could have generated, and a session never takes an id
//! from the client: an unknown id is replaced (D1, D4).

use std::fmt;

use parking_lot::Mutex;
use rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use crate::base64url;
use crate::error::IdError;

/// Bytes of entropy in an id.
pub const ID_BYTES: usize = 32;
/// Length of an id's text form.
pub const ID_LEN: usize = 43;

/// A session id.
///
/// `Debug` shows only a short hash, so ids do not end up in logs (A12).
///
/// # Examples
///
/// ```
/// use session_core::id::Id;
///
/// let id = Id::generate();
/// let text = id.to_string();
/// assert_eq!(text.len(), 43);
/// assert_eq!(Id::parse(&text).unwrap(), id);
/// assert!(Id::parse("../../etc/passwd").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id([u8; ID_BYTES]);

impl Id {
    /// A fresh id from the operating system's CSPRNG.
    pub fn generate() -> Id {
        Id::from_rng(&mut rand::rngs::OsRng)
    }

    /// A fresh id drawn from `rng`. Use a seeded generator only in tests
    /// (for example to force a collision, D9).
    pub fn from_rng<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Id {
        let mut b = [0u8; ID_BYTES];
        rng.fill_bytes(&mut b);
        Id(b)
    }

    /// Parses an id, strictly.
    ///
    /// # Errors
    ///
    /// [`IdError::Length`] unless the text is exactly 43 characters;
    /// [`IdError::Alphabet`] for anything that is not canonical base64url.
    pub fn parse(text: &str) -> Result<Id, IdError> {
        Id::parse_bytes(text.as_bytes())
    }

    /// [`Id::parse`] for text given as bytes: what is not base64url is
    /// refused, so no UTF-8 check is needed first.
    ///
    /// # Errors
    ///
    /// As [`Id::parse`].
    pub fn parse_bytes(text: &[u8]) -> Result<Id, IdError> {
        if text.len() != ID_LEN {
            return Err(IdError::Length {
                expected: ID_LEN,
                len: text.len(),
            });
        }
        // Straight into the array, on the fixed-size (unrolled) path: no
        // allocation and no loop on the per-request path.
        base64url::decode_array::<ID_BYTES>(text)
            .map(Id)
            .map_err(|_| IdError::Alphabet)
    }

    /// Whether [`Id::parse_bytes`] would accept `text`, checked without
    /// decoding it.
    pub fn is_valid_text(text: &[u8]) -> bool {
        base64url::is_canonical(text, ID_BYTES)
    }

    /// The id's text form (43 base64url bytes), without allocating.
    pub fn encode(&self) -> [u8; ID_LEN] {
        let mut text = [0u8; ID_LEN];
        base64url::encode_to_slice(&self.0, &mut text);
        text
    }

    /// The raw bytes, for stores that hash ids at rest.
    pub fn as_bytes(&self) -> &[u8; ID_BYTES] {
        &self.0
    }

    /// A short, non-reversible tag for logs: the first 8 hex digits of the
    /// SHA-256 of the id (A12).
    pub fn log_tag(&self) -> String {
        let digest = Sha256::digest(self.0);
        digest[..4].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; ID_LEN];
        f.write_str(base64url::encode_slice(&self.0, &mut buf))
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id(#{})", self.log_tag())
    }
}

impl std::str::FromStr for Id {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Id::parse(s)
    }
}

/// Where new ids come from.
pub trait IdGenerator: Send + Sync + fmt::Debug + 'static {
    /// Draws a new id.
    fn generate(&self) -> Id;
}

/// Ids from the operating system's CSPRNG (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsIds;

impl IdGenerator for OsIds {
    fn generate(&self) -> Id {
        Id::generate()
    }
}

/// Deterministic ids from a seed. **For tests only**: two generators with the
/// same seed draw the same ids, which is how collision handling is tested.
#[derive(Debug)]
pub struct SeededIds(Mutex<ChaCha20Rng>);

impl SeededIds {
    /// A generator that draws the same sequence for the same seed.
    pub fn new(seed: u64) -> Self {
        SeededIds(Mutex::new(ChaCha20Rng::seed_from_u64(seed)))
    }
}

impl IdGenerator for SeededIds {
    fn generate(&self) -> Id {
        Id::from_rng(&mut *self.0.lock())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_ids_are_rejected_d3() {
        let good = Id::generate().to_string();
        let cases = [
            String::new(),
            "a".into(),
            good[..42].to_string(),
            format!("{good}A"),
            "A".repeat(1240),
            format!("{}+", &good[..42]),
            format!("{}/", &good[..42]),
            format!("{}=", &good[..42]),
            format!("{}é", &good[..41]),
            format!("{} ", &good[..42]),
        ];
        for c in cases {
            assert!(Id::parse(&c).is_err(), "{c:?} accepted");
        }
    }

    #[test]
    fn non_canonical_trailing_bits_rejected() {
        // 43 chars encode 258 bits; the last char carries 2 unused bits.
        let mut text = Id::generate().to_string().into_bytes();
        let last = text[42];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let pos = alphabet.iter().position(|c| *c == last).unwrap();
        text[42] = alphabet[pos ^ 1];
        let text = String::from_utf8(text).unwrap();
        assert!(matches!(Id::parse(&text), Err(IdError::Alphabet)));
    }

    #[test]
    fn seeded_generators_repeat() {
        let a = SeededIds::new(7);
        let b = SeededIds::new(7);
        assert_eq!(a.generate(), b.generate());
        assert_ne!(Id::generate(), Id::generate());
    }

    #[test]
    fn debug_does_not_show_the_id_a12() {
        let id = Id::generate();
        assert!(!format!("{id:?}").contains(&id.to_string()[..10]));
    }
}
