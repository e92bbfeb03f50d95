//! The signed form, `H.P.T`, in its two versions. Both are read; version 2
//! is written whenever its times fit.
//!
//! * **Version 1**: `H` is 23 bytes (version 1, mode `S`, key id, flags,
//!   issued-at and expires-at as 8-byte big-endian milliseconds). The MAC
//!   input is the context encoding (see `Context::write`) then `H.P`.
//! * **Version 2**: `H` is 19 bytes (version 2, mode `S`, key id, flags,
//!   issued-at and expires-at as 6-byte big-endian milliseconds, unsigned;
//!   expires-at `2^48 − 1` stands for "never"). The MAC input is the context
//!   encoding, zero-padded to a whole number of 64-byte SHA-256 blocks, then
//!   `H.P`. The context encoding is prefix-free, so the padding keeps the
//!   binding injective (A3–A5); being whole blocks, the MAC state after it
//!   is computed once per key and context ([`Key::signing_mac_for`])
//!   instead of hashing the context on every token. A time that does not
//!   fit (before 1970, after the year 10889, or an expiry of exactly
//!   `2^48 − 1` ms) is written as version 1.
//!
//! The version byte is also bound in the context encoding, so a token of
//! one version can never be checked as the other.

use hmac::Mac;

use crate::base64url::{self, encode_array, encode_to_slice, encoded_len};
use crate::clock::Timestamp;
use crate::error::EnvelopeError;
use crate::key::{HmacSha256, Key, KeyId, KeyRing, Purpose};

use super::{Context, MODE_SIGNED, Times, VERSION, key_id_at, read_times};

const VERSION_2: u8 = 2;
const HEADER_V1: usize = 1 + 1 + 4 + 1 + 8 + 8;
const HEADER_V2: usize = 1 + 1 + 4 + 1 + 6 + 6;
const MAC_LEN: usize = 32;
const SHA256_BLOCK: usize = 64;
/// The largest 6-byte time; as an expiry, "never" ([`Timestamp::MAX`]).
const U48_MAX: i64 = (1 << 48) - 1;

/// A token whose MAC is verified: what its header says, and its payload
/// text (still base64).
pub(super) struct Checked<'t> {
    pub(super) key_id: KeyId,
    pub(super) flags: u8,
    pub(super) times: Times,
    pub(super) payload: &'t str,
}

/// `H.P.T` for `body` (already deflated if `flags` says so), under `key`,
/// after `before` zero bytes and with `spare` bytes of capacity after it.
pub(super) fn sign(
    key: &Key,
    ctx: &Context<'_>,
    times: Times,
    flags: u8,
    body: &[u8],
    (before, spare): (usize, usize),
) -> Vec<u8> {
    let mut buf = [0u8; HEADER_V1];
    buf[1] = MODE_SIGNED;
    buf[2..6].copy_from_slice(&key.id().to_bytes());
    buf[6] = flags;
    let (version, header) = match v2_times(times) {
        Some((iat, exp)) => {
            buf[7..13].copy_from_slice(&iat.to_be_bytes()[2..]);
            buf[13..19].copy_from_slice(&exp.to_be_bytes()[2..]);
            (VERSION_2, &mut buf[..HEADER_V2])
        }
        None => {
            buf[7..15].copy_from_slice(&times.issued_at.unix_millis().to_be_bytes());
            buf[15..23].copy_from_slice(&times.expires_at.unix_millis().to_be_bytes());
            (VERSION, &mut buf[..])
        }
    };
    header[0] = version;
    // One buffer, sized once, each part encoded in place.
    let h = encoded_len(header.len());
    let signed = h + 1 + encoded_len(body.len());
    let len = signed + 1 + encoded_len(MAC_LEN);
    let mut whole = Vec::with_capacity(before + len + spare);
    whole.resize(before + len, 0);
    let out = &mut whole[before..];
    // Header and tag have fixed sizes: encoded on the unrolled path.
    match <&[u8; HEADER_V2]>::try_from(&*header) {
        Ok(v2) => encode_array(v2, &mut out[..h]),
        Err(_) => encode_array::<HEADER_V1>(&buf, &mut out[..h]),
    }
    out[h] = b'.';
    encode_to_slice(body, &mut out[h + 1..signed]);
    let tag: [u8; MAC_LEN] = mac(version, key, ctx, &out[..signed])
        .finalize()
        .into_bytes()
        .into();
    out[signed] = b'.';
    encode_array(&tag, &mut out[signed + 1..]);
    whole
}

