//! Keys: one master secret, purpose-bound subkeys, and a ring for rotation.
//!
//! A [`Key`] is built from a master secret of at least 32 bytes. From it,
//! HKDF-SHA256 derives one 32-byte subkey per [`Purpose`]; the HKDF `info`
//! is a length-prefixed encoding of a version label and the purpose label, so
//! no two purposes can ever share a key (SECURITY.md E8, A5). The MAC state
//! and AES-GCM ciphers are built once per key, never per call.
//!
//! Every key has a short [`KeyId`] (derived from the secret, so nobody has to
//! manage ids by hand). Envelopes carry the id of the key that made them, and
//! a [`KeyRing`] looks up exactly one key per token (E7): a forged token costs
//! one MAC or one AEAD open, however many fallbacks are configured (J5).
//!
//! `Debug` never prints key material and equality is constant-time.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aes_gcm::{Aes256Gcm, KeyInit};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::KeyError;

mod cache;
pub(crate) use cache::ContextParts;
use cache::{Cache, cached, lookup};

/// HMAC-SHA256, as used for every MAC in this crate.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// The smallest master secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// Version label mixed into every derivation; bump it to change every subkey.
const DERIVE_VERSION: &[u8] = b"session-core/v1";

/// Secrets that appear in documentation or tutorials. Refused (E9).
const KNOWN_WEAK: &[&[u8]] = &[
    b"an example very very secret key.",
    b"0123456789abcdef0123456789abcdef",
    b"01234567890123456789012345678901",
    b"abcdefghijklmnopqrstuvwxyz012345",
    b"change-me-change-me-change-me-change-me",
    b"changeme-changeme-changeme-changeme",
    b"django-insecure-change-me-change-me-change-me",
    b"secret-secret-secret-secret-secret",
    b"this-is-a-very-long-and-secret-key-for-tests",
];

/// What a subkey is for. Each purpose has its own key (E8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// HMAC-SHA256 over signed cookie envelopes.
    CookieSigning,
    /// AES-256-GCM for whole-session encrypted cookies.
    CookieSealing,
    /// AES-256-GCM for `#[session(private)]` fields.
    FieldSealing,
    /// HMAC-SHA256 for hashing session ids at rest.
    IdHashing,
}

impl Purpose {
    /// The label fed to HKDF and bound into envelopes.
    pub const fn label(self) -> &'static str {
        match self {
            Purpose::CookieSigning => "cookie-signing",
            Purpose::CookieSealing => "cookie-sealing",
            Purpose::FieldSealing => "field-sealing",
            Purpose::IdHashing => "id-hashing",
        }
    }
}

/// A short identifier of a key, carried in every envelope.
///
/// Derived from the secret, so the same secret always has the same id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub(crate) [u8; 4]);

