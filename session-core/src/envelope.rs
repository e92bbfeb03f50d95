//! Envelopes: signed or sealed tokens that carry a session (or one field).
//!
//! Two formats, both base64url without padding (strict decode, B5):
//!
//! * **Signed** (`H.P.T`): `H` is a 19-byte header (version 2, mode, key
//!   id, flags, issued-at, expires-at; version 1, still read, has 23), `P`
//!   the payload (deflated when it pays, flag in `H`), `T` the full 32-byte
//!   HMAC-SHA256 tag. The MAC covers the bound context and the text `H.P`,
//!   and is checked with `verify_slice` **before** the payload is decoded
//!   or inflated (A10, A11). The two versions are described in
//!   `envelope/signed.rs`: version 2 pads the context to whole SHA-256
//!   blocks, so the MAC state after it is computed once per key and
//!   context.
//! * **Sealed** (one part): a 6-byte header (version, mode, key id), a random
//!   96-bit nonce, and the AES-256-GCM ciphertext of flags, issued-at,
//!   expires-at and payload. No compression unless opted in (CRIME).
//!   Version 2 (cookies) seals under a key derived for the context, with
//!   the header as associated data; version 1 (fields), still read for
//!   cookies, binds the context in the associated data
//!   (`envelope/sealed.rs`).
//!
//! Both bind a [`Context`] — purpose, cookie name and field — with an
//! injective length-prefixed encoding (A3, A4, A5), carry the key id so
//! exactly one key is tried (E7), and enforce expiry on the server (C6, C7).
//! Failures are opaque: [`EnvelopeError::Invalid`] says nothing about why.

use std::borrow::Cow;

use bytes::{Buf, Bytes};

use crate::base64url;
use crate::clock::Timestamp;
use crate::error::EnvelopeError;
use crate::key::{ContextParts, KeyId, KeyRing, Purpose, put_length_prefixed};

mod deflate;
mod sealed;
mod signed;
pub(crate) use deflate::{deflate_if_it_pays, inflate_field};
use deflate::{inflate, inflate_cap};
// Raw deflate, whether or not it pays: the state tests build bombs with it.
#[allow(unused_imports)]
pub(crate) use deflate::deflate;

/// The first version of sealed and signed tokens.
const VERSION: u8 = 1;
const MODE_SIGNED: u8 = b'S';
const MODE_SEALED: u8 = b'E';
const FLAG_DEFLATE: u8 = 0x01;

/// Default cap on an incoming token, in bytes (a cookie's name=value limit).
pub const DEFAULT_MAX_TOKEN_LEN: usize = 4096;
/// Default cap on inflated payloads (J4).
pub const DEFAULT_MAX_INFLATED: usize = 64 * 1024;
/// Largest inflate ratio accepted (J4).
pub const MAX_INFLATE_RATIO: usize = 50;
/// Default payload size (bytes of JSON) from which compression is tried.
///
/// Measured with `cargo bench -p session-core --bench compress` (session
/// records, sign + verify, medians, quiet machine), with flate2's `zlib-rs`
/// backend at the fast level. miniz_oxide, flate2's default backend, was
/// dropped: it resets ~200 KB of tables per call, a near-constant 10–14 µs
/// per round trip even on tiny inputs, which made a signed 2.2 KB cookie
/// cost more than actix-session's whole cookie store.
///
/// | JSON | plain | deflated | token saved | cost per byte saved |
/// |---|---|---|---|---|
/// | 256 B | 1.45 µs | 6.58 µs | 65 B (13 %) | 79 ns |
/// | 1 KiB | 3.56 µs | 7.85 µs | 583 B (38 %) | 7.4 ns |
/// | 1.5 KiB | 5.01 µs | 10.0 µs | 1117 B (50 %) | 4.5 ns |
/// | 2 KiB | 5.97 µs | 9.70 µs | 1683 B (58 %) | 2.2 ns |
/// | 4 KiB | 10.5 µs | 13.7 µs | 3914 B (69 %) | 0.8 ns |
/// | 8 KiB | 20.0 µs | 20.4 µs | 8360 B (75 %) | 0.05 ns |
///
/// From 2 KiB the token more than halves for ~2 ns per byte saved (a cookie
/// is uploaded with every request, so bytes matter), and the plain token is
/// still far from the 4096-byte limit below it.
pub const DEFAULT_COMPRESS_THRESHOLD: usize = 2048;
/// Default [`Compression::field_threshold`]: a field is deflated on its own
/// from 1 KiB of JSON. Lower than the whole-payload threshold because a
/// field pays for deflate only when it is written, not on every request.
pub const DEFAULT_FIELD_COMPRESS_THRESHOLD: usize = 1024;

