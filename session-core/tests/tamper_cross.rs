//! Cross-cutting envelope rejections: mode confusion (A8), context binding
//! (A3, A4, A5), valid MACs over bad data (A6, B8), constant-time checks
//! (A10), one key per token (E7), size limits (F6, J4) and token expiry
//! (C6, C7, C8: `Expired` vs `Invalid`).

mod common;

use std::time::Duration;

use common::{CTX, KEY, NOW, PAYLOAD, assert_invalid, codec, times};
use session_core::clock::Timestamp;
use session_core::envelope::{Codec, Context, Times};
use session_core::error::EnvelopeError;
use session_core::key::{Key, KeyRing};
use session_core::store::Record;

/// A8: each reader refuses the other modes' tokens.
#[test]
fn mode_confusion_rejected_a8() {
    let c = codec();
    let signed = c.sign(&CTX, times(), PAYLOAD);
    let sealed = c.seal(&CTX, times(), PAYLOAD);
    let field = c.seal_field(&CTX, PAYLOAD);
    assert_invalid(c.open(&CTX, &signed, NOW), "signed to open");
    assert_invalid(c.open_field(&CTX, &signed), "signed to open_field");
    assert_invalid(c.verify(&CTX, &sealed, NOW), "sealed to verify");
    assert_invalid(c.open_field(&CTX, &sealed), "cookie seal to open_field");
    assert_invalid(c.open(&CTX, &field, NOW), "field seal to open");
    assert_invalid(c.verify(&CTX, &field, NOW), "field seal to verify");
    // A signed token whose parts are joined into one sealed-looking part.
    assert_invalid(c.open(&CTX, &signed.replace('.', ""), NOW), "joined");
}

/// A8, E7: a ring with many fallbacks checks a token against the one key
/// its id names; a token from a key outside the ring is refused, and each
/// fallback's own token is accepted under that key's id.
#[test]
fn one_key_per_token_e7() {
    let fallbacks: Vec<Key> = (0..16).map(|_| Key::generate()).collect();
    let mut ring = KeyRing::new(KEY.clone());
    for k in &fallbacks {
        ring = ring.with_fallback(k.clone()).unwrap();
    }
    let c = Codec::new(ring);
    let outsider = Codec::new(Key::generate());
    assert_invalid(
        c.verify(&CTX, &outsider.sign(&CTX, times(), PAYLOAD), NOW),
        "outsider signed",
    );
    assert_invalid(
        c.open(&CTX, &outsider.seal(&CTX, times(), PAYLOAD), NOW),
        "outsider sealed",
    );
    for k in &fallbacks {
        let t = Codec::new(k.clone()).seal(&CTX, times(), PAYLOAD);
        let opened = c.open(&CTX, &t, NOW).unwrap();
        assert_eq!(opened.key_id, k.id());
        assert!(opened.rotated);
    }
    // The same secret twice is a configuration error, so ids stay unique.
    assert!(
        KeyRing::new(KEY.clone())
            .with_fallback(KEY.clone())
            .is_err()
    );
}

fn cross_reject(a: &Context<'_>, b: &Context<'_>) {
    let c = codec();
    assert_invalid(
        c.verify(b, &c.sign(a, times(), PAYLOAD), NOW),
        &format!("signed {a:?} as {b:?}"),
    );
    assert_invalid(
        c.open(b, &c.seal(a, times(), PAYLOAD), NOW),
        &format!("sealed {a:?} as {b:?}"),
    );
    assert_invalid(
        c.open_field(b, &c.seal_field(a, PAYLOAD)),
        &format!("field {a:?} as {b:?}"),
    );
}

/// A3, A4: a token moved to another cookie name, field, scope or purpose
/// is refused, in both directions, in every mode.
#[test]
fn moved_tokens_rejected_a3_a4() {
    let contexts = [
        Context::cookie("id"),
        Context::cookie("other"),
        Context::cookie("ID"),
        Context::cookie(""),
        Context::field("shop", "cart"),
        Context::field("shop", "card"),
        Context::field("auth", "cart"),
        Context::field("id", ""),
        Context::custom("reset-password", "id", ""),
        Context::custom("x", "id", ""),
        Context::custom("y", "id", ""),
        Context::custom("", "id", ""),
    ];
    for a in &contexts {
        for b in &contexts {
            if a != b {
                cross_reject(a, b);
            }
        }
    }
}

/// A5: the context encoding is injective: ("ab", "c") and ("a", "bc") give
/// different MACs and never open each other's tokens.
#[test]
fn context_encoding_injective_a5() {
    let pairs = [
        (Context::field("ab", "c"), Context::field("a", "bc")),
        (Context::field("abc", ""), Context::field("", "abc")),
        (
            Context::custom("p", "ab", "c"),
            Context::custom("p", "a", "bc"),
        ),
        (
            Context::custom("pa", "b", ""),
            Context::custom("p", "ab", ""),
        ),
    ];
    let c = codec();
    for (a, b) in pairs {
        let ta = c.sign(&a, times(), PAYLOAD);
        let tb = c.sign(&b, times(), PAYLOAD);
        let tag = |t: &str| t.rsplit('.').next().unwrap().to_owned();
        assert_ne!(tag(&ta), tag(&tb), "same MAC for {a:?} and {b:?}");
        cross_reject(&a, &b);
        cross_reject(&b, &a);
    }
}

