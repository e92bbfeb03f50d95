//! Shared fixtures for the benches: two realistic sessions (string-heavy
//! [`Text`], numeric-heavy [`Numeric`]) in two sizes each, their field
//! specs, and the "floor" (serde_json of the whole struct + HMAC or AES-GCM
//! + base64, by hand).

#![allow(dead_code)] // Each bench binary uses a different part of this module.

use std::sync::Arc;

use aes_gcm::aead::Aead;
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
    cipher: Aes256Gcm,
}

impl Floor {
    pub(crate) fn new() -> Self {
        Floor {
            mac: <HmacSha256 as Mac>::new_from_slice(&[7u8; 32]).expect("any key length"),
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

    /// `b64(nonce || aes-gcm(json))`, random nonce from the thread RNG.
    pub(crate) fn seal<D: Serialize>(&self, d: &D) -> String {
        let json = serde_json::to_vec(d).expect("serializes");
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce), json.as_slice())
            .expect("encrypts");
        let mut raw = Vec::with_capacity(12 + ct.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ct);
        B64.encode(raw)
    }

    pub(crate) fn open<D: DeserializeOwned>(&self, token: &str) -> Option<D> {
        let raw = B64.decode(token).ok()?;
        if raw.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = raw.split_at(12);
        let nonce = Nonce::try_from(nonce).ok()?;
        let json = self.cipher.decrypt(&nonce, ct).ok()?;
        serde_json::from_slice(&json).ok()
    }
}
