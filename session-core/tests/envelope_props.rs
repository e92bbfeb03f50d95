//! Round-trip properties of the envelopes (B10), with key rotation (E1, E2,
//! E4): sign/verify, seal/open and seal_field/open_field are the identity
//! for arbitrary payloads and contexts, and decoding arbitrary input never
//! panics. 1024 cases per property.

mod common;

use common::{KEY, NOW, OLD_KEY, OTHER_KEY, codec, compressible, rotating_codec, times};
use proptest::prelude::*;
use session_core::envelope::{Codec, Compression, Context};
use session_core::error::EnvelopeError;
use session_core::id::Id;
use session_core::key::KeyRing;
use session_core::store::Record;

/// Big enough for every payload below, so the round trip is not cut short
/// by the cookie-size limit (F6 has its own tests).
const BIG: usize = 1 << 20;

fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Small, arbitrary bytes.
        proptest::collection::vec(any::<u8>(), 0..300),
        // Large and incompressible: over the compression threshold, but
        // deflate does not pay.
        proptest::collection::vec(any::<u8>(), 1024..2500),
        // Large runs of bytes: deflated on the signed path, some at ratios
        // far past the verifier's 50:1 cap.
        proptest::collection::vec((any::<u8>(), 1usize..400), 1..40).prop_map(|runs| runs
            .into_iter()
            .flat_map(|(b, n)| std::iter::repeat_n(b, n))
            .collect()),
        // Large JSON-like text with repetition (typical sessions).
        (1usize..200, "[a-z]{1,12}").prop_map(|(n, word)| {
            let mut s = String::from("[");
            for i in 0..n {
                s.push_str(&format!("{{\"{word}\":{i}}},"));
            }
            s.push_str("0]");
            s.into_bytes()
        }),
    ]
}

fn name() -> impl Strategy<Value = String> {
    "\\PC{0,24}"
}

