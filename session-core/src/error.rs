//! Errors, one enum per area. Every public enum is `#[non_exhaustive]` and
//! keeps its source.

use std::error::Error as StdError;

use crate::key::KeyId;

/// A boxed error from a backend, kept as the source.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// A key could not be built or added to a ring.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The secret is shorter than the minimum.
    #[error(
        "session secret is {len} bytes; at least {min} random bytes are required (generate one with `openssl rand -base64 48`)"
    )]
    TooShort {
        /// The length given.
        len: usize,
        /// The minimum length.
        min: usize,
    },
    /// The secret is a known example or has almost no variety.
    #[error(
        "session secret refused because {0}; generate a random one (`openssl rand -base64 48`)"
    )]
    Weak(&'static str),
    /// A key with this id is already in the ring.
    #[error("key {0} is already in the key ring (the same secret added twice?)")]
    DuplicateId(KeyId),
}

/// An envelope could not be verified or opened.
///
/// `Invalid` is deliberately opaque: it does not say which check failed, so
/// it cannot be used as an oracle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Tampered, truncated, made with an unknown key, for another context,
    /// or otherwise not ours.
    #[error("invalid session token")]
    Invalid,
    /// Authentic, but past its expiry.
    #[error("session token expired")]
    Expired,
    /// Refused before any decoding because it is too long.
    #[error("session token is {len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// The token's length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// A session id could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Wrong length.
    #[error("session id must be {expected} characters, got {len}")]
    Length {
        /// The expected length.
        expected: usize,
        /// The length given.
        len: usize,
    },
    /// A character outside base64url, or non-canonical trailing bits.
    #[error("session id is not canonical base64url")]
    Alphabet,
}

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `create` found the id taken: draw a new id and try again (D9).
    #[error("session id already exists")]
    Collision,
    /// `save` found no record: it was deleted or expired meanwhile. It is not
    /// re-created (H1).
    #[error("session was deleted or expired while this request used it")]
    Deleted,
    /// The store cannot be reached or timed out. Map it to 503; do not treat
    /// it as "no session" (G2, G3).
    #[error("session store unavailable: {0}")]
    Unavailable(#[source] BoxError),
    /// The stored data could not be read.
    #[error("stored session is corrupt: {0}")]
    Corrupt(#[source] BoxError),
    /// Any other backend failure.
    #[error("session store error: {0}")]
    Backend(#[source] BoxError),
}

impl StoreError {
    /// True for errors that mean "try again later" (map to 503).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// A field of a session could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
    /// The value could not be encoded as JSON.
    #[error("field `{field}` could not be encoded: {source}")]
    Encode {
        /// The stored field name.
        field: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// A private field was used on a session that has no key ring.
    #[error(
        "field `{0}` is `#[session(private)]` but the session has no key ring; configure keys on the store or layer"
    )]
    NoKeys(String),
}

/// A session could not be committed or loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A field failed.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// Every id drawn for a new session collided (more than the retry limit).
    #[error("could not draw a free session id after {0} attempts; is the store healthy?")]
    IdsExhausted(u32),
}

/// Stored bytes are not a session record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A JSON record that does not parse as one.
    #[error("stored session record is not a valid JSON record: {0}")]
    Json(#[from] serde_json::Error),
    /// A binary record cut short or with a bad value.
    #[error("stored session record is malformed at byte {at}: bad {what}")]
    Malformed {
        /// Offset of the bad value.
        at: usize,
        /// What was being read.
        what: &'static str,
    },
    /// Neither JSON nor a binary format this version reads.
    #[error(
        "stored session record has unknown format byte {0:#04x}; was it written by a newer version?"
    )]
    Format(u8),
}
