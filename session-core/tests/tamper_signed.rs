//! Tamper suite for **signed** tokens (`H.P.T`): SECURITY.md A1, A2, A7,
//! A8, A11, B5, B6. Every transform must be refused as `Invalid`, without a
//! panic. Every case runs on both header versions: version 2 (19 bytes,
//! what `sign` writes) and version 1 (23 bytes, still read; `sign` writes
//! it when a time does not fit in 48 bits, which is how it is made here).
//! Cross-mode, context and size cases live in `tamper_cross.rs`; fixed
//! version-1 tokens in `envelope_compat.rs`.

mod common;

use common::{
    CTX, KEY, NOW, OTHER_KEY, PAYLOAD, assert_invalid, byte_bit_flips, codec, compressible,
    raw_bit_flips, signed_is_compressed, times, truncations, with_trailing_bits,
};
use session_core::base64url::{decode, encode};
use session_core::clock::Timestamp;
use session_core::envelope::{Codec, Times};

/// Issued before 1970: too early for version 2's unsigned times, so `sign`
/// writes version 1 (and it is valid at `NOW`).
fn v1_times() -> Times {
    Times {
        issued_at: Timestamp::from_unix_millis(-1),
        ..times()
    }
}

/// The tokens every transform is applied to: a small one and a deflated one
/// (so the compressed path is covered too), in each header version.
fn tokens() -> Vec<String> {
    let c = codec();
    let mut out = Vec::new();
    for (t, header_len) in [(times(), 19), (v1_times(), 23)] {
        let small = c.sign(&CTX, t, PAYLOAD);
        let large = c.sign(&CTX, t, &compressible());
        assert!(!signed_is_compressed(&small));
        assert!(signed_is_compressed(&large));
        for token in [small, large] {
            assert_eq!(decode(&parts(&token)[0]).unwrap().len(), header_len);
            out.push(token);
        }
    }
    out
}

fn parts(token: &str) -> [String; 3] {
    let v: Vec<&str> = token.split('.').collect();
    assert_eq!(v.len(), 3, "signed tokens have three parts");
    [v[0].to_owned(), v[1].to_owned(), v[2].to_owned()]
}

fn join(p: &[String]) -> String {
    p.join(".")
}

fn reject(token: &str, what: &str) {
    assert_invalid(codec().verify(&CTX, token, NOW), what);
}

#[test]
fn untampered_tokens_verify() {
    for t in tokens() {
        assert!(codec().verify(&CTX, &t, NOW).is_ok());
    }
}

/// A1: every single-bit flip of the raw text.
#[test]
fn every_raw_bit_flip_rejected_a1() {
    for t in tokens() {
        for (i, flipped) in raw_bit_flips(&t).enumerate() {
            reject(&flipped, &format!("raw bit {i}"));
        }
    }
}

/// A1: decode each part, flip every bit, re-encode (canonically, so the
/// flip reaches the MAC check rather than the base64 decoder).
#[test]
fn every_decoded_bit_flip_rejected_a1() {
    for t in tokens() {
        let p = parts(&t);
        for (k, part) in p.iter().enumerate() {
            let bytes = decode(part).expect("canonical part");
            for (i, flipped) in byte_bit_flips(&bytes).enumerate() {
                let mut q = p.clone();
                q[k] = encode(&flipped);
                reject(&join(&q), &format!("part {k} bit {i}"));
            }
        }
    }
}

/// A1, B6: every truncation (every prefix length, down to empty).
#[test]
fn every_truncation_rejected_a1_b6() {
    for t in tokens() {
        for cut in truncations(&t) {
            reject(&cut, &format!("prefix of {} chars", cut.len()));
        }
    }
}