/// A6, B8: a valid MAC over bytes that are not a record is returned as
/// bytes by the codec, and the record layer refuses them with an error.
#[test]
fn authentic_garbage_is_refused_by_the_record_layer_a6_b8() {
    let deep = "[".repeat(200) + &"]".repeat(200);
    let huge_number = r#"{"v":1,"meta":{"c":1e400,"m":0},"x":0}"#;
    let duplicate = r#"{"v":1,"v":1,"meta":{"c":0,"m":0},"x":0,"f":{}}"#;
    let unknown_tag = r#"{"v":1,"meta":{"c":0,"m":0,"e":"zz"},"x":0,"f":{}}"#;
    let wrong_shape = r#"{"v":"one","meta":[],"x":{}}"#;
    let cases: [&[u8]; 8] = [
        b"\xff\xfe not json",
        b"",
        b"{",
        deep.as_bytes(),
        huge_number.as_bytes(),
        duplicate.as_bytes(),
        unknown_tag.as_bytes(),
        wrong_shape.as_bytes(),
    ];
    let c = codec().with_max_token_len(1 << 16);
    for bytes in cases {
        let t = c.sign(&CTX, times(), bytes);
        let opened = c.verify(&CTX, &t, NOW).expect("the MAC is valid");
        assert_eq!(opened.payload, bytes);
        assert!(Record::from_json(&opened.payload).is_err(), "{bytes:?}");
        let t = c.seal(&CTX, times(), bytes);
        assert!(Record::from_json(&c.open(&CTX, &t, NOW).unwrap().payload).is_err());
    }
    // And a well-formed record still decodes (the test above can fail).
    let ok = r#"{"v":1,"meta":{"c":0,"m":0},"x":0,"f":{"a":1}}"#;
    assert!(Record::from_json(ok.as_bytes()).is_ok());
}

/// A10: tags are compared with `verify_slice` (constant time) and AEAD
/// decryption, never with `==` on bytes or strings. Checked on the source.
#[test]
fn constant_time_comparison_in_source_a10() {
    let code = |src: &'static str| src.split("#[cfg(test)]").next().unwrap();
    let envelope = code(include_str!("../src/envelope.rs"));
    let signed = code(include_str!("../src/envelope/signed.rs"));
    let sealed = code(include_str!("../src/envelope/sealed.rs"));
    // Signed tokens (both versions): one MAC check, through `verify_slice`.
    assert!(signed.contains(".verify_slice(&tag)"));
    // AEAD open (in place, both versions): the tag is checked inside
    // aes-gcm.
    assert!(sealed.contains(".decrypt_inout_detached(&nonce, aad,"));
    for (file, code) in [
        ("envelope.rs", envelope),
        ("envelope/signed.rs", signed),
        ("envelope/sealed.rs", sealed),
    ] {
        for banned in ["== tag", "tag ==", "tag.eq(", "== &tag", "ct_eq(&tag"] {
            assert!(!code.contains(banned), "`{banned}` in {file}");
        }
    }
    // The key ring compares secrets in constant time too.
    let key_src = include_str!("../src/key.rs");
    assert!(key_src.contains("ct_eq"));
}

/// F6: an oversize token is refused with `TooLarge` before any decoding or
/// crypto (garbage and valid tokens alike give TooLarge, not Invalid).
#[test]
fn oversize_token_too_large_f6() {
    let c = codec();
    let junk = "A".repeat(4097);
    for r in [
        c.verify(&CTX, &junk, NOW),
        c.open(&CTX, &junk, NOW),
        c.open_field(&CTX, &junk),
    ] {
        assert_eq!(
            r,
            Err(EnvelopeError::TooLarge {
                len: 4097,
                max: 4096
            })
        );
    }
    assert!(c.verify(&CTX, &"A".repeat(4096), NOW) == Err(EnvelopeError::Invalid));
    let small = codec().with_max_token_len(64);
    let t = c.sign(&CTX, times(), PAYLOAD);
    assert!(matches!(
        small.verify(&CTX, &t, NOW),
        Err(EnvelopeError::TooLarge { max: 64, .. })
    ));
    let t = c.seal(&CTX, times(), PAYLOAD);
    assert!(matches!(
        small.open(&CTX, &t, NOW),
        Err(EnvelopeError::TooLarge { .. })
    ));
}

