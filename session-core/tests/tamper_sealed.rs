//! Tamper suite for **sealed** tokens (one base64url part: 6-byte header,
//! 96-bit nonce, AES-256-GCM ciphertext, 128-bit tag; version 2 for
//! cookies, 1 for fields): SECURITY.md A1, A2,
//! A7, A8, A9, B5, B6, for cookie seals and per-field seals.

mod common;

use common::{
    CTX, KEY, NOW, OTHER_KEY, PAYLOAD, assert_invalid, byte_bit_flips, codec, raw_bit_flips, times,
    truncations, with_trailing_bits,
};
use session_core::base64url::{decode, encode};
use session_core::envelope::{Codec, Compression, Context};

const HEADER: usize = 6;
const NONCE: usize = 12;
const TAG: usize = 16;
const FIELD: Context<'static> = Context::field("shop", "card");

/// Which reader a token is meant for.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Cookie,
    Field,
}

fn seal(mode: Mode, data: &[u8]) -> String {
    match mode {
        Mode::Cookie => codec().seal(&CTX, times(), data),
        Mode::Field => codec().seal_field(&FIELD, data),
    }
}

fn reject(mode: Mode, token: &str, what: &str) {
    let r = match mode {
        Mode::Cookie => codec().open(&CTX, token, NOW),
        Mode::Field => codec().open_field(&FIELD, token),
    };
    assert_invalid(r, &format!("{mode:?}: {what}"));
}

/// Both modes, with a small payload and, for cookies, a deflated one
/// (compression opted in under encryption).
fn tokens() -> Vec<(Mode, String)> {
    let compressed = codec()
        .with_compression(Compression {
            threshold: 16,
            sealed: true,
            ..Compression::default()
        })
        .seal(&CTX, times(), &common::compressible());
    vec![
        (Mode::Cookie, seal(Mode::Cookie, PAYLOAD)),
        (Mode::Cookie, compressed),
        (Mode::Field, seal(Mode::Field, PAYLOAD)),
        (Mode::Field, seal(Mode::Field, b"")),
    ]
}

/// Splits decoded bytes into header, nonce, ciphertext and tag.
fn split(raw: &[u8]) -> (&[u8], &[u8], &[u8], &[u8]) {
    let (header, rest) = raw.split_at(HEADER);
    let (nonce, rest) = rest.split_at(NONCE);
    let (ct, tag) = rest.split_at(rest.len() - TAG);
    (header, nonce, ct, tag)
}

fn rev(b: &[u8]) -> Vec<u8> {
    b.iter().rev().copied().collect()
}

#[test]
fn untampered_tokens_open() {
    for (mode, t) in tokens() {
        let ok = match mode {
            Mode::Cookie => codec().open(&CTX, &t, NOW).is_ok(),
            Mode::Field => codec().open_field(&FIELD, &t).is_ok(),
        };
        assert!(ok, "{mode:?}");
    }
}

/// A1: every bit of the raw text, and every bit of the decoded bytes.
#[test]
fn every_bit_flip_rejected_a1() {
    for (mode, t) in tokens() {
        for (i, flipped) in raw_bit_flips(&t).enumerate() {
            reject(mode, &flipped, &format!("raw bit {i}"));
        }
        let raw = decode(&t).unwrap();
        for (i, flipped) in byte_bit_flips(&raw).enumerate() {
            reject(mode, &encode(&flipped), &format!("byte bit {i}"));
        }
    }
}

/// A1, B6: every truncation of the text and of the decoded bytes.
#[test]
fn every_truncation_rejected_a1_b6() {
    for (mode, t) in tokens() {
        for cut in truncations(&t) {
            reject(mode, &cut, &format!("prefix of {} chars", cut.len()));
        }
        let raw = decode(&t).unwrap();
        for n in 0..raw.len() {
            reject(mode, &encode(&raw[..n]), &format!("prefix of {n} bytes"));
        }
    }
}

/// A1: munge (reverse) the nonce, the ciphertext and the tag, each alone
/// and all three; drop the tag; cut it short by one byte; swap parts.
#[test]
fn munged_parts_rejected_a1() {
    for (mode, t) in tokens() {
        let raw = decode(&t).unwrap();
        let (h, n, ct, tag) = split(&raw);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            ([h, &rev(n), ct, tag].concat(), "nonce reversed"),
            ([h, n, &rev(ct), tag].concat(), "ciphertext reversed"),
            ([h, n, ct, &rev(tag)].concat(), "tag reversed"),
            ([h, &rev(n), &rev(ct), &rev(tag)].concat(), "all reversed"),
            ([h, n, ct].concat(), "tag dropped"),
            ([h, n, ct, &tag[..TAG - 1]].concat(), "tag short by one"),
            ([h, n, ct, tag, &[0]].concat(), "one byte appended"),
            ([h, tag, ct, n].concat(), "nonce and tag swapped"),
            ([h, ct, n, tag].concat(), "nonce and ciphertext swapped"),
            ([n, h, ct, tag].concat(), "header and nonce swapped"),
            ([h, n, tag, ct].concat(), "ciphertext and tag swapped"),
            ([h, n, tag].concat(), "ciphertext dropped"),
            ([h, ct, tag].concat(), "nonce dropped"),
            ([n, ct, tag].concat(), "header dropped"),
        ];
        for (bytes, what) in cases {
            if bytes != raw {
                reject(mode, &encode(&bytes), what);
            }
        }
        let first = if t.starts_with('A') { "B" } else { "A" };
        let text_cases = [
            (t.to_uppercase(), "uppercase"),
            (t.to_lowercase(), "lowercase"),
            (format!("{t}A"), "append A"),
            (format!("{t}."), "append ."),
            (format!("{first}{}", &t[1..]), "replace first char"),
            (format!("{t}.{t}"), "two parts"),
        ];
        for (c, what) in text_cases {
            reject(mode, &c, what);
        }
    }
}