/// What an envelope is bound to. A token made for one context never opens
/// under another (A3, A4).
///
/// # Examples
///
/// ```
/// use session_core::envelope::Context;
///
/// let whole = Context::cookie("id");
/// let field = Context::field("shop", "payment_token");
/// assert_ne!(whole, field);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context<'a> {
    purpose: &'static str,
    /// Made by [`Context::custom`]: kept apart from the built-in purposes,
    /// so `custom("cookie", ..)` can never mint a session cookie (A4).
    custom: bool,
    name: &'a str,
    field: &'a str,
}

impl<'a> Context<'a> {
    /// A whole-session cookie called `name`.
    pub const fn cookie(name: &'a str) -> Self {
        Context {
            purpose: "cookie",
            custom: false,
            name,
            field: "",
        }
    }

    /// One field of a session: `scope` is the namespace (or the record's
    /// binding), `field` the stored field name.
    pub const fn field(scope: &'a str, field: &'a str) -> Self {
        Context {
            purpose: "field",
            custom: false,
            name: scope,
            field,
        }
    }

    /// A caller-chosen purpose, for tokens that are not sessions.
    pub const fn custom(purpose: &'static str, name: &'a str, field: &'a str) -> Self {
        Context {
            purpose,
            custom: true,
            name,
            field,
        }
    }

    /// Feeds the injective encoding of the context to `put` (a MAC or the
    /// AAD buffer). The encoding is prefix-free (a fixed number of
    /// length-prefixed parts), so whatever follows it cannot shift bytes
    /// across its end.
    fn write(&self, put: &mut impl FnMut(&[u8]), version: u8, mode: u8, purpose: Purpose) {
        put_length_prefixed(put, &[version, mode]);
        put_length_prefixed(put, purpose.label().as_bytes());
        put_length_prefixed(put, &[u8::from(self.custom)]);
        put_length_prefixed(put, self.purpose.as_bytes());
        put_length_prefixed(put, self.name.as_bytes());
        put_length_prefixed(put, self.field.as_bytes());
    }

    /// What [`Context::write`] encodes for `purpose` besides the version and
    /// mode: the key for the per-key caches of derived values. Only for
    /// whole-session cookie contexts (`None` otherwise): an application has
    /// a fixed few, while field contexts carry each record's binding and
    /// would fill the caches with contexts never seen again.
    #[inline(always)]
    fn parts(&self, purpose: Purpose) -> Option<ContextParts<'_>> {
        if self.custom || self.purpose != "cookie" {
            return None;
        }
        Some(ContextParts {
            subkey: purpose,
            purpose: self.purpose,
            custom: self.custom,
            name: self.name.as_bytes(),
            field: self.field.as_bytes(),
        })
    }
}

/// Which kind of token [`Codec::make_ascii`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Readable, not forgeable ([`Codec::sign`]).
    Signed,
    /// Neither readable nor forgeable ([`Codec::seal`]).
    Sealed,
}

/// When a token was made and until when it is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    /// When the token was made.
    pub issued_at: Timestamp,
    /// The last instant at which the token is still accepted (inclusive).
    pub expires_at: Timestamp,
}

impl Times {
    /// Issued at `now`, never expiring (the holder enforces its own expiry).
    pub const fn unbounded(now: Timestamp) -> Self {
        Times {
            issued_at: now,
            expires_at: Timestamp::MAX,
        }
    }
}

/// A verified or opened token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The payload, inflated if it was compressed. Shared bytes: a sealed
    /// token's payload is a slice of the buffer it was decrypted in, and a
    /// session state can slice its fields out of it without copying.
    pub payload: Bytes,
    /// Issue and expiry times, as authenticated.
    pub times: Times,
    /// The key that made the token.
    pub key_id: KeyId,
    /// True when that key is a fallback: re-seal under the current key (E2).
    pub rotated: bool,
}

/// When to deflate payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    /// Try compression only for payloads of at least this many bytes.
    pub threshold: usize,
    /// In binary session records (cookie stores), deflate each field of at
    /// least this many bytes of JSON on its own, when that pays. A field is
    /// deflated when it is written and travels deflated until it is written
    /// again, so a request that does not touch a large field never
    /// compresses or inflates it, and signs fewer bytes.
    pub field_threshold: usize,
    /// Also compress before sealing. Off by default: compressing secret data
    /// next to attacker-influenced data leaks through length (CRIME/BREACH).
    pub sealed: bool,
}