impl KeyId {
    /// The id as four bytes.
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A master key and the subkeys derived from it.
///
/// Cheap to clone (the derived state is shared).
///
/// # Examples
///
/// ```
/// use session_core::key::Key;
///
/// let key = Key::generate();
/// assert!(!format!("{key:?}").contains("secret"));
///
/// // Short or well-known secrets are configuration errors.
/// assert!(Key::from_secret(b"too short").is_err());
/// assert!(Key::from_secret(&[0u8; 64]).is_err());
/// ```
#[derive(Clone)]
pub struct Key(Arc<KeyInner>);

struct KeyInner {
    secret: Zeroizing<Vec<u8>>,
    id: KeyId,
    signing: HmacSha256,
    /// The signing MAC after a context's prefix.
    signing_after: Cache<HmacSha256>,
    /// The associated data of sealed tokens for a context.
    sealed_aad: Cache<Box<[u8]>>,
    /// The sealing cipher under a context's own key.
    context_ciphers: Cache<Aes256Gcm>,
    id_hashing: HmacSha256,
    cookie_cipher: Aes256Gcm,
    field_cipher: Aes256Gcm,
    seals: AtomicU64,
}

impl Key {
    /// Builds a key from a master secret.
    ///
    /// # Errors
    ///
    /// [`KeyError::TooShort`] if the secret has fewer than
    /// [`MIN_SECRET_LEN`] bytes; [`KeyError::Weak`] if it is a well-known
    /// example secret or has almost no variety (such as all zeros).
    pub fn from_secret(secret: &[u8]) -> Result<Key, KeyError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(KeyError::TooShort {
                len: secret.len(),
                min: MIN_SECRET_LEN,
            });
        }
        if KNOWN_WEAK.iter().any(|w| w.ct_eq(secret).into()) {
            return Err(KeyError::Weak("it is a well-known example secret"));
        }
        let mut seen = [false; 256];
        for &b in secret {
            seen[usize::from(b)] = true;
        }
        if seen.iter().filter(|s| **s).count() < 8 {
            return Err(KeyError::Weak("it has fewer than 8 distinct byte values"));
        }
        Ok(Key::derive(secret))
    }

    /// A fresh random key (64 bytes from the operating system's CSPRNG).
    pub fn generate() -> Key {
        let mut secret = Zeroizing::new(vec![0u8; 64]);
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Key::derive(&secret)
    }

    fn derive(secret: &[u8]) -> Key {
        let sub = |label: &str| subkey(secret, &[DERIVE_VERSION, label.as_bytes()]);
        let id_bytes = sub("key-id");
        let id = KeyId([id_bytes[0], id_bytes[1], id_bytes[2], id_bytes[3]]);
        let mac = |p: Purpose| {
            <HmacSha256 as Mac>::new_from_slice(sub(p.label()).as_ref())
                .expect("HMAC accepts keys of any length")
        };
        let cipher = |p: Purpose| Aes256Gcm::new((&*sub(p.label())).into());
        Key(Arc::new(KeyInner {
            secret: Zeroizing::new(secret.to_vec()),
            id,
            signing: mac(Purpose::CookieSigning),
            signing_after: Default::default(),
            sealed_aad: Default::default(),
            context_ciphers: Default::default(),
            id_hashing: mac(Purpose::IdHashing),
            cookie_cipher: cipher(Purpose::CookieSealing),
            field_cipher: cipher(Purpose::FieldSealing),
            seals: AtomicU64::new(0),
        }))
    }

    /// This key's id.
    pub fn id(&self) -> KeyId {
        self.0.id
    }

    /// How many AES-GCM seals this key has made in this process.
    ///
    /// With random 96-bit nonces a key must make at most 2^32 seals
    /// (NIST SP 800-38D §8.3); rotate well before that.
    pub fn seal_count(&self) -> u64 {
        self.0.seals.load(Ordering::Relaxed)
    }

    /// A keyed MAC for `purpose`, ready to be fed (a clone of a pre-keyed
    /// state: no key schedule per call).
    pub(crate) fn mac(&self, purpose: Purpose) -> HmacSha256 {
        match purpose {
            Purpose::IdHashing => self.0.id_hashing.clone(),
            _ => self.0.signing.clone(),
        }
    }

    /// The signing MAC (as [`Key::mac`] for [`Purpose::CookieSigning`])
    /// that has already been fed the prefix `feed` writes for the context
    /// named by `parts`. The prefix should be a whole number of SHA-256
    /// blocks (64 bytes): the state is then cached for the first few
    /// contexts seen, and a call costs a few comparisons of `parts` and a
    /// copy of the state instead of encoding and hashing the prefix. The
    /// result is the same as feeding the prefix to a fresh MAC, cached or
    /// not, provided `parts` determine the prefix. `None`: not cached.
    ///
    /// The hit path (a copy of the cached state) is inlined into the
    /// caller, so the copy lands where the caller keeps the MAC instead of
    /// being returned through memory; the rest is out of line.
    #[inline(always)]
    pub(crate) fn signing_mac_for(
        &self,
        parts: Option<ContextParts<'_>>,
        feed: impl Fn(&mut HmacSha256),
    ) -> HmacSha256 {
        if let Some(mac) = parts.and_then(|p| lookup(&self.0.signing_after, &p)) {
            return mac.clone();
        }
        self.new_signing_mac(parts, feed)
    }

    /// [`Key::signing_mac_for`] when the state is not cached yet (or will
    /// not be): fed, and cached if a slot is free.
    #[cold]
    #[inline(never)]
    fn new_signing_mac(
        &self,
        parts: Option<ContextParts<'_>>,
        feed: impl Fn(&mut HmacSha256),
    ) -> HmacSha256 {
        let fed = || {
            let mut mac = self.0.signing.clone();
            feed(&mut mac);
            mac
        };
        match parts {
            Some(parts) => {
                cached(&self.0.signing_after, &parts, fed).map_or_else(|made| made, Clone::clone)
            }
            None => fed(),
        }
    }

    /// The associated data `make` builds for sealing under this key in the
    /// context named by `parts` (which must determine it), cached for the
    /// first few contexts seen: a seal or open then borrows it instead of
    /// encoding the context again. `None`: not cached.
    pub(crate) fn sealed_aad_for(
        &self,
        parts: Option<ContextParts<'_>>,
        make: impl Fn() -> Vec<u8>,
    ) -> Cow<'_, [u8]> {
        let Some(parts) = parts else {
            return Cow::Owned(make());
        };
        match cached(&self.0.sealed_aad, &parts, || make().into()) {
            Ok(aad) => Cow::Borrowed(aad),
            Err(made) => Cow::Owned(made.into()),
        }
    }

    /// Runs `f` with the cookie-sealing cipher of the context named by
    /// `parts`, under a key of its own: derived with HKDF from the master
    /// secret, with the info `DERIVE_VERSION`, [`CONTEXT_SEALING`] and the
    /// context's encoding (which `encode` writes, and `parts` must
    /// determine), length-prefixed. So a token sealed for one context never
    /// opens in another (A3, A4), with no context in the associated data,
    /// and no other subkey can equal it (three parts, a label of its own:
    /// E8). Cached for the first few contexts seen; otherwise derived for
    /// this call. (A callback, not a `Cow`: a cipher is ~500 bytes, which
    /// an enum around it would move on every call.)
    ///
    /// The hit path is inlined into the caller; a miss (once per context,
    /// or every call past the cached ones) goes out of line, with the
    /// large frame a cipher made on the spot needs.
    #[inline(always)]
    pub(crate) fn with_context_cipher<R>(
        &self,
        parts: &ContextParts<'_>,
        encode: impl Fn(&mut Vec<u8>),
        f: impl FnOnce(&Aes256Gcm) -> R,
    ) -> R {
        match lookup(&self.0.context_ciphers, parts) {
            Some(cipher) => f(cipher),
            None => self.with_new_context_cipher(parts, encode, f),
        }
    }

    /// [`Key::with_context_cipher`] when the cipher is not cached yet (or
    /// will not be): made, and cached if a slot is free.
    #[cold]
    #[inline(never)]
    fn with_new_context_cipher<R>(
        &self,
        parts: &ContextParts<'_>,
        encode: impl Fn(&mut Vec<u8>),
        f: impl FnOnce(&Aes256Gcm) -> R,
    ) -> R {
        let make = || {
            let mut context = Vec::with_capacity(96);
            encode(&mut context);
            let key = subkey(&self.0.secret, &[DERIVE_VERSION, CONTEXT_SEALING, &context]);
            Aes256Gcm::new((&*key).into())
        };
        match cached(&self.0.context_ciphers, parts, make) {
            Ok(cipher) => f(cipher),
            Err(made) => f(&made),
        }
    }

    /// The AEAD cipher for `purpose`, counting the seal about to be made.
    pub(crate) fn cipher(&self, purpose: Purpose) -> &Aes256Gcm {
        match purpose {
            Purpose::FieldSealing => &self.0.field_cipher,
            _ => &self.0.cookie_cipher,
        }
    }

    pub(crate) fn count_seal(&self) {
        self.0.seals.fetch_add(1, Ordering::Relaxed);
    }

    /// Hashes `data` with the id-hashing subkey (HMAC-SHA256).
    ///
    /// Stores use this to keep session ids hashed at rest, so a leaked
    /// table holds no live ids (Rack CVE-2019-16782).
    pub fn hash(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = self.mac(Purpose::IdHashing);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.0.id)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Key {
    /// Constant-time comparison of the master secrets.
    fn eq(&self, other: &Self) -> bool {
        self.0
            .secret
            .as_slice()
            .ct_eq(other.0.secret.as_slice())
            .into()
    }
}