/// A2: sealed under another key of the right format; and that token with
/// the victim's key id written in.
#[test]
fn wrong_key_rejected_a2() {
    let other = Codec::new(OTHER_KEY.clone());
    for mode in [Mode::Cookie, Mode::Field] {
        let t = match mode {
            Mode::Cookie => other.seal(&CTX, times(), PAYLOAD),
            Mode::Field => other.seal_field(&FIELD, PAYLOAD),
        };
        reject(mode, &t, "other key");
        let mut raw = decode(&t).unwrap();
        raw[2..6].copy_from_slice(&KEY.id().to_bytes());
        reject(mode, &encode(&raw), "victim key id");
    }
}

/// A7: plain values given to the private readers.
#[test]
fn plain_values_rejected_a7() {
    let json = std::str::from_utf8(PAYLOAD).unwrap();
    let b64 = encode(PAYLOAD);
    let long = encode(&[PAYLOAD; 4].concat());
    for mode in [Mode::Cookie, Mode::Field] {
        for plain in [json, "hello", "", &b64, &long] {
            reject(mode, plain, plain);
        }
    }
}

/// A8: unknown version byte, the other version (cookies seal as version
/// 2, fields as 1: `raw[0] ^ 3` swaps them), the signed mode byte, an
/// unknown key id.
#[test]
fn header_confusion_rejected_a8() {
    for (mode, t) in tokens() {
        let raw = decode(&t).unwrap();
        let expected = match mode {
            Mode::Cookie => 2,
            Mode::Field => 1,
        };
        assert_eq!(raw[0], expected, "{mode:?} version");
        let other = raw[0] ^ 3;
        for (at, value) in [
            (0, 0u8),
            (0, 3),
            (0, other),
            (0, 0xff),
            (1, b'S'),
            (1, 0),
            (3, !raw[3]),
        ] {
            let mut x = raw.clone();
            x[at] = value;
            reject(mode, &encode(&x), &format!("byte {at} = {value}"));
        }
    }
}

/// A9: two seals of the same data differ (random nonce), both open.
#[test]
fn two_seals_differ_a9() {
    for mode in [Mode::Cookie, Mode::Field] {
        let a = seal(mode, PAYLOAD);
        let b = seal(mode, PAYLOAD);
        assert_ne!(a, b);
        let (ra, rb) = (decode(&a).unwrap(), decode(&b).unwrap());
        assert_ne!(split(&ra).1, split(&rb).1, "nonces differ");
        assert_ne!(split(&ra).2, split(&rb).2, "ciphertexts differ");
    }
}

/// B5: non-canonical base64: padding, trailing bits, whitespace, `+/`.
#[test]
fn non_canonical_base64_rejected_b5() {
    for mode in [Mode::Cookie, Mode::Field] {
        let t = (0..10_000)
            .map(|_| seal(mode, PAYLOAD))
            .find(|t| t.contains('-') && t.contains('_') && t.len() % 4 != 0)
            .expect("a token with both characters and spare bits");
        let variants = [
            t.replace('-', "+"),
            t.replace('_', "/"),
            format!("{t}="),
            format!("{t}=="),
            format!(" {t}"),
            format!("{t} "),
            format!("{t}\n"),
            format!("{}\n{}", &t[..10], &t[10..]),
            format!("{}\t{}", &t[..10], &t[10..]),
            with_trailing_bits(&t).expect("spare bits"),
        ];
        for v in variants {
            reject(mode, &v, &format!("{v:?}"));
        }
    }
}

/// B6: exact lengths around the fixed parts, with a valid header (right
/// version, mode and key id) so each reaches the length checks.
#[test]
fn length_edge_cases_rejected_b6() {
    let header = decode(&seal(Mode::Cookie, PAYLOAD)).unwrap()[..HEADER].to_vec();
    for n in [
        0,
        1,
        HEADER,
        HEADER + NONCE,
        HEADER + NONCE + TAG - 1,
        HEADER + NONCE + TAG,
        HEADER + NONCE + TAG + 1,
        HEADER + NONCE + TAG + 16,
        HEADER + NONCE + TAG + 17,
    ] {
        let mut raw: Vec<u8> = header
            .iter()
            .copied()
            .chain(std::iter::repeat(7))
            .take(n)
            .collect();
        raw.truncate(n);
        for mode in [Mode::Cookie, Mode::Field] {
            reject(mode, &encode(&raw), &format!("{n} bytes"));
        }
    }
    for mode in [Mode::Cookie, Mode::Field] {
        for text in ["é", "Aé", "AAAé", "\u{1F600}", "\u{0}", "A\u{0}AA"] {
            reject(mode, text, text);
        }
    }
}