impl Default for Compression {
    fn default() -> Self {
        Compression {
            threshold: DEFAULT_COMPRESS_THRESHOLD,
            field_threshold: DEFAULT_FIELD_COMPRESS_THRESHOLD,
            sealed: false,
        }
    }
}

impl Compression {
    /// Never compress.
    pub const OFF: Compression = Compression {
        threshold: usize::MAX,
        field_threshold: usize::MAX,
        sealed: false,
    };

    /// The field threshold in force for a record that will be signed
    /// (`sealed == false`) or sealed: `None` when fields are not deflated.
    pub fn field_threshold_for(&self, sealed: bool) -> Option<usize> {
        (!sealed || self.sealed)
            .then_some(self.field_threshold)
            .filter(|t| *t != usize::MAX)
    }
}

/// Makes and checks envelopes with a [`KeyRing`].
///
/// # Examples
///
/// ```
/// use session_core::clock::Timestamp;
/// use session_core::envelope::{Codec, Context, Times};
/// use session_core::key::Key;
///
/// let codec = Codec::new(Key::generate());
/// let now = Timestamp::from_unix_seconds(1_700_000_000);
/// let times = Times { issued_at: now, expires_at: now.saturating_add(std::time::Duration::from_secs(60)) };
///
/// let token = codec.seal(&Context::cookie("id"), times, br#"{"user":1}"#);
/// let opened = codec.open(&Context::cookie("id"), &token, now).unwrap();
/// assert_eq!(&opened.payload[..], br#"{"user":1}"#);
///
/// // Another cookie name, or a later time, is refused.
/// assert!(codec.open(&Context::cookie("other"), &token, now).is_err());
/// assert!(codec.open(&Context::cookie("id"), &token, now.saturating_add(std::time::Duration::from_secs(61))).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Codec {
    ring: KeyRing,
    compression: Compression,
    max_token_len: usize,
    max_inflated: usize,
}

impl Codec {
    /// A codec with default limits: 4096-byte tokens, 64 KiB inflated,
    /// compression of signed payloads from [`DEFAULT_COMPRESS_THRESHOLD`]
    /// bytes, none under encryption.
    pub fn new(ring: impl Into<KeyRing>) -> Self {
        Codec {
            ring: ring.into(),
            compression: Compression::default(),
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            max_inflated: DEFAULT_MAX_INFLATED,
        }
    }

    /// Sets the compression policy.
    #[must_use]
    pub fn with_compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Sets the largest incoming token accepted; longer ones are refused
    /// before any decoding or crypto (F6).
    #[must_use]
    pub fn with_max_token_len(mut self, max: usize) -> Self {
        self.max_token_len = max;
        self
    }

    /// Sets the cap on inflated payloads (J4).
    #[must_use]
    pub fn with_max_inflated(mut self, max: usize) -> Self {
        self.max_inflated = max;
        self
    }

    /// The key ring.
    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    /// When payloads and record fields are deflated.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The largest incoming token accepted.
    pub fn max_token_len(&self) -> usize {
        self.max_token_len
    }

    /// Signs `payload` under the current key: readable, not forgeable.
    pub fn sign(&self, ctx: &Context<'_>, times: Times, payload: &[u8]) -> String {
        ascii_string(self.make_ascii(Form::Signed, ctx, times, payload, 0))
    }

    /// [`Codec::sign`] or [`Codec::seal`] as `form` says, the token as its
    /// ASCII bytes: for a caller that writes it into a header, which checks
    /// its bytes anyway (no UTF-8 check here). The buffer has `spare`
    /// bytes of capacity beyond the token (for a `Set-Cookie` line written
    /// around it in place).
    pub fn make_ascii(
        &self,
        form: Form,
        ctx: &Context<'_>,
        times: Times,
        payload: &[u8],
        spare: usize,
    ) -> Vec<u8> {
        self.make_ascii_at(form, ctx, times, payload, 0, spare)
    }