/// Checks the MAC of `token` (either version) with the one key its header
/// names (E7), before anything of the payload is decoded (A11). Not
/// inlined: inlined into `Codec::verify`, it cost ~40 instructions more.
#[inline(never)]
pub(super) fn check<'t>(
    ring: &KeyRing,
    ctx: &Context<'_>,
    token: &'t str,
) -> Result<Checked<'t>, EnvelopeError> {
    let (h, p, t) = split3(token).ok_or(EnvelopeError::Invalid)?;
    let mut buf = [0u8; HEADER_V1];
    // The header's length says which version it must be. Header and tag
    // have fixed sizes: decoded on the unrolled fixed-size path.
    let (version, header) = if h.len() == encoded_len(HEADER_V2) {
        let v2 = base64url::decode_array::<HEADER_V2>(h.as_bytes())?;
        buf[..HEADER_V2].copy_from_slice(&v2);
        (VERSION_2, &buf[..HEADER_V2])
    } else {
        buf = base64url::decode_array::<HEADER_V1>(h.as_bytes())?;
        (VERSION, &buf[..])
    };
    if header[0] != version || header[1] != MODE_SIGNED {
        return Err(EnvelopeError::Invalid);
    }
    let key_id = key_id_at(header, 2);
    let key = ring.find(key_id).ok_or(EnvelopeError::Invalid)?;
    let tag = base64url::decode_array::<MAC_LEN>(t.as_bytes())?;
    let signed_len = h.len() + 1 + p.len();
    mac(version, key, ctx, &token.as_bytes()[..signed_len])
        .verify_slice(&tag)
        .map_err(|_| EnvelopeError::Invalid)?;
    let times = if version == VERSION_2 {
        read_v2_times(&header[7..19])
    } else {
        read_times(&header[7..23])
    };
    Ok(Checked {
        key_id,
        flags: header[6],
        times,
        payload: p,
    })
}

/// `H.P.T` split at its two dots; `None` unless there are exactly two.
/// The header and tag are short and found from each end; the payload is
/// only searched (vectorised) to refuse a third dot.
fn split3(token: &str) -> Option<(&str, &str, &str)> {
    let bytes = token.as_bytes();
    let first = memchr::memchr(b'.', bytes)?;
    let last = memchr::memrchr(b'.', bytes)?;
    if last == first || memchr::memchr(b'.', &bytes[first + 1..last]).is_some() {
        return None;
    }
    // Both split points are ASCII dots: char boundaries.
    Some((&token[..first], &token[first + 1..last], &token[last + 1..]))
}

/// The MAC over the context and `text` for `version`. Inlined: returned
/// from a call, the ~200-byte MAC state is copied once more.
#[inline(always)]
fn mac(version: u8, key: &Key, ctx: &Context<'_>, text: &[u8]) -> HmacSha256 {
    let mut mac = if version == VERSION_2 {
        // The prefix depends on nothing but the context's parts (the
        // version and mode are fixed here).
        key.signing_mac_for(ctx.parts(Purpose::CookieSigning), |mac| {
            let mut prefix = Vec::with_capacity(2 * SHA256_BLOCK);
            ctx.write(
                &mut |b: &[u8]| prefix.extend_from_slice(b),
                VERSION_2,
                MODE_SIGNED,
                Purpose::CookieSigning,
            );
            prefix.resize(prefix.len().next_multiple_of(SHA256_BLOCK), 0);
            mac.update(&prefix);
        })
    } else {
        let mut mac = key.mac(Purpose::CookieSigning);
        ctx.write(
            &mut |b: &[u8]| mac.update(b),
            VERSION,
            MODE_SIGNED,
            Purpose::CookieSigning,
        );
        mac
    };
    mac.update(text);
    mac
}