/// A1: uppercase all, append a character, replace the first, remove the
/// separators, swap the parts, drop the tag, tag one byte short or long.
#[test]
fn textual_transforms_rejected_a1() {
    for t in tokens() {
        let [h, p, tag] = parts(&t);
        let mut cases: Vec<(String, &str)> = vec![
            (t.to_uppercase(), "uppercase"),
            (t.to_lowercase(), "lowercase"),
            (format!("{t}A"), "append A"),
            (format!("{t}."), "append ."),
            (format!("{t}.{tag}"), "append a fourth part"),
            (format!(".{t}"), "prepend ."),
            (t.replace('.', ""), "remove separators"),
            (t.replace('.', ","), "other separators"),
            (format!("{h}.{p}"), "drop the tag"),
            (format!("{h}.{p}."), "empty tag"),
            (format!("{h}..{tag}"), "empty payload"),
            (format!(".{p}.{tag}"), "empty header"),
        ];
        let first = if t.starts_with('A') { "B" } else { "A" };
        cases.push((format!("{first}{}", &t[1..]), "replace first char"));
        let perms = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        let pp = [h.clone(), p.clone(), tag.clone()];
        let mut swapped = Vec::new();
        for perm in perms {
            swapped.push(join(&perm.map(|i| pp[i].clone())));
        }
        let tag_bytes = decode(&tag).unwrap();
        let short = encode(&tag_bytes[..tag_bytes.len() - 1]);
        let mut long = tag_bytes.clone();
        long.push(0);
        let long = encode(&long);
        let mut reversed = tag_bytes.clone();
        reversed.reverse();
        let rev_tag = encode(&reversed);
        let owned = [
            format!("{h}.{p}.{short}"),
            format!("{h}.{p}.{long}"),
            format!("{h}.{p}.{rev_tag}"),
        ];
        for (c, what) in &cases {
            reject(c, what);
        }
        for s in &swapped {
            reject(s, "swapped parts");
        }
        for o in &owned {
            reject(o, "tag short, long or reversed");
        }
    }
}

/// A1: reverse each part's bytes alone, and all three together.
#[test]
fn reversed_parts_rejected_a1() {
    for t in tokens() {
        let p = parts(&t);
        let rev = |s: &str| {
            let mut b = decode(s).unwrap();
            b.reverse();
            encode(&b)
        };
        for k in 0..3 {
            let mut q = p.clone();
            q[k] = rev(&q[k]);
            if q[k] != p[k] {
                reject(&join(&q), &format!("reversed part {k}"));
            }
        }
        let all: Vec<String> = p.iter().map(|s| rev(s)).collect();
        reject(&join(&all), "all parts reversed");
    }
}

/// A2: a token of another key of the right format; and the victim's key
/// id written into it (the MAC still does not match).
#[test]
fn wrong_key_rejected_a2() {
    let other = Codec::new(OTHER_KEY.clone());
    let t = other.sign(&CTX, times(), PAYLOAD);
    assert!(other.verify(&CTX, &t, NOW).is_ok());
    reject(&t, "other key");
    let [h, p, tag] = parts(&t);
    let mut header = decode(&h).unwrap();
    header[2..6].copy_from_slice(&KEY.id().to_bytes());
    reject(&format!("{}.{p}.{tag}", encode(&header)), "victim key id");
}

/// A7: plain values, unsigned, given to the signed reader.
#[test]
fn plain_values_rejected_a7() {
    let json = std::str::from_utf8(PAYLOAD).unwrap();
    let b64 = encode(PAYLOAD);
    for plain in [json, "hello", "1", "null", &b64, &format!("{b64}.{b64}")] {
        reject(plain, plain);
    }
    let [h, _, _] = parts(&codec().sign(&CTX, times(), PAYLOAD));
    reject(&format!("{h}.{b64}"), "header and payload, no tag");
}

