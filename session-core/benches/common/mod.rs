//! Shared fixtures for the benches: two realistic sessions (string-heavy
//! [`Text`], numeric-heavy [`Numeric`]) in two sizes each, their field
//! specs, and the "floor" (serde_json of the whole struct + HMAC or AES-GCM
//! + base64, by hand).

#![allow(dead_code)] // Each bench binary uses a different part of this module.

use std::sync::Arc;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::NO_PAD;
use base64::engine::simd::Simd;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use session_core::FieldSpec;
use session_core::clock::{FakeClock, Timestamp};
use session_core::config::Config;
use session_core::envelope::{Codec, Compression, Context, Times};
use session_core::key::Key;
use session_core::state::State;

mod numeric;
pub(crate) mod profile;
mod text;

// Each bench binary uses a different part of this module.
#[allow(unused_imports)]
pub(crate) use numeric::Numeric;
#[allow(unused_imports)]
pub(crate) use text::Text;

/// The cookie context every round trip is bound to.
pub(crate) const COOKIE: Context<'static> = Context::cookie("id");

pub(crate) const SECRET: &[u8] = b"bench-secret-not-for-production-0123456789-abcdefghijklmnop";

/// Both datasets have these two fields: the one-field round trip reads
/// `user_id` and writes `visits`.
pub(crate) static USER_ID: FieldSpec = FieldSpec::new("user_id", "user_id");
pub(crate) static VISITS: FieldSpec = FieldSpec::new("visits", "visits");

/// A session struct benched both ways: field by field through our stack,
/// and whole through the floor.
pub(crate) trait Dataset: Serialize + DeserializeOwned + Clone + 'static {
    /// Sets every field of the struct in `s`.
    fn fill(&self, s: &mut State);
    /// Decodes every field of a loaded state (as the floor decodes the whole
    /// struct). Returns something derived from each so nothing is optimised
    /// out.
    fn read_all(s: &mut State) -> usize;
    fn user_id(&self) -> u64;
    fn set_visits(&mut self, visits: u32);
}

/// A fixed instant, and the config (fake clock at that instant, keys,
/// default compression).
pub(crate) fn config() -> (Arc<Config>, Timestamp) {
    config_with(Compression::default())
}

/// As [`config`], with the given compression policy.
pub(crate) fn config_with(compression: Compression) -> (Arc<Config>, Timestamp) {
    let now = Timestamp::from_unix_seconds(1_800_000_000);
    let key = Key::from_secret(SECRET).expect("bench secret is strong");
    let config = Config::new()
        .with_clock(Arc::new(FakeClock::new(now)))
        .with_codec(Codec::new(key).with_compression(compression));
    (Arc::new(config), now)
}

/// A new state with every field of `d` set (all dirty: `to_record` encodes
/// each of them, as the floor encodes the whole struct).
pub(crate) fn filled_state<D: Dataset>(config: &Arc<Config>, d: &D) -> State {
    let mut s = State::new(Arc::clone(config));
    d.fill(&mut s);
    s
}

pub(crate) fn codec(config: &Config) -> &Codec {
    config.codec().expect("bench config has keys")
}

/// The record as a signed cookie store writes it: large fields deflated on
/// their own when the config's codec compresses.
pub(crate) fn record_bytes(config: &Config, state: &mut State) -> bytes::Bytes {
    let deflate = codec(config).compression().field_threshold_for(false);
    state.to_bytes_deflating(deflate).expect("encodes")
}

/// Our stack, one way and back, as a cookie store does it: State → record
/// → envelope (signed, or sealed) → record → State, then every field
/// decoded (as the floor decodes the whole struct).
pub(crate) fn ours_whole<D: Dataset>(
    config: &Arc<Config>,
    state: &mut State,
    times: Times,
    sealed: bool,
) -> (State, usize) {
    let codec = codec(config);
    let json = record_bytes(config, state);
    let opened = if sealed {
        let token = codec.seal(&COOKIE, times, &json);
        codec.open(&COOKIE, &token, times.issued_at)
    } else {
        let token = codec.sign(&COOKIE, times, &json);
        codec.verify(&COOKIE, &token, times.issued_at)
    }
    .expect("round trip");
    let mut back = State::from_bytes(Arc::clone(config), None, opened.payload).expect("a record");
    let n = D::read_all(&mut back);
    (back, n)
}