impl Eq for Key {}

/// The label of context-sealing keys ([`Key::context_cipher`]).
const CONTEXT_SEALING: &[u8] = b"cookie-sealing/context";

/// 32 bytes of HKDF-SHA256 from `secret` for the length-prefixed `info`.
fn subkey(secret: &[u8], info: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(Some(DERIVE_VERSION), secret);
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit.
    hk.expand(&length_prefixed(info), out.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

/// Encodes each part as a 4-byte big-endian length followed by its bytes.
///
/// This is injective: ("ab", "c") and ("a", "bc") encode differently (A5).
pub(crate) fn length_prefixed(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 4).sum());
    for p in parts {
        write_length_prefixed(&mut out, p);
    }
    out
}

pub(crate) fn write_length_prefixed(out: &mut Vec<u8>, part: &[u8]) {
    put_length_prefixed(&mut |b: &[u8]| out.extend_from_slice(b), part);
}

/// Feeds `part` with its 4-byte big-endian length to `put` (a MAC being
/// fed, or a buffer), so callers need not build an intermediate `Vec`.
pub(crate) fn put_length_prefixed(put: &mut impl FnMut(&[u8]), part: &[u8]) {
    let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
    put(&len.to_be_bytes());
    put(part);
}

/// The current key plus fallbacks that are still accepted.
///
/// New envelopes are always made with the current key (E2). A token made
/// with a fallback still opens, and the caller is told so it can re-seal
/// under the current key on the next save. A key removed from the ring
/// makes its tokens fail (E4).
///
/// # Examples
///
/// ```
/// use session_core::key::{Key, KeyRing};
///
/// let old = Key::generate();
/// let new = Key::generate();
/// let ring = KeyRing::new(new.clone()).with_fallback(old.clone()).unwrap();
/// assert_eq!(ring.current().id(), new.id());
/// assert!(ring.find(old.id()).is_some());
/// ```
#[derive(Clone, Debug)]
pub struct KeyRing {
    current: Key,
    fallbacks: Vec<Key>,
}

