//! Envelopes already out there keep opening: fixed tokens made by the
//! version-1 signed form (and the unchanged sealed form) before version 2
//! was introduced, in `data/envelope_v1.txt`. They verify with the same
//! key, context and times, give the same payload, are refused under any
//! tampering (A1), another context (A3) or after expiry (C7), and a
//! re-signed one comes out in version 2 (E2-style upgrade on write).

mod common;

use common::{assert_invalid, byte_bit_flips, raw_bit_flips, truncations};
use session_core::base64url::{decode, encode};
use session_core::clock::Timestamp;
use session_core::envelope::{Codec, Context, Times};
use session_core::key::Key;

const SECRET: &[u8] = b"golden-v1-test-secret-0123456789-abcdefghijklmnop";
const ISSUED: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);
const EXPIRES: Timestamp = Timestamp::from_unix_seconds(1_700_003_600);
const ID: Context<'static> = Context::cookie("id");
const SMALL: &[u8] = br#"{"user":42,"cart":["a","b"]}"#;

fn codec() -> Codec {
    Codec::new(Key::from_secret(SECRET).unwrap())
}

fn golden(name: &str) -> &'static str {
    include_str!("data/envelope_v1.txt")
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name} in data/envelope_v1.txt"))
}

/// The payload of `SIGNED_DEFLATE`, as it was generated.
fn big() -> Vec<u8> {
    let mut s = String::from("[");
    for i in 0..150u32 {
        s.push_str(&format!(
            "{{\"sku\":\"{:08x}\",\"qty\":{}}},",
            i.wrapping_mul(2_654_435_761),
            i % 7
        ));
    }
    s.push_str("0]");
    s.into_bytes()
}

fn header(token: &str) -> Vec<u8> {
    decode(token.split('.').next().unwrap()).unwrap()
}

#[test]
fn version_1_signed_tokens_still_verify() {
    let c = codec();
    let times = Times {
        issued_at: ISSUED,
        expires_at: EXPIRES,
    };
    for (name, payload) in [("SIGNED", SMALL.to_vec()), ("SIGNED_DEFLATE", big())] {
        let t = golden(name);
        assert_eq!(header(t).len(), 23, "{name} is version 1");
        assert_eq!(header(t)[0], 1);
        let opened = c.verify(&ID, t, ISSUED).expect(name);
        assert_eq!(opened.payload, payload, "{name}");
        assert_eq!(opened.times, times);
        assert!(!opened.rotated);
    }
    assert_eq!(header(golden("SIGNED_DEFLATE"))[6], 1, "deflated");
    let never = c.verify(&ID, golden("SIGNED_MAX"), ISSUED).unwrap();
    assert_eq!(&never.payload[..], br#"{"user":42}"#);
    assert_eq!(never.times, Times::unbounded(ISSUED));
}

#[test]
fn sealed_tokens_still_open() {
    let c = codec();
    let opened = c.open(&ID, golden("SEALED"), ISSUED).unwrap();
    assert_eq!(&opened.payload[..], SMALL);
    assert_eq!(opened.times.expires_at, EXPIRES);
    let field = c
        .open_field(&Context::field("shop", "card"), golden("FIELD"))
        .unwrap();
    assert_eq!(&field.payload[..], br#""4111""#);
}

/// C7, A3, A2: a version-1 token is still refused after its expiry, under
/// another name or purpose, and under another key.
#[test]
fn version_1_tokens_keep_their_bindings_a3_c7() {
    let c = codec();
    let t = golden("SIGNED");
    let late = EXPIRES.saturating_add(std::time::Duration::from_millis(1));
    assert!(c.verify(&ID, t, EXPIRES).is_ok(), "inclusive expiry (C8)");
    assert!(c.verify(&ID, t, late).is_err());
    assert_invalid(c.verify(&Context::cookie("other"), t, ISSUED), "name");
    assert_invalid(c.verify(&Context::field("id", ""), t, ISSUED), "purpose");
    assert_invalid(
        Codec::new(Key::generate()).verify(&ID, t, ISSUED),
        "other key",
    );
    assert_invalid(c.open(&ID, t, ISSUED), "signed token to the sealed reader");
}

/// A1 on the fixed version-1 tokens: every raw bit flip, every decoded bit
/// flip of each part, every truncation.
#[test]
fn tampered_version_1_tokens_rejected_a1() {
    let c = codec();
    let reject = |t: &str, what: &str| assert_invalid(c.verify(&ID, t, ISSUED), what);
    for name in ["SIGNED", "SIGNED_MAX"] {
        let t = golden(name);
        for (i, flipped) in raw_bit_flips(t).enumerate() {
            reject(&flipped, &format!("{name} raw bit {i}"));
        }
        for cut in truncations(t) {
            reject(&cut, &format!("{name} cut to {}", cut.len()));
        }
        let parts: Vec<&str> = t.split('.').collect();
        for k in 0..3 {
            let bytes = decode(parts[k]).unwrap();
            for (i, flipped) in byte_bit_flips(&bytes).enumerate() {
                let mut q: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
                q[k] = encode(&flipped);
                reject(&q.join("."), &format!("{name} part {k} bit {i}"));
            }
        }
    }
}

/// What `sign` writes now: version 2 (19-byte header), read back the same;
/// a verified version-1 payload re-signed comes out in version 2.
#[test]
fn re_signing_writes_version_2() {
    let c = codec();
    let opened = c.verify(&ID, golden("SIGNED"), ISSUED).unwrap();
    let t = c.sign(&ID, opened.times, &opened.payload);
    assert_eq!(header(&t).len(), 19);
    assert_eq!(header(&t)[0], 2);
    assert!(t.len() < golden("SIGNED").len());
    let again = c.verify(&ID, &t, ISSUED).unwrap();
    assert_eq!(again.payload, opened.payload);
    assert_eq!(again.times, opened.times);
}