type HmacSha256 = Hmac<Sha256>;

/// The floor's base64: the same engine as ours (URL-safe, no padding,
/// SIMD where the CPU has it), so neither side gets a faster encoder.
static B64: std::sync::LazyLock<Simd> = std::sync::LazyLock::new(|| Simd::url_safe(NO_PAD));

/// The floor: what a hand-rolled signed or encrypted cookie costs. MAC key
/// and cipher are built once.
pub(crate) struct Floor {
    mac: HmacSha256,
    /// `mac` after one 64-byte block binding purpose and cookie name
    /// (hashed once, as ours caches it).
    bound_mac: HmacSha256,
    cipher: Aes256Gcm,
}

/// The required floor's header: version, mode, key id, flags, issued-at
/// and expires-at (6-byte milliseconds), as our signed tokens carry.
const BOUND_HEADER: usize = 1 + 1 + 4 + 1 + 6 + 6;
/// The sealed required floor's associated data (version, mode, key id)
/// and the times sealed with the payload (flags, issued-at, expires-at).
const SEALED_AAD: usize = 6;
const SEALED_TIMES: usize = 1 + 8 + 8;
/// The required floor's token age: Django's default, 14 days.
const AGE_MS: u64 = 14 * 24 * 3600 * 1000;

impl Floor {
    pub(crate) fn new() -> Self {
        let mac = <HmacSha256 as Mac>::new_from_slice(&[7u8; 32]).expect("any key length");
        let mut bound_mac = mac.clone();
        let mut context = [0u8; 64];
        context[..17].copy_from_slice(b"cookie-signing\x00id");
        bound_mac.update(&context);
        Floor {
            mac,
            bound_mac,
            cipher: Aes256Gcm::new(&[9u8; 32].into()),
        }
    }

    /// HMAC-SHA256 of `bytes` alone.
    pub(crate) fn mac(&self, bytes: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(bytes);
        mac.finalize().into_bytes().into()
    }

    /// `b64(json).b64(hmac(json))`.
    pub(crate) fn sign<D: Serialize>(&self, d: &D) -> String {
        let json = serde_json::to_vec(d).expect("serializes");
        let tag = self.mac(&json);
        let mut out = String::with_capacity(json.len() * 4 / 3 + 48);
        B64.encode_string(&json, &mut out);
        out.push('.');
        B64.encode_string(tag, &mut out);
        out
    }

