//! The sealed form, one base64url part, in its two versions. Both are
//! read; version 2 is written for whole-session cookies.
//!
//! Both lay out a 6-byte header (version, mode `E`, key id), a random
//! 96-bit nonce, and the AES-256-GCM ciphertext of flags, issued-at and
//! expires-at (8-byte big-endian milliseconds) and payload, then the
//! 128-bit tag. They differ in how the context is bound (A3–A5):
//!
//! * **Version 1** (field seals, and any context the caches do not take):
//!   the key is the purpose's subkey, and the associated data is the
//!   length-prefixed header followed by the context encoding (see
//!   `Context::write`): about 60 bytes, four GHASH blocks per call.
//! * **Version 2** (cookie seals): the key is the context's own
//!   ([`Key::context_cipher`]: HKDF from the master secret and the context
//!   encoding), and the associated data is just the header: one GHASH
//!   block. A token sealed for one context fails the tag check in any
//!   other, since the key differs.
//!
//! The version byte is in the associated data and selects the key, so a
//! token of one version never opens as the other.

use std::borrow::Cow;

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use rand::RngCore;

use crate::base64url;
use crate::error::EnvelopeError;
use crate::key::{Key, KeyId, KeyRing, Purpose, put_length_prefixed};

use super::{Context, MODE_SEALED, Times, VERSION, key_id_at, read_times};

const VERSION_2: u8 = 2;
const HEADER_LEN: usize = 1 + 1 + 4;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Flags, issued-at, expires-at: the start of the plaintext.
pub(super) const TIMES_LEN: usize = 1 + 8 + 8;
/// Where the plaintext starts in a decoded token.
pub(super) const PLAIN_AT: usize = HEADER_LEN + NONCE_LEN;

/// A token whose tag is verified, decrypted in place.
pub(super) struct Unsealed {
    /// The decoded token without its tag, capacity exactly its length;
    /// the plaintext is `PLAIN_AT..`.
    pub(super) raw: Vec<u8>,
    pub(super) key_id: KeyId,
    pub(super) flags: u8,
    pub(super) times: Times,
}

/// The token for `body` (already deflated if `flags` says so) under `key`,
/// as base64url text after `before` zero bytes, with `spare` bytes of
/// capacity after it.
pub(super) fn seal(
    key: &Key,
    ctx: &Context<'_>,
    times: Times,
    flags: u8,
    body: &[u8],
    purpose: Purpose,
    (before, spare): (usize, usize),
) -> Vec<u8> {
    let version = if writes_v2(ctx, purpose) {
        VERSION_2
    } else {
        VERSION
    };
    let raw_len = PLAIN_AT + TIMES_LEN + body.len() + TAG_LEN;
    let len = base64url::encoded_len(raw_len);
    // The binary token is built and encrypted in place in the front of
    // the token's own buffer (it is shorter than its text), encoded into
    // the thread's scratch text, and copied back over itself: a copy of
    // the text instead of zero-filling the buffer for the encoder to
    // overwrite (the scratch is zero-filled only when it grows).
    let mut text = Vec::with_capacity(before + len + spare);
    text.resize(before, 0);
    // Header, nonce, then the plaintext (flags, times, body), then the
    // tag. The fixed part is built on the stack: one copy and one capacity
    // check instead of one per part.
    let mut start = [0u8; PLAIN_AT + TIMES_LEN];
    start[..HEADER_LEN].copy_from_slice(&header(version, key));
    // Thread-local ChaCha12 generator seeded from the OS: ~15 ns per
    // nonce. Taken as one u64 and one u32: the same three words of its
    // stream, in the same byte order, as `fill_bytes` would give, for ~20
    // instructions instead of ~110 (its generic byte loop).
    let mut rng = rand::thread_rng();
    start[HEADER_LEN..HEADER_LEN + 8].copy_from_slice(&rng.next_u64().to_le_bytes());
    start[HEADER_LEN + 8..PLAIN_AT].copy_from_slice(&rng.next_u32().to_le_bytes());
    start[PLAIN_AT] = flags;
    start[PLAIN_AT + 1..PLAIN_AT + 9].copy_from_slice(&times.issued_at.unix_millis().to_be_bytes());
    start[PLAIN_AT + 9..].copy_from_slice(&times.expires_at.unix_millis().to_be_bytes());
    let nonce = Nonce::try_from(&start[HEADER_LEN..PLAIN_AT]).expect("12 bytes");
    text.extend_from_slice(&start);
    text.extend_from_slice(body);
    key.count_seal();
    let (head, plain) = text[before..].split_at_mut(PLAIN_AT);
    let tag = with_cipher(key, ctx, version, purpose, &head[..HEADER_LEN], |c, aad| {
        c.encrypt_inout_detached(&nonce, aad, plain.into())
            .expect("AES-GCM encrypts any payload below 64 GiB")
    })
    .expect("the version was chosen for this context");
    text.extend_from_slice(&tag);
    SCRATCH.with_borrow_mut(|scratch| {
        if scratch.len() < len {
            scratch.resize(len, 0);
        }
        base64url::encode_to_slice(&text[before..], &mut scratch[..len]);
        text.truncate(before);
        text.extend_from_slice(&scratch[..len]);
        if scratch.capacity() > SCRATCH_KEPT {
            *scratch = Vec::new();
        }
    });
    text
}