    /// [`Codec::make_ascii`] with the token written after `before` zero
    /// bytes (the buffer is `before` bytes, then the token, then `spare`
    /// bytes of capacity): for a caller that writes text in front of the
    /// token (a `Set-Cookie` line's `name=`) without moving it.
    pub fn make_ascii_at(
        &self,
        form: Form,
        ctx: &Context<'_>,
        times: Times,
        payload: &[u8],
        before: usize,
        spare: usize,
    ) -> Vec<u8> {
        let room = (before, spare);
        match form {
            Form::Signed => {
                let (flags, body) = self.maybe_deflate(payload, self.compression.threshold);
                signed::sign(self.ring.current(), ctx, times, flags, &body, room)
            }
            Form::Sealed => self.seal_with(ctx, times, payload, Purpose::CookieSealing, room),
        }
    }

    /// Verifies a token made by [`Codec::sign`] for the same context.
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::TooLarge`] before any work if the token is over the
    /// limit; [`EnvelopeError::Expired`] if it verified but its expiry is
    /// before `now`; [`EnvelopeError::Invalid`] for anything else (no
    /// reason is given, on purpose).
    pub fn verify(
        &self,
        ctx: &Context<'_>,
        token: &str,
        now: Timestamp,
    ) -> Result<Opened, EnvelopeError> {
        self.check_len(token)?;
        let checked = signed::check(&self.ring, ctx, token)?;
        // Authenticated from here on.
        check_expiry(checked.times, now)?;
        let body = Bytes::from(base64url::decode(checked.payload)?);
        let payload = self.maybe_inflate(checked.flags, body)?;
        Ok(self.opened(payload, checked.times, checked.key_id))
    }

    /// Encrypts `payload` under the current key: neither readable nor
    /// forgeable. Two seals of the same data differ (random nonce, A9).
    pub fn seal(&self, ctx: &Context<'_>, times: Times, payload: &[u8]) -> String {
        ascii_string(self.make_ascii(Form::Sealed, ctx, times, payload, 0))
    }

    /// Like [`Codec::seal`], with the field-sealing subkey: for
    /// `#[session(private)]` values.
    pub fn seal_field(&self, ctx: &Context<'_>, payload: &[u8]) -> String {
        ascii_string(self.seal_with(
            ctx,
            Times::unbounded(Timestamp::EPOCH),
            payload,
            Purpose::FieldSealing,
            (0, 0),
        ))
    }

    /// Opens a token made by [`Codec::seal_field`] for the same context.
    ///
    /// # Errors
    ///
    /// As [`Codec::open`].
    pub fn open_field(&self, ctx: &Context<'_>, token: &str) -> Result<Opened, EnvelopeError> {
        self.open_with(ctx, token, Timestamp::EPOCH, Purpose::FieldSealing)
    }

    /// Opens a token made by [`Codec::seal`] for the same context.
    ///
    /// # Errors
    ///
    /// As [`Codec::verify`].
    pub fn open(
        &self,
        ctx: &Context<'_>,
        token: &str,
        now: Timestamp,
    ) -> Result<Opened, EnvelopeError> {
        self.open_with(ctx, token, now, Purpose::CookieSealing)
    }

    fn seal_with(
        &self,
        ctx: &Context<'_>,
        times: Times,
        payload: &[u8],
        purpose: Purpose,
        room: (usize, usize),
    ) -> Vec<u8> {
        let threshold = if self.compression.sealed {
            self.compression.threshold
        } else {
            usize::MAX
        };
        let (flags, body) = self.maybe_deflate(payload, threshold);
        let key = self.ring.current();
        sealed::seal(key, ctx, times, flags, &body, purpose, room)
    }

    fn open_with(
        &self,
        ctx: &Context<'_>,
        token: &str,
        now: Timestamp,
        purpose: Purpose,
    ) -> Result<Opened, EnvelopeError> {
        self.check_len(token)?;
        let u = sealed::open(&self.ring, ctx, token, purpose)?;
        // Authenticated from here on.
        check_expiry(u.times, now)?;
        // The body stays where it was decrypted: a view, not a copy. The
        // buffer ends where the payload does and its capacity is its
        // length, so it becomes `Bytes` as it is (no shared header), and
        // the view starts past the header by `advance`: a `slice` or a
        // `truncate` would promote it to shared (an allocation and an
        // atomic exchange) and drop the original.
        let mut body = Bytes::from(u.raw);
        body.advance(sealed::PLAIN_AT + sealed::TIMES_LEN);
        let payload = self.maybe_inflate(u.flags, body)?;
        Ok(self.opened(payload, u.times, u.key_id))
    }

    fn opened(&self, payload: Bytes, times: Times, key_id: KeyId) -> Opened {
        Opened {
            payload,
            times,
            key_id,
            rotated: key_id != self.ring.current().id(),
        }
    }