impl KeyRing {
    /// A ring with one key and no fallbacks.
    pub fn new(current: Key) -> Self {
        KeyRing {
            current,
            fallbacks: Vec::new(),
        }
    }

    /// Adds a fallback key, still accepted for reading.
    ///
    /// # Errors
    ///
    /// [`KeyError::DuplicateId`] if a key with the same id is already in the
    /// ring (the same secret twice, or an astronomically unlikely clash).
    pub fn with_fallback(mut self, key: Key) -> Result<Self, KeyError> {
        if self.find(key.id()).is_some() {
            return Err(KeyError::DuplicateId(key.id()));
        }
        self.fallbacks.push(key);
        Ok(self)
    }

    /// The key used for every new envelope.
    pub fn current(&self) -> &Key {
        &self.current
    }

    /// The fallback keys, oldest last.
    pub fn fallbacks(&self) -> &[Key] {
        &self.fallbacks
    }

    /// The key with this id, if it is in the ring. Never more than one key
    /// is returned, so a token is checked against exactly one key (E7).
    pub fn find(&self, id: KeyId) -> Option<&Key> {
        std::iter::once(&self.current)
            .chain(&self.fallbacks)
            .find(|k| k.id() == id)
    }
}

impl From<Key> for KeyRing {
    fn from(key: Key) -> Self {
        KeyRing::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::cache::CACHED_CONTEXTS;
    use super::cache::tests::test_parts;
    use super::*;

    const SECRET: &[u8] = b"k3y-for-unit-tests-only-0123456789-abcdefghij";

    #[test]
    fn same_secret_same_id_and_equal() {
        let a = Key::from_secret(SECRET).unwrap();
        let b = Key::from_secret(SECRET).unwrap();
        assert_eq!(a.id(), b.id());
        assert_eq!(a, b);
        assert_ne!(a, Key::generate());
    }

    #[test]
    fn short_and_weak_secrets_are_refused_e8_e9() {
        assert!(matches!(
            Key::from_secret(&[7u8; 31]),
            Err(KeyError::TooShort { len: 31, min: 32 })
        ));
        assert!(matches!(
            Key::from_secret(&[0u8; 32]),
            Err(KeyError::Weak(_))
        ));
        assert!(matches!(
            Key::from_secret(b"abababababababababababababababab"),
            Err(KeyError::Weak(_))
        ));
        for weak in KNOWN_WEAK {
            assert!(Key::from_secret(weak).is_err(), "{weak:?} accepted");
        }
    }

    #[test]
    fn debug_is_redacted() {
        let key = Key::from_secret(SECRET).unwrap();
        let dbg = format!("{key:?} {:?}", KeyRing::new(key.clone()));
        assert!(!dbg.contains("k3y"));
        assert!(dbg.contains(&key.id().to_string()));
    }

    #[test]
    fn purposes_get_distinct_subkeys_e8() {
        let key = Key::from_secret(SECRET).unwrap();
        let mut sign = key.mac(Purpose::CookieSigning);
        sign.update(b"x");
        let mut hash = key.mac(Purpose::IdHashing);
        hash.update(b"x");
        assert_ne!(sign.finalize().into_bytes(), hash.finalize().into_bytes());
    }

    /// A context's sealing key is none of the purpose subkeys, differs per
    /// context (whose encoding is part of the HKDF info), and is the same
    /// whether cached or derived for the call (E8, A3, A5).
    #[test]
    fn context_ciphers_are_distinct_keys_e8() {
        use aes_gcm::aead::AeadInOut;
        let key = Key::from_secret(SECRET).unwrap();
        let seal = |c: &Aes256Gcm| {
            let mut b = *b"sixteen bytes!!!";
            let nonce = aes_gcm::Nonce::from([0u8; 12]);
            let tag = c.encrypt_inout_detached(&nonce, b"", (&mut b[..]).into());
            (b, tag.unwrap())
        };
        let encode = |n: u8| move |out: &mut Vec<u8>| out.push(n);
        let with =
            |n: u8, parts: &ContextParts<'_>| key.with_context_cipher(parts, encode(n), seal);
        let subkeys = [Purpose::CookieSealing, Purpose::FieldSealing].map(|p| seal(key.cipher(p)));
        let names: Vec<[u8; 1]> = (0..CACHED_CONTEXTS as u8 + 2).map(|i| [i]).collect();
        let mut seen = Vec::new();
        for round in 0..2 {
            for (i, n) in names.iter().enumerate() {
                let parts = ContextParts {
                    subkey: Purpose::CookieSealing,
                    ..test_parts(n, b"")
                };
                let out = with(n[0], &parts);
                assert!(!subkeys.contains(&out), "context {i}");
                if round == 0 {
                    assert!(!seen.contains(&out), "context {i}");
                    seen.push(out);
                } else {
                    assert_eq!(out, seen[i], "context {i}, cached or not");
                }
            }
        }
    }

    /// A pre-fed state is the same MAC as feeding the prefix each time,
    /// whether it came from the cache, was put there by this call, or the
    /// cache was full; contexts that differ in any one part get their own
    /// state.
    #[test]
    fn signing_mac_for_equals_feeding_the_prefix() {
        let key = Key::from_secret(SECRET).unwrap();
        let tag = |mut mac: HmacSha256| {
            mac.update(b"text");
            mac.finalize().into_bytes()
        };
        let names: Vec<[u8; 1]> = (0..CACHED_CONTEXTS as u8 + 3).map(|i| [i]).collect();
        let cases: Vec<ContextParts<'_>> = names
            .iter()
            .map(|n| test_parts(n, b""))
            .chain([
                test_parts(b"", b"\0"),
                ContextParts {
                    custom: true,
                    ..test_parts(b"", b"")
                },
                ContextParts {
                    subkey: Purpose::CookieSealing,
                    ..test_parts(b"", b"")
                },
                ContextParts {
                    purpose: "q",
                    ..test_parts(b"", b"")
                },
            ])
            .collect();
        let prefix = |parts: &ContextParts<'_>| -> Vec<u8> {
            let mut p = [
                parts.subkey.label().as_bytes(),
                parts.purpose.as_bytes(),
                &[u8::from(parts.custom)],
                parts.name,
                parts.field,
            ]
            .concat();
            p.resize(64, 0xAA);
            p
        };
        for _ in 0..2 {
            for parts in &cases {
                let mut plain = key.mac(Purpose::CookieSigning);
                plain.update(&prefix(parts));
                let cached = key.signing_mac_for(Some(*parts), |m| m.update(&prefix(parts)));
                assert_eq!(tag(cached), tag(plain));
            }
        }
        let first = key.signing_mac_for(Some(cases[0]), |_| panic!("cached: not fed again"));
        assert_ne!(tag(first), tag(key.signing_mac_for(Some(cases[1]), |_| {})));
        let mut plain = key.mac(Purpose::CookieSigning);
        plain.update(b"x");
        assert_eq!(
            tag(key.signing_mac_for(None, |m| m.update(b"x"))),
            tag(plain)
        );
    }