fn big(codec: Codec) -> Codec {
    codec.with_max_token_len(BIG)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// B10: verify(sign(x)) == x for every payload and cookie name.
    #[test]
    fn sign_verify_round_trip_b10(data in payload(), cookie in name()) {
        let codec = big(codec());
        let ctx = Context::cookie(&cookie);
        let token = codec.sign(&ctx, times(), &data);
        let opened = codec.verify(&ctx, &token, NOW).expect("own token verifies");
        prop_assert_eq!(&opened.payload, &data);
        prop_assert_eq!(opened.times, times());
        prop_assert_eq!(opened.key_id, KEY.id());
        prop_assert!(!opened.rotated);
    }

    /// B10: the same with deflate opted in under encryption.
    #[test]
    fn seal_open_round_trip_b10(data in payload(), cookie in name(), compress in any::<bool>()) {
        let mut codec = big(codec());
        if compress {
            codec = codec.with_compression(Compression { sealed: true, ..Compression::default() });
        }
        let ctx = Context::cookie(&cookie);
        let token = codec.seal(&ctx, times(), &data);
        let opened = codec.open(&ctx, &token, NOW).expect("own token opens");
        prop_assert_eq!(&opened.payload, &data);
        prop_assert_eq!(opened.times, times());
        prop_assert!(!opened.rotated);
    }

    /// B10: per-field sealing round-trips for every scope and field name.
    #[test]
    fn seal_field_round_trip_b10(data in payload(), scope in name(), field in name()) {
        let codec = big(codec());
        let ctx = Context::field(&scope, &field);
        let token = codec.seal_field(&ctx, &data);
        let opened = codec.open_field(&ctx, &token).expect("own field opens");
        prop_assert_eq!(&opened.payload, &data);
        prop_assert!(!opened.rotated);
    }

    /// E1, E2, E4 (signed): a token of the fallback key is accepted and
    /// flagged `rotated`; re-signed under the ring it verifies with the
    /// current key; once the old key leaves the ring, its tokens fail.
    #[test]
    fn signed_rotation_e1_e2_e4(data in payload(), cookie in name()) {
        let ctx = Context::cookie(&cookie);
        let old = big(Codec::new(OLD_KEY.clone()));
        let ring = big(rotating_codec());
        let token = old.sign(&ctx, times(), &data);

        let opened = ring.verify(&ctx, &token, NOW).expect("fallback accepted (E1)");
        prop_assert_eq!(&opened.payload, &data);
        prop_assert!(opened.rotated);
        prop_assert_eq!(opened.key_id, OLD_KEY.id());

        let resigned = ring.sign(&ctx, opened.times, &opened.payload);
        let again = ring.verify(&ctx, &resigned, NOW).expect("re-signed verifies (E2)");
        prop_assert!(!again.rotated);
        prop_assert_eq!(again.key_id, KEY.id());
        prop_assert_eq!(&again.payload, &data);
        // The old deployment cannot read what the new key wrote.
        prop_assert_eq!(old.verify(&ctx, &resigned, NOW), Err(EnvelopeError::Invalid));

        let removed = big(Codec::new(KEY.clone()));
        prop_assert_eq!(removed.verify(&ctx, &token, NOW), Err(EnvelopeError::Invalid));
    }

    /// E1, E2, E4 (sealed and per-field).
    #[test]
    fn sealed_rotation_e1_e2_e4(data in payload(), cookie in name(), field in name()) {
        let ctx = Context::cookie(&cookie);
        let fctx = Context::field(&cookie, &field);
        let old = big(Codec::new(OLD_KEY.clone()));
        let ring = big(rotating_codec());
        let removed = big(Codec::new(KEY.clone()));

        let token = old.seal(&ctx, times(), &data);
        let opened = ring.open(&ctx, &token, NOW).expect("fallback accepted (E1)");
        prop_assert_eq!(&opened.payload, &data);
        prop_assert!(opened.rotated);
        let resealed = ring.seal(&ctx, opened.times, &opened.payload);
        let again = ring.open(&ctx, &resealed, NOW).expect("re-sealed opens (E2)");
        prop_assert!(!again.rotated);
        prop_assert_eq!(&again.payload, &data);
        prop_assert_eq!(removed.open(&ctx, &token, NOW), Err(EnvelopeError::Invalid));

        let ftoken = old.seal_field(&fctx, &data);
        let fopened = ring.open_field(&fctx, &ftoken).expect("fallback field (E1)");
        prop_assert!(fopened.rotated);
        let fresealed = ring.seal_field(&fctx, &fopened.payload);
        let fagain = ring.open_field(&fctx, &fresealed).expect("re-sealed field (E2)");
        prop_assert!(!fagain.rotated);
        prop_assert_eq!(&fagain.payload, &data);
        prop_assert_eq!(removed.open_field(&fctx, &ftoken), Err(EnvelopeError::Invalid));
    }

    /// B10: arbitrary text given to every decoder is refused, never a panic.
    #[test]
    fn arbitrary_text_never_panics_b10(text in "\\PC{0,200}") {
        let c = codec();
        prop_assert!(c.verify(&common::CTX, &text, NOW).is_err());
        prop_assert!(c.open(&common::CTX, &text, NOW).is_err());
        prop_assert!(c.open_field(&common::CTX, &text).is_err());
        let _ = Id::parse(&text);
    }

    /// B10: text shaped like our tokens (base64url parts and dots).
    #[test]
    fn token_shaped_text_never_panics_b10(
        text in "[A-Za-z0-9_-]{0,40}(\\.[A-Za-z0-9_-]{0,60}){0,3}",
    ) {
        let c = rotating_codec();
        prop_assert!(c.verify(&common::CTX, &text, NOW).is_err());
        prop_assert!(c.open(&common::CTX, &text, NOW).is_err());
        prop_assert!(c.open_field(&common::CTX, &text).is_err());
    }

    /// B10: arbitrary bytes, base64url-encoded so they reach the header and
    /// AEAD checks; also arbitrary bytes as a stored record.
    #[test]
    fn arbitrary_bytes_never_panic_b10(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let c = codec();
        let text = session_core::base64url::encode(&bytes);
        prop_assert!(c.open(&common::CTX, &text, NOW).is_err());
        prop_assert!(c.open_field(&common::CTX, &text).is_err());
        let signed = format!("{text}.{text}.{text}");
        prop_assert!(c.verify(&common::CTX, &signed, NOW).is_err());
        let _ = Record::from_json(&bytes);
    }
}

/// The signed path really deflates large repetitive payloads, and a ring
/// whose fallback key is unknown to the reader refuses it (E4, with
/// `fallback_keys=[]`: a ring of one key).
#[test]
fn large_signed_payload_is_compressed_and_round_trips() {
    let data = compressible();
    assert!(data.len() >= session_core::envelope::DEFAULT_COMPRESS_THRESHOLD);
    let token = codec().sign(&common::CTX, times(), &data);
    assert!(common::signed_is_compressed(&token));
    assert!(token.len() < data.len());
    let opened = codec().verify(&common::CTX, &token, NOW).unwrap();
    assert_eq!(opened.payload, data);
    let stranger = Codec::new(KeyRing::new(OTHER_KEY.clone()));
    assert_eq!(
        stranger.verify(&common::CTX, &token, NOW),
        Err(EnvelopeError::Invalid)
    );
}

/// Regression: a payload that deflates at more than 50:1 (the verifier's
/// ratio cap) used to be compressed by `sign` and then refused by `verify`
/// of the same codec. Sign must only emit what it can read back.
#[test]
fn highly_compressible_payload_round_trips() {
    for n in [1024usize, 4000, 60_000] {
        let data = vec![b'a'; n];
        let c = big(codec());
        let token = c.sign(&common::CTX, times(), &data);
        assert_eq!(c.verify(&common::CTX, &token, NOW).unwrap().payload, data);
        let c = c.with_compression(Compression {
            sealed: true,
            ..Compression::default()
        });
        let token = c.seal(&common::CTX, times(), &data);
        assert_eq!(c.open(&common::CTX, &token, NOW).unwrap().payload, data);
    }
}