    fn check_len(&self, token: &str) -> Result<(), EnvelopeError> {
        if token.len() > self.max_token_len {
            return Err(EnvelopeError::TooLarge {
                len: token.len(),
                max: self.max_token_len,
            });
        }
        Ok(())
    }

    fn maybe_deflate<'p>(&self, payload: &'p [u8], threshold: usize) -> (u8, Cow<'p, [u8]>) {
        if payload.len() >= threshold {
            if let Some(small) = deflate_if_it_pays(payload, self.max_inflated) {
                return (FLAG_DEFLATE, Cow::Owned(small));
            }
        }
        (0, Cow::Borrowed(payload))
    }

    fn maybe_inflate(&self, flags: u8, body: Bytes) -> Result<Bytes, EnvelopeError> {
        match flags {
            0 => Ok(body),
            FLAG_DEFLATE => {
                inflate(&body, inflate_cap(self.max_inflated, body.len())).map(Bytes::from)
            }
            _ => Err(EnvelopeError::Invalid),
        }
    }
}

/// A token's text from its bytes (base64url and dots: always ASCII).
fn ascii_string(token: Vec<u8>) -> String {
    String::from_utf8(token).expect("tokens are ASCII")
}

fn key_id_at(bytes: &[u8], at: usize) -> KeyId {
    KeyId([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn read_times(b: &[u8]) -> Times {
    let mut iat = [0u8; 8];
    let mut exp = [0u8; 8];
    iat.copy_from_slice(&b[0..8]);
    exp.copy_from_slice(&b[8..16]);
    Times {
        issued_at: Timestamp::from_unix_millis(i64::from_be_bytes(iat)),
        expires_at: Timestamp::from_unix_millis(i64::from_be_bytes(exp)),
    }
}

fn check_expiry(times: Times, now: Timestamp) -> Result<(), EnvelopeError> {
    if crate::expiry::is_expired(times.expires_at, now) {
        Err(EnvelopeError::Expired)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Key;

    /// The ASCII forms are the tokens `sign` and `seal` return, as bytes.
    #[test]
    fn ascii_tokens_are_the_string_tokens() {
        let codec = Codec::new(Key::generate());
        let ctx = Context::cookie("id");
        let now = Timestamp::from_unix_seconds(1_700_000_000);
        let times = Times::unbounded(now);
        let signed = codec.make_ascii(Form::Signed, &ctx, times, b"payload", 7);
        assert_eq!(signed, codec.sign(&ctx, times, b"payload").into_bytes());
        assert_eq!(signed.capacity(), signed.len() + 7);
        let sealed = codec.make_ascii(Form::Sealed, &ctx, times, b"payload", 9);
        assert_eq!(sealed.capacity(), sealed.len() + 9);
        let text = std::str::from_utf8(&sealed).expect("ASCII");
        assert_eq!(
            &codec.open(&ctx, text, now).unwrap().payload[..],
            b"payload"
        );
        // After room in front: zeros, then the same kind of token, then
        // the spare capacity.
        let signed_at = codec.make_ascii_at(Form::Signed, &ctx, times, b"payload", 3, 7);
        assert_eq!(&signed_at[..3], &[0, 0, 0]);
        assert_eq!(&signed_at[3..], &signed[..]);
        assert_eq!(signed_at.capacity(), signed_at.len() + 7);
        let sealed_at = codec.make_ascii_at(Form::Sealed, &ctx, times, b"payload", 4, 9);
        assert_eq!(&sealed_at[..4], &[0, 0, 0, 0]);
        assert_eq!(sealed_at.capacity(), sealed_at.len() + 9);
        let text = std::str::from_utf8(&sealed_at[4..]).expect("ASCII");
        assert_eq!(
            &codec.open(&ctx, text, now).unwrap().payload[..],
            b"payload"
        );
    }

    /// The opened payload is a view of the decrypted buffer, exactly the
    /// payload (no header, times or tag), and stays valid when cloned.
    #[test]
    fn opened_payload_is_exactly_the_payload() {
        let codec = Codec::new(Key::generate());
        let ctx = Context::cookie("id");
        let now = Timestamp::from_unix_seconds(1_700_000_000);
        for len in [0, 1, 15, 16, 17, 300] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let token = codec.seal(&ctx, Times::unbounded(now), &payload);
            let opened = codec.open(&ctx, &token, now).unwrap();
            let copy = opened.payload.clone();
            drop(opened);
            assert_eq!(&copy[..], &payload[..], "{len} bytes");
        }
    }
}