    /// The AAD cache gives what `make` builds, borrowed while there is a
    /// free slot for the context, owned once the slots are taken; each
    /// context keeps its own.
    #[test]
    fn sealed_aad_for_caches_per_context() {
        let key = Key::from_secret(SECRET).unwrap();
        let names: Vec<[u8; 1]> = (0..CACHED_CONTEXTS as u8 + 2).map(|i| [i]).collect();
        fn parts(n: &[u8; 1]) -> ContextParts<'_> {
            test_parts(n, b"")
        }
        for round in 0..2 {
            for (i, n) in names.iter().enumerate() {
                let aad = key.sealed_aad_for(Some(parts(n)), || vec![n[0]; 3]);
                assert_eq!(&*aad, &[n[0]; 3], "round {round}, context {i}");
                assert_eq!(matches!(aad, Cow::Borrowed(_)), i < CACHED_CONTEXTS);
            }
        }
        let again = key.sealed_aad_for(Some(parts(&names[0])), || panic!("cached: not built"));
        assert_eq!(&*again, &[0; 3]);
        let uncached = key.sealed_aad_for(None, || vec![7]);
        assert!(matches!(uncached, Cow::Owned(v) if v == [7]));
    }

    #[test]
    fn length_prefix_is_injective_a5() {
        assert_ne!(
            length_prefixed(&[b"ab", b"c"]),
            length_prefixed(&[b"a", b"bc"])
        );
    }

    #[test]
    fn ring_refuses_duplicate_ids() {
        let k = Key::from_secret(SECRET).unwrap();
        assert!(matches!(
            KeyRing::new(k.clone()).with_fallback(k),
            Err(KeyError::DuplicateId(_))
        ));
    }
}