/// Largest scratch buffer kept between seals (a whole cookie fits).
const SCRATCH_KEPT: usize = 4096;

thread_local! {
    /// The text of the token being sealed, before it is copied into the
    /// token's buffer: one buffer per thread, reused (it holds only the
    /// text of the last token once a seal is done: public), instead of an
    /// allocation per seal.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Decodes `token`, finds its one key (E7) and decrypts it in place if its
/// tag is valid for `ctx` and `purpose`.
pub(super) fn open(
    ring: &KeyRing,
    ctx: &Context<'_>,
    token: &str,
    purpose: Purpose,
) -> Result<Unsealed, EnvelopeError> {
    // The tag decoded apart: the buffer left is exactly the header, nonce
    // and ciphertext, so the payload becomes `Bytes` without a shared
    // header (an allocation) to record a shorter length than the buffer's.
    let (mut raw, tag) = base64url::decode_split::<TAG_LEN>(token)?;
    if raw.len() < PLAIN_AT + TIMES_LEN || raw[1] != MODE_SEALED {
        return Err(EnvelopeError::Invalid);
    }
    let key_id = key_id_at(&raw, 2);
    let key = ring.find(key_id).ok_or(EnvelopeError::Invalid)?;
    let (head, plain) = raw.split_at_mut(PLAIN_AT);
    // The version must be one this context is sealed with; the rest of the
    // header is the id of `key`.
    let nonce = Nonce::try_from(&head[HEADER_LEN..]).map_err(|_| EnvelopeError::Invalid)?;
    let tag = Tag::from(tag);
    with_cipher(key, ctx, head[0], purpose, &head[..HEADER_LEN], |c, aad| {
        c.decrypt_inout_detached(&nonce, aad, plain.into(), &tag)
    })
    .ok_or(EnvelopeError::Invalid)?
    .map_err(|_| EnvelopeError::Invalid)?;
    // Authenticated from here on.
    let times = read_times(&plain[1..TIMES_LEN]);
    let flags = plain[0];
    Ok(Unsealed {
        raw,
        key_id,
        flags,
        times,
    })
}

/// Whether a seal for `ctx` and `purpose` is written as version 2: for
/// whole-session cookie contexts (the ones whose derived values are
/// cached), sealed with the cookie subkey.
fn writes_v2(ctx: &Context<'_>, purpose: Purpose) -> bool {
    purpose == Purpose::CookieSealing && ctx.parts(purpose).is_some()
}

/// Runs `f` with the cipher and associated data for `version` in `ctx`
/// (`header` is the token's header); `None` for a version this context is
/// never sealed with. Always inlined: the compiler at times did not,
/// for ~56 instructions a seal.
#[inline(always)]
fn with_cipher<R>(
    key: &Key,
    ctx: &Context<'_>,
    version: u8,
    purpose: Purpose,
    header: &[u8],
    f: impl FnOnce(&Aes256Gcm, &[u8]) -> R,
) -> Option<R> {
    match version {
        VERSION => Some(f(key.cipher(purpose), &v1_aad(key, ctx, purpose))),
        VERSION_2 if writes_v2(ctx, purpose) => {
            let parts = ctx.parts(purpose)?;
            let encode = |out: &mut Vec<u8>| {
                let mut put = |b: &[u8]| out.extend_from_slice(b);
                ctx.write(&mut put, VERSION_2, MODE_SEALED, purpose);
            };
            Some(key.with_context_cipher(&parts, encode, |c| f(c, header)))
        }
        _ => None,
    }
}

/// The header of every token `key` seals as `version`.
fn header(version: u8, key: &Key) -> [u8; HEADER_LEN] {
    let mut header = [version, MODE_SEALED, 0, 0, 0, 0];
    header[2..].copy_from_slice(&key.id().to_bytes());
    header
}

/// The associated data of a version-1 token: its header (which the key
/// determines) and the context, length-prefixed. Cached per key and
/// context ([`Key::sealed_aad_for`]): the same bytes, built once.
fn v1_aad<'k>(key: &'k Key, ctx: &Context<'_>, purpose: Purpose) -> Cow<'k, [u8]> {
    key.sealed_aad_for(ctx.parts(purpose), || {
        let mut aad = Vec::with_capacity(64 + ctx.name.len() + ctx.field.len());
        let mut put = |b: &[u8]| aad.extend_from_slice(b);
        put_length_prefixed(&mut put, &header(VERSION, key));
        ctx.write(&mut put, VERSION, MODE_SEALED, purpose);
        aad
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;

    fn times() -> Times {
        Times::unbounded(Timestamp::from_unix_seconds(1_700_000_000))
    }

    /// Cookie seals are version 2, field seals version 1; a version-1
    /// cookie token (as written before version 2) still opens, and each
    /// version binds the context (A3, A4) and refuses the other's header
    /// (A8).
    #[test]
    fn both_versions_open_and_bind_the_context_a3_a4_a8() {
        let key = Key::generate();
        let ring = KeyRing::new(key.clone());
        let ctx = Context::cookie("id");
        let other = Context::cookie("other");
        let field = Context::field("shop", "card");
        let v2 = seal(
            &key,
            &ctx,
            times(),
            0,
            b"payload",
            Purpose::CookieSealing,
            (0, 0),
        );
        let v1 = seal_v1(&key, &ctx, b"payload");
        let text = |t: &[u8]| String::from_utf8(t.to_vec()).unwrap();
        let version = |t: &[u8]| base64url::decode(&text(t)).unwrap()[0];
        assert_eq!(version(&v2), VERSION_2);
        assert_eq!(version(&v1), VERSION);
        let f = seal(
            &key,
            &field,
            times(),
            0,
            b"x",
            Purpose::FieldSealing,
            (0, 0),
        );
        assert_eq!(version(&f), VERSION);
        for token in [&v2, &v1] {
            let opened = open(&ring, &ctx, &text(token), Purpose::CookieSealing).unwrap();
            assert_eq!(&opened.raw[PLAIN_AT + TIMES_LEN..], b"payload");
            assert_eq!(opened.times, times());
            for (c, p) in [
                (&other, Purpose::CookieSealing),
                (&ctx, Purpose::FieldSealing),
                (&field, Purpose::CookieSealing),
            ] {
                assert!(open(&ring, c, &text(token), p).is_err());
            }
            // The same token with the other version byte.
            let mut raw = base64url::decode(&text(token)).unwrap();
            raw[0] = if raw[0] == VERSION {
                VERSION_2
            } else {
                VERSION
            };
            let swapped = base64url::encode(&raw);
            assert!(open(&ring, &ctx, &swapped, Purpose::CookieSealing).is_err());
        }
        // A field context never takes version 2.
        let mut raw = base64url::decode(&text(&f)).unwrap();
        raw[0] = VERSION_2;
        let f2 = base64url::encode(&raw);
        assert!(open(&ring, &field, &f2, Purpose::FieldSealing).is_err());
    }

    /// Past the cached contexts, version 2 still seals and opens (the key
    /// is derived for the call) and stays bound to its context.
    #[test]
    fn uncached_contexts_derive_the_same_key() {
        let key = Key::generate();
        let ring = KeyRing::new(key.clone());
        let names: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
        let tokens: Vec<Vec<u8>> = names
            .iter()
            .map(|n| {
                seal(
                    &key,
                    &Context::cookie(n),
                    times(),
                    0,
                    b"p",
                    Purpose::CookieSealing,
                    (0, 0),
                )
            })
            .collect();
        for (i, t) in tokens.iter().enumerate() {
            let t = std::str::from_utf8(t).unwrap();
            for (j, n) in names.iter().enumerate() {
                let r = open(&ring, &Context::cookie(n), t, Purpose::CookieSealing);
                assert_eq!(r.is_ok(), i == j, "token {i} in context {j}");
            }
        }
    }

    /// The reused scratch buffer: seals of any size after one another all
    /// open, and a buffer grown past the cap is not kept.
    #[test]
    fn scratch_is_reused_and_capped() {
        let key = Key::generate();
        let ring = KeyRing::new(key.clone());
        let ctx = Context::cookie("id");
        for body in [vec![1u8; 10], vec![2; 3 * SCRATCH_KEPT], vec![3; 5]] {
            let t = seal(
                &key,
                &ctx,
                times(),
                0,
                &body,
                Purpose::CookieSealing,
                (0, 0),
            );
            let t = String::from_utf8(t).unwrap();
            let opened = open(&ring, &ctx, &t, Purpose::CookieSealing).unwrap();
            assert_eq!(&opened.raw[PLAIN_AT + TIMES_LEN..], &body[..]);
            assert!(SCRATCH.with_borrow(Vec::capacity) <= SCRATCH_KEPT);
        }
    }

    /// A version-1 cookie seal, as written before version 2.
    fn seal_v1(key: &Key, ctx: &Context<'_>, body: &[u8]) -> Vec<u8> {
        let mut out = header(VERSION, key).to_vec();
        let nonce = [7u8; NONCE_LEN];
        out.extend_from_slice(&nonce);
        out.push(0);
        out.extend_from_slice(&times().issued_at.unix_millis().to_be_bytes());
        out.extend_from_slice(&times().expires_at.unix_millis().to_be_bytes());
        out.extend_from_slice(body);
        let aad = v1_aad(key, ctx, Purpose::CookieSealing);
        let tag = key
            .cipher(Purpose::CookieSealing)
            .encrypt_inout_detached(&Nonce::from(nonce), &aad, (&mut out[PLAIN_AT..]).into())
            .unwrap();
        out.extend_from_slice(&tag);
        base64url::encode(&out).into_bytes()
    }
}