    pub(crate) fn verify<D: DeserializeOwned>(&self, token: &str) -> Option<D> {
        let (p, t) = token.split_once('.')?;
        let json = B64.decode(p).ok()?;
        let tag = B64.decode(t).ok()?;
        let mut mac = self.mac.clone();
        mac.update(&json);
        mac.verify_slice(&tag).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// The floor's whole round trip: signed and verified, or sealed and
    /// opened.
    pub(crate) fn whole<D: Serialize + DeserializeOwned>(&self, d: &D, sealed: bool) -> D {
        let back = if sealed {
            self.open(&self.seal(d))
        } else {
            self.verify(&self.sign(d))
        };
        back.expect("the floor's own token")
    }

    /// The required floor's round trip: the floor plus only what issue 2
    /// requires of every token, still done by hand on the whole struct.
    /// Signed: a header with issued-at and expiry, the MAC over purpose and
    /// cookie name and over the base64 text, checked before the payload is
    /// decoded (A11), and the expiry checked. Sealed: the header as
    /// associated data, the times sealed with the payload, the expiry
    /// checked.
    pub(crate) fn whole_required<D: Serialize + DeserializeOwned>(
        &self,
        d: &D,
        sealed: bool,
        now_ms: u64,
    ) -> D {
        let back = if sealed {
            self.open_required(&self.seal_required(d, now_ms), now_ms)
        } else {
            self.verify_required(&self.sign_required(d, now_ms), now_ms)
        };
        back.expect("the floor's own token")
    }

    /// `b64(header).b64(json).b64(hmac(context || b64(header).b64(json)))`.
    pub(crate) fn sign_required<D: Serialize>(&self, d: &D, now_ms: u64) -> String {
        let json = serde_json::to_vec(d).expect("serializes");
        let mut header = [0u8; BOUND_HEADER];
        header[..2].copy_from_slice(&[2, b'S']);
        header[7..13].copy_from_slice(&now_ms.to_be_bytes()[2..]);
        header[13..].copy_from_slice(&(now_ms + AGE_MS).to_be_bytes()[2..]);
        let mut out = String::with_capacity(json.len() * 4 / 3 + 80);
        B64.encode_string(header, &mut out);
        out.push('.');
        B64.encode_string(&json, &mut out);
        let mut mac = self.bound_mac.clone();
        mac.update(out.as_bytes());
        let tag = mac.finalize().into_bytes();
        out.push('.');
        B64.encode_string(tag, &mut out);
        out
    }

    pub(crate) fn verify_required<D: DeserializeOwned>(
        &self,
        token: &str,
        now_ms: u64,
    ) -> Option<D> {
        let (text, t) = token.rsplit_once('.')?;
        let (h, p) = text.split_once('.')?;
        let header = B64.decode(h).ok()?;
        if header.len() != BOUND_HEADER || header[..2] != [2, b'S'] {
            return None;
        }
        let tag = B64.decode(t).ok()?;
        let mut mac = self.bound_mac.clone();
        mac.update(text.as_bytes());
        mac.verify_slice(&tag).ok()?;
        let mut exp = [0u8; 8];
        exp[2..].copy_from_slice(&header[13..]);
        if u64::from_be_bytes(exp) <= now_ms {
            return None;
        }
        let json = B64.decode(p).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// `b64(header || nonce || aes-gcm(times || json))`, the header as
    /// associated data; the same AEAD calls as [`Floor::seal`].
    pub(crate) fn seal_required<D: Serialize>(&self, d: &D, now_ms: u64) -> String {
        let header = [2, b'E', 0, 0, 0, 0];
        let mut plain = Vec::with_capacity(256);
        plain.push(0);
        plain.extend_from_slice(&now_ms.to_be_bytes());
        plain.extend_from_slice(&(now_ms + AGE_MS).to_be_bytes());
        serde_json::to_writer(&mut plain, d).expect("serializes");
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: &plain,
            aad: &header,
        };
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce), payload)
            .expect("encrypts");
        let mut raw = Vec::with_capacity(SEALED_AAD + 12 + ct.len());
        raw.extend_from_slice(&header);
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ct);
        B64.encode(raw)
    }

    pub(crate) fn open_required<D: DeserializeOwned>(&self, token: &str, now_ms: u64) -> Option<D> {
        let raw = B64.decode(token).ok()?;
        if raw.len() < SEALED_AAD + 12 + SEALED_TIMES + 16 || raw[..2] != [2, b'E'] {
            return None;
        }
        let (head, ct) = raw.split_at(SEALED_AAD + 12);
        let nonce = Nonce::try_from(&head[SEALED_AAD..]).ok()?;
        let payload = Payload {
            msg: ct,
            aad: &head[..SEALED_AAD],
        };
        let plain = self.cipher.decrypt(&nonce, payload).ok()?;
        let exp = u64::from_be_bytes(plain[9..17].try_into().ok()?);
        if exp <= now_ms {
            return None;
        }
        serde_json::from_slice(&plain[SEALED_TIMES..]).ok()
    }

    /// `b64(nonce || aes-gcm(json))`, random nonce from the thread RNG.
    pub(crate) fn seal<D: Serialize>(&self, d: &D) -> String {
        self.seal_bytes(&serde_json::to_vec(d).expect("serializes"))
    }

    /// [`Floor::seal`] of bytes already serialized.
    pub(crate) fn seal_bytes(&self, json: &[u8]) -> String {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce), json)
            .expect("encrypts");
        let mut raw = Vec::with_capacity(12 + ct.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ct);
        B64.encode(raw)
    }

    pub(crate) fn open<D: DeserializeOwned>(&self, token: &str) -> Option<D> {
        serde_json::from_slice(&self.open_bytes(token)?).ok()
    }

    /// [`Floor::open`] without the deserialization: the JSON.
    pub(crate) fn open_bytes(&self, token: &str) -> Option<Vec<u8>> {
        let raw = B64.decode(token).ok()?;
        if raw.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = raw.split_at(12);
        let nonce = Nonce::try_from(nonce).ok()?;
        self.cipher.decrypt(&nonce, ct).ok()
    }
}