/// J4: a validly signed, deflated payload that inflates past the reader's
/// cap is refused (no panic, bounded memory). The writer allowed 4 MiB;
/// the reader, with the same key, keeps the default 64 KiB.
#[test]
fn compressed_bomb_in_signed_payload_rejected_j4() {
    let writer = Codec::new(KEY.clone())
        .with_max_inflated(4 << 20)
        .with_max_token_len(4 << 20);
    // 256 KiB of text over a two-letter alphabet: deflates well, but under
    // the 50:1 ratio, so the writer compresses it.
    let mut x: u32 = 0x1234_5678;
    let data: Vec<u8> = (0..256 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if x & 1 == 0 { b'a' } else { b'b' }
        })
        .collect();
    let t = writer.sign(&CTX, times(), &data);
    assert!(common::signed_is_compressed(&t));
    assert_eq!(writer.verify(&CTX, &t, NOW).unwrap().payload, data);
    let reader = Codec::new(KEY.clone()).with_max_token_len(4 << 20);
    assert_invalid(reader.verify(&CTX, &t, NOW), "bomb past 64 KiB");
    // The default reader refuses it even earlier, by size.
    assert!(matches!(
        codec().verify(&CTX, &t, NOW),
        Err(EnvelopeError::TooLarge { .. })
    ));
    // 1 MiB of zeros: the writer does not emit a >50:1 stream at all.
    let zeros = vec![0u8; 1 << 20];
    let t = writer.sign(&CTX, times(), &zeros);
    assert!(!common::signed_is_compressed(&t));
    assert_eq!(writer.verify(&CTX, &t, NOW).unwrap().payload, zeros);
}

fn expiring_at(at: Timestamp) -> Times {
    Times {
        issued_at: NOW,
        expires_at: at,
    }
}

/// C6, C7, C8: a token past its authenticated expiry is refused even when
/// presented; at exactly T it is accepted, at T + 1 ms it is `Expired`; a
/// sub-second expiry is not expired at once. Tampering wins over expiry:
/// an expired token with a bad MAC is `Invalid`, never `Expired`.
#[test]
fn expired_tokens_rejected_c6_c7_c8() {
    let c = codec();
    let t_at = NOW.saturating_add(Duration::from_millis(500));
    let after = t_at.saturating_add(Duration::from_millis(1));
    for (mode, token) in [
        ("signed", c.sign(&CTX, expiring_at(t_at), PAYLOAD)),
        ("sealed", c.seal(&CTX, expiring_at(t_at), PAYLOAD)),
    ] {
        let check = |now| {
            if mode == "signed" {
                c.verify(&CTX, &token, now)
            } else {
                c.open(&CTX, &token, now)
            }
        };
        assert!(check(NOW).is_ok(), "{mode}: sub-second expiry not instant");
        assert!(check(t_at).is_ok(), "{mode}: inclusive boundary");
        assert_eq!(check(after), Err(EnvelopeError::Expired), "{mode}");
        assert_eq!(check(Timestamp::MAX), Err(EnvelopeError::Expired));
        let mut raw = token.into_bytes();
        let last = raw.len() - 2;
        raw[last] = if raw[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(raw).unwrap();
        let r = if mode == "signed" {
            c.verify(&CTX, &tampered, after)
        } else {
            c.open(&CTX, &tampered, after)
        };
        assert_eq!(r, Err(EnvelopeError::Invalid), "{mode}: tampered + expired");
    }
}

/// B7: extreme times in the authenticated header never panic.
#[test]
fn extreme_times_b7() {
    let c = codec();
    for (iat, exp) in [
        (Timestamp::MIN, Timestamp::MIN),
        (Timestamp::MAX, Timestamp::MAX),
        (Timestamp::MAX, Timestamp::MIN),
    ] {
        let times = Times {
            issued_at: iat,
            expires_at: exp,
        };
        let s = c.sign(&CTX, times, PAYLOAD);
        let e = c.seal(&CTX, times, PAYLOAD);
        let expect_ok = exp == Timestamp::MAX;
        assert_eq!(c.verify(&CTX, &s, NOW).is_ok(), expect_ok);
        assert_eq!(c.open(&CTX, &e, NOW).is_ok(), expect_ok);
        if expect_ok {
            assert_eq!(c.verify(&CTX, &s, NOW).unwrap().times, times);
        }
    }
}

/// A4: a caller-chosen purpose never aliases the built-in ones, even when
/// it is spelt "cookie" or "field": a custom token cannot be replayed as a
/// session cookie or a private field, nor the other way round.
#[test]
fn custom_purpose_never_aliases_builtin_a4() {
    let pairs = [
        (Context::custom("cookie", "id", ""), Context::cookie("id")),
        (
            Context::custom("field", "shop", "cart"),
            Context::field("shop", "cart"),
        ),
    ];
    for (custom, builtin) in pairs {
        assert_ne!(custom, builtin);
        cross_reject(&custom, &builtin);
        cross_reject(&builtin, &custom);
    }
}

/// B8, F6: a 1 MiB JSON string is refused by size before any crypto or
/// JSON parsing, signed or sealed.
#[test]
fn one_mib_string_rejected_by_size_b8() {
    let big = format!("{{\"s\":\"{}\"}}", "x".repeat(1 << 20));
    let c = codec();
    let signed = c.sign(&CTX, times(), big.as_bytes());
    let sealed = c.seal(&CTX, times(), big.as_bytes());
    assert!(matches!(
        c.verify(&CTX, &signed, NOW),
        Err(EnvelopeError::TooLarge { .. })
    ));
    assert!(matches!(
        c.open(&CTX, &sealed, NOW),
        Err(EnvelopeError::TooLarge { .. })
    ));
}