/// Issued-at and expires-at as version 2 writes them, if both fit.
fn v2_times(times: Times) -> Option<(i64, i64)> {
    let iat = times.issued_at.unix_millis();
    let exp = if times.expires_at == Timestamp::MAX {
        U48_MAX
    } else {
        let exp = times.expires_at.unix_millis();
        (0..U48_MAX).contains(&exp).then_some(exp)?
    };
    (0..=U48_MAX).contains(&iat).then_some((iat, exp))
}

fn read_v2_times(b: &[u8]) -> Times {
    let u48 = |b: &[u8]| {
        let mut be = [0u8; 8];
        be[2..].copy_from_slice(b);
        i64::from_be_bytes(be)
    };
    let exp = u48(&b[6..12]);
    Times {
        issued_at: Timestamp::from_unix_millis(u48(&b[0..6])),
        expires_at: if exp == U48_MAX {
            Timestamp::MAX
        } else {
            Timestamp::from_unix_millis(exp)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    #[test]
    fn v2_times_round_trip_and_fall_back_outside_48_bits() {
        let fits = [
            (0, 0),
            (1_700_000_000_123, 1_700_000_360_456),
            (U48_MAX, U48_MAX - 1),
        ];
        for (iat, exp) in fits {
            let t = Times {
                issued_at: at(iat),
                expires_at: at(exp),
            };
            let (i, e) = v2_times(t).expect("fits");
            let mut b = [0u8; 12];
            b[..6].copy_from_slice(&i.to_be_bytes()[2..]);
            b[6..].copy_from_slice(&e.to_be_bytes()[2..]);
            assert_eq!(read_v2_times(&b), t);
        }
        let never = Times::unbounded(at(5));
        assert_eq!(v2_times(never), Some((5, U48_MAX)));
        for (iat, exp) in [
            (-1, 10),
            (U48_MAX + 1, U48_MAX - 1),
            (10, -1),
            (10, U48_MAX),
            (10, i64::MAX - 1),
            (i64::MIN, i64::MIN),
        ] {
            let t = Times {
                issued_at: at(iat),
                expires_at: at(exp),
            };
            assert_eq!(v2_times(t), None, "{iat} {exp}");
        }
    }

    #[test]
    fn split3_takes_exactly_three_parts() {
        assert_eq!(split3("a.b.c"), Some(("a", "b", "c")));
        assert_eq!(split3(".."), Some(("", "", "")));
        assert_eq!(split3("ab.cd.ef"), Some(("ab", "cd", "ef")));
        for bad in [
            "", "abc", "a.b", "a.b.c.d", "a..b.c", "a.b..c", "...", ".a.b.",
        ] {
            assert_eq!(split3(bad), None, "{bad:?}");
        }
    }

    /// The padded prefix is a whole number of blocks and still injective
    /// (A5): ("ab", "c") and ("a", "bc") give different MACs.
    #[test]
    fn v2_prefix_is_whole_blocks_and_injective_a5() {
        let key = Key::generate();
        let tag = |ctx: Context<'_>| mac(VERSION_2, &key, &ctx, b"x").finalize().into_bytes();
        assert_ne!(
            tag(Context::field("ab", "c")),
            tag(Context::field("a", "bc"))
        );
        assert_ne!(tag(Context::cookie("id")), tag(Context::cookie("id\0")));
        // Versions are separated even for the same text.
        let v1 = mac(VERSION, &key, &Context::cookie("id"), b"x")
            .finalize()
            .into_bytes();
        assert_ne!(tag(Context::cookie("id")), v1);
        // A name long enough to spill the prefix past the stack buffer.
        let long = "n".repeat(300);
        assert_ne!(tag(Context::cookie(&long)), tag(Context::cookie("n")));
    }
}
