//! Shared fixtures for the benches: a realistic session in two sizes, its
//! field specs, and the "floor" (serde_json of the whole struct + HMAC or
//! AES-GCM + base64, by hand).

#![allow(dead_code)] // Each bench binary uses a different part of this module.

use std::sync::Arc;

use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use session_core::FieldSpec;
use session_core::clock::{FakeClock, Timestamp};
use session_core::config::Config;
use session_core::envelope::{Codec, Compression};
use session_core::key::Key;
use session_core::state::State;

pub(crate) const SECRET: &[u8] = b"bench-secret-not-for-production-0123456789-abcdefghijklmnop";

/// One cart line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Item {
    pub(crate) sku: String,
    pub(crate) name: String,
    pub(crate) qty: u32,
    pub(crate) price_cents: u64,
}

/// User preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Prefs {
    pub(crate) theme: String,
    pub(crate) lang: String,
    pub(crate) tz: String,
    pub(crate) page_size: u32,
}

/// The whole session, as the floor encodes it in one go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Data {
    pub(crate) user_id: u64,
    pub(crate) username: String,
    pub(crate) csrf: String,
    pub(crate) roles: Vec<String>,
    pub(crate) prefs: Prefs,
    pub(crate) cart: Vec<Item>,
    pub(crate) recent: Vec<String>,
    pub(crate) visits: u32,
}

const NAMES: &[&str] = &[
    "Stainless steel water bottle 750ml",
    "Organic cotton t-shirt, navy, size M",
    "Wireless mouse with USB-C receiver",
    "Hardcover notebook, dotted, A5",
    "Ceramic pour-over coffee dripper",
];

impl Data {
    /// A session of `cart` cart lines and `recent` visited pages: (0, 0) is
    /// 223 bytes of JSON, (16, 14) about 2.2 KB (the 224 B / 2.2 KB).
    pub(crate) fn sample(cart: usize, recent: usize) -> Data {
        Data {
            user_id: 4_811_920_113,
            username: "ada.lovelace".into(),
            csrf: "q8Zt3uJd0x9Kc1VbN2mLp5RwYs7Ae4Hf".into(),
            roles: vec!["customer".into()],
            prefs: Prefs {
                theme: "dark".into(),
                lang: "en-GB".into(),
                tz: "Europe/London".into(),
                page_size: 25,
            },
            cart: (0..cart)
                .map(|i| Item {
                    sku: format!("SKU-{:06}", 100_003 + i * 7919),
                    name: NAMES[i % NAMES.len()].into(),
                    qty: 1 + (i as u32 % 3),
                    price_cents: 499 + (i as u64 * 1_337) % 9_000,
                })
                .collect(),
            recent: (0..recent)
                .map(|i| format!("/catalogue/category-{}/product-{}", i % 4, 2_000 + i * 31))
                .collect(),
            visits: 17,
        }
    }
}

pub(crate) static USER_ID: FieldSpec = FieldSpec::new("user_id", "user_id");
pub(crate) static USERNAME: FieldSpec = FieldSpec::new("username", "username");
pub(crate) static CSRF: FieldSpec = FieldSpec::new("csrf", "csrf");
pub(crate) static ROLES: FieldSpec = FieldSpec::new("roles", "roles");
pub(crate) static PREFS: FieldSpec = FieldSpec::new("prefs", "prefs");
pub(crate) static CART: FieldSpec = FieldSpec::new("cart", "cart");
pub(crate) static RECENT: FieldSpec = FieldSpec::new("recent", "recent");
pub(crate) static VISITS: FieldSpec = FieldSpec::new("visits", "visits");

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
pub(crate) fn filled_state(config: &Arc<Config>, d: &Data) -> State {
    let mut s = State::new(Arc::clone(config));
    s.set(&USER_ID, d.user_id);
    s.set(&USERNAME, d.username.clone());
    s.set(&CSRF, d.csrf.clone());
    s.set(&ROLES, d.roles.clone());
    s.set(&PREFS, d.prefs.clone());
    s.set(&CART, d.cart.clone());
    s.set(&RECENT, d.recent.clone());
    s.set(&VISITS, d.visits);
    s
}

/// Decodes every field of a loaded state (as the floor decodes the whole
/// struct). Returns something derived from each so nothing is optimised out.
pub(crate) fn read_all(s: &mut State) -> usize {
    let mut n = *s.get(&USER_ID, || 0u64) as usize;
    n += s.get(&USERNAME, String::new).len();
    n += s.get(&CSRF, String::new).len();
    n += s.get(&ROLES, Vec::<String>::new).len();
    n += s
        .get(&PREFS, || Prefs {
            theme: String::new(),
            lang: String::new(),
            tz: String::new(),
            page_size: 0,
        })
        .lang
        .len();
    n += s.get(&CART, Vec::<Item>::new).len();
    n += s.get(&RECENT, Vec::<String>::new).len();
    n += *s.get(&VISITS, || 0u32) as usize;
    n
}

type HmacSha256 = Hmac<Sha256>;

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

    /// `b64(json).b64(hmac(json))`.
    pub(crate) fn sign(&self, d: &Data) -> String {
        let json = serde_json::to_vec(d).expect("serializes");
        let mut mac = self.mac.clone();
        mac.update(&json);
        let tag = mac.finalize().into_bytes();
        let mut out = String::with_capacity(json.len() * 4 / 3 + 48);
        URL_SAFE_NO_PAD.encode_string(&json, &mut out);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut out);
        out
    }

    pub(crate) fn verify(&self, token: &str) -> Option<Data> {
        let (p, t) = token.split_once('.')?;
        let json = URL_SAFE_NO_PAD.decode(p).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(t).ok()?;
        let mut mac = self.mac.clone();
        mac.update(&json);
        mac.verify_slice(&tag).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// `b64(nonce || aes-gcm(json))`, random nonce from the thread RNG.
    pub(crate) fn seal(&self, d: &Data) -> String {
        let json = serde_json::to_vec(d).expect("serializes");
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), json.as_slice())
            .expect("encrypts");
        let mut raw = Vec::with_capacity(12 + ct.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ct);
        URL_SAFE_NO_PAD.encode(raw)
    }

    pub(crate) fn open(&self, token: &str) -> Option<Data> {
        let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        if raw.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = raw.split_at(12);
        let json = self.cipher.decrypt(Nonce::from_slice(nonce), ct).ok()?;
        serde_json::from_slice(&json).ok()
    }
}