/// A8: unknown version byte, wrong mode byte, unknown key id — even with
/// the rest of the token intact.
#[test]
fn header_confusion_rejected_a8() {
    for t in tokens() {
        let [h, p, tag] = parts(&t);
        let header = decode(&h).unwrap();
        let mut cases = Vec::new();
        for (at, value) in [
            (0, 0u8),
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 0xff),
            (1, b'E'),
            (1, 0),
            (2, !header[2]),
        ] {
            if header[at] == value {
                continue;
            }
            let mut x = header.clone();
            x[at] = value;
            cases.push(format!("{}.{p}.{tag}", encode(&x)));
        }
        // The same fields in the other version's layout (times widened to
        // 8 bytes, or narrowed to 6), with the version byte to match.
        let other = if header.len() == 19 {
            let mut x = vec![1];
            x.extend_from_slice(&header[1..7]);
            for time in [&header[7..13], &header[13..19]] {
                x.extend_from_slice(&[0, 0]);
                x.extend_from_slice(time);
            }
            x
        } else {
            let mut x = vec![2];
            x.extend_from_slice(&header[1..7]);
            x.extend_from_slice(&header[9..15]);
            x.extend_from_slice(&header[17..23]);
            x
        };
        cases.push(format!("{}.{p}.{tag}", encode(&other)));
        for c in &cases {
            reject(c, "header byte changed");
        }
    }
}

/// A11: the compression flag is inside the MAC: setting it on a plain
/// payload, clearing it on a deflated one, or an unknown flag, is refused.
#[test]
fn compression_flag_flip_rejected_a11() {
    for t in tokens() {
        let [h, p, tag] = parts(&t);
        for flag in [0u8, 1, 2, 0x80, 0xff] {
            let mut header = decode(&h).unwrap();
            if header[6] == flag {
                continue;
            }
            header[6] = flag;
            reject(&format!("{}.{p}.{tag}", encode(&header)), "flag changed");
        }
    }
}

/// B5: non-canonical base64 in any part: padding, trailing bits,
/// whitespace, newlines, `+/` instead of `-_`.
#[test]
fn non_canonical_base64_rejected_b5() {
    // Find a token whose parts contain `-` and `_`, so the `+/` swap changes
    // something.
    let c = codec();
    let t = (0..10_000)
        .map(|i| c.sign(&CTX, times(), format!("{{\"n\":{i}}}").as_bytes()))
        .find(|t| t.contains('-') && t.contains('_'))
        .expect("some token uses both characters");
    let p = parts(&t);
    reject(&t.replace('-', "+"), "+ for -");
    reject(&t.replace('_', "/"), "/ for _");
    for k in 0..3 {
        let variants = [
            format!("{}=", p[k]),
            format!("{}==", p[k]),
            format!(" {}", p[k]),
            format!("{} ", p[k]),
            format!("{}\n", p[k]),
            format!("{}\r\n", p[k]),
            format!("{}\t", p[k]),
            format!("{} {}", &p[k][..1], &p[k][1..]),
        ];
        for v in variants {
            let mut q = p.clone();
            q[k] = v;
            reject(&join(&q), &format!("part {k} made non-canonical"));
        }
        if let Some(v) = with_trailing_bits(&p[k]) {
            let mut q = p.clone();
            q[k] = v;
            reject(&join(&q), &format!("part {k} trailing bits"));
        }
    }
    // The header (19 bytes) and the tag (32 bytes) both have spare bits.
    assert!(with_trailing_bits(&p[0]).is_some() && with_trailing_bits(&p[2]).is_some());
}

/// B6: length edge cases, including exactly the header and multi-byte
/// characters at a split boundary.
#[test]
fn length_edge_cases_rejected_b6() {
    let t = codec().sign(&CTX, times(), PAYLOAD);
    let [h, p, tag] = parts(&t);
    let header = decode(&h).unwrap();
    let cases = [
        String::new(),
        "A".into(),
        ".".into(),
        "..".into(),
        "...".into(),
        "A.A.A".into(),
        h.clone(),
        format!("{h}.."),
        format!("{h}.{p}"),
        encode(&header[..header.len() - 1]) + &format!(".{p}.{tag}"),
        format!("{h}.é.{tag}"),
        format!("é{}.{p}.{tag}", &h[1..]),
        format!("{h}.{p}.{}é", &tag[..tag.len() - 1]),
        "\u{10FFFF}.\u{10FFFF}.\u{10FFFF}".into(),
        "é".repeat(2000),
    ];
    for c in cases {
        reject(&c, &format!("{c:?}"));
    }
}
