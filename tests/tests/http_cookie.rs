//! Cookie stores through HTTP: tampering, keys, rotation, size limits,
//! private fields, replay and revocation. SECURITY.md ids are cited.

use axum::http::{Method, StatusCode};
use session_core::base64url;
use session_core::clock::Timestamp;
use session_core::envelope::{Codec, Context, Times};
use session_core::key::{Key, KeyRing};
use session_core::web::Event;
use session_tests::conformance::START;
use session_tests::http::{Harness, Kind, Opts, send_raw};

const COOKIE_KINDS: [Kind; 2] = [Kind::Signed, Kind::Encrypted];

fn with_keys(kind: Kind, keys: KeyRing) -> Harness {
    Harness::with(
        kind,
        Opts {
            keys: Some(keys),
            ..Opts::default()
        },
    )
}

async fn read_with(h: &Harness, cookie: &str) -> session_tests::http::Resp {
    send_raw(
        &h.router,
        Method::GET,
        "/read",
        Some(&format!("id={cookie}")),
    )
    .await
}

#[tokio::test]
async fn fallback_key_loads_and_is_resealed_under_current_e1_e2_e3() {
    for kind in COOKIE_KINDS {
        let old = Key::generate();
        let new = Key::generate();
        let h1 = with_keys(kind, old.clone().into());
        let mut c = h1.client();
        c.post("/add/apple").await;
        let under_old = c.jar.clone().expect("cookie");

        let ring = KeyRing::new(new.clone())
            .with_fallback(old)
            .expect("distinct keys");
        let h2 = with_keys(kind, ring);
        let r = read_with(&h2, &under_old).await;
        assert_eq!(r.body, "apple", "E1: a fallback key still loads");
        let resealed = r
            .cookie_value()
            .expect("E2: re-issued under the current key");
        assert!(h2.events().contains(&Event::Resealed), "E3");

        let h3 = with_keys(kind, new.into());
        assert_eq!(read_with(&h3, &resealed).await.body, "apple", "E2");
        assert_eq!(
            read_with(&h3, &under_old).await.body,
            "",
            "E4: removed key fails"
        );
        // E3: the current key decoding emits nothing and re-issues nothing.
        let again = read_with(&h2, &resealed).await;
        assert!(again.set_cookies().is_empty());
        assert_eq!(
            h2.events()
                .iter()
                .filter(|e| **e == Event::Resealed)
                .count(),
            1
        );
    }
}

#[tokio::test]
async fn wrong_key_gives_empty_session_a2() {
    for kind in COOKIE_KINDS {
        let h1 = Harness::new(kind);
        let mut c = h1.client();
        c.post("/add/apple").await;
        let h2 = Harness::new(kind);
        let r = read_with(&h2, c.jar.as_deref().expect("cookie")).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, ""));
        assert!(h2.events().contains(&Event::TamperDetected), "A12");
    }
}

#[tokio::test]
async fn cookie_moved_to_another_name_is_rejected_a3() {
    for kind in COOKIE_KINDS {
        let key = Key::generate();
        let h_id = with_keys(kind, key.clone().into());
        let h_sid = Harness::with(
            kind,
            Opts {
                keys: Some(key.into()),
                name: Some("sid"),
                ..Opts::default()
            },
        );
        let mut c = h_id.client();
        c.post("/add/apple").await;
        let v = c.jar.clone().expect("cookie");
        let r = send_raw(
            &h_sid.router,
            Method::GET,
            "/read",
            Some(&format!("sid={v}")),
        )
        .await;
        assert_eq!(r.body, "", "A3: the name is bound, in {kind:?} mode");
        let mut own = h_sid.client().named("sid");
        own.post("/add/pear").await;
        assert_eq!(own.get("/read").await.body, "pear");
    }
}

#[tokio::test]
async fn signed_token_is_refused_by_the_encrypted_store_and_back_a8() {
    let key = Key::generate();
    let signed = with_keys(Kind::Signed, key.clone().into());
    let sealed = with_keys(Kind::Encrypted, key.into());
    let mut c = signed.client();
    c.post("/add/apple").await;
    assert_eq!(
        read_with(&sealed, c.jar.as_deref().expect("s")).await.body,
        ""
    );
    let mut c = sealed.client();
    c.post("/add/apple").await;
    assert_eq!(
        read_with(&signed, c.jar.as_deref().expect("e")).await.body,
        ""
    );
}

#[tokio::test]
async fn valid_mac_over_bad_json_is_an_empty_session_a6() {
    let key = Key::generate();
    let h = with_keys(Kind::Signed, key.clone().into());
    let codec = Codec::new(key);
    let times = Times::unbounded(START);
    for payload in [&b"not json"[..], br#"{"v":1}"#, br#"[1,2]"#] {
        let token = codec.sign(&Context::cookie("id"), times, payload);
        let r = read_with(&h, &token).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, ""), "A6");
    }
    assert!(
        h.events()
            .iter()
            .filter(|e| **e == Event::TamperDetected)
            .count()
            >= 3
    );
}

#[tokio::test]
async fn oversized_session_is_a_clear_error_not_a_dropped_cookie_f1() {
    for kind in COOKIE_KINDS {
        let h = Harness::new(kind);
        let mut c = h.client();
        c.post("/add/apple").await;
        let r = c.post("/big/5000").await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "F1");
        assert!(
            r.set_cookies().is_empty(),
            "F1: no cookie the browser drops"
        );
        assert_eq!(r.body, "session error", "G3: opaque by default");
        assert!(h.events().iter().any(|e| matches!(
            e,
            Event::SizeExceeded { limit: 4096, incoming: false, size } if *size > 4096
        )));
        assert_eq!(
            c.get("/read").await.body,
            "apple",
            "the old cookie still works"
        );

        let mapped = Harness::with(
            kind,
            Opts {
                teapot_errors: true,
                ..Opts::default()
            },
        );
        let r = mapped.client().post("/big/5000").await;
        assert_eq!(r.status, StatusCode::IM_A_TEAPOT);
        assert!(r.body.contains("over the 4096-byte limit"), "{}", r.body);
        assert!(
            r.body.contains("server-side session store"),
            "remedy named: {}",
            r.body
        );
        assert!(
            r.body.contains("`id` would be "),
            "name and size named: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn signed_payload_is_compressed_when_it_pays_encrypted_is_not_f7() {
    let item = "a".repeat(3500);
    let signed = Harness::new(Kind::Signed);
    let r = signed.client().post(&format!("/add/{item}")).await;
    let v = r
        .cookie_value()
        .expect("F7: deflate keeps it under the limit");
    assert!(v.len() < 1000, "compressed: {} bytes", v.len());
    let sealed = Harness::new(Kind::Encrypted);
    let r = sealed.client().post(&format!("/add/{item}")).await;
    assert_eq!(
        r.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "no compression under encryption by default (CRIME): too large"
    );
}

#[tokio::test]
async fn encrypted_compression_is_opt_in() {
    let item = "a".repeat(3500);
    let h = Harness::with(
        Kind::Encrypted,
        Opts {
            compress_sealed: true,
            ..Opts::default()
        },
    );
    let mut c = h.client();
    let r = c.post(&format!("/add/{item}")).await;
    let v = r
        .cookie_value()
        .expect("compressed under the limit once opted in");
    assert!(v.len() < 1000, "{} bytes", v.len());
    assert_eq!(c.get("/read").await.body, item);
}

#[tokio::test]
async fn oversized_incoming_cookie_is_dropped_before_crypto_f6() {
    for kind in COOKIE_KINDS {
        let h = Harness::new(kind);
        let huge = "A".repeat(5000);
        let r = read_with(&h, &huge).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, ""));
        assert!(
            h.events()
                .iter()
                .any(|e| matches!(e, Event::SizeExceeded { incoming: true, .. })),
            "F6"
        );
        assert!(
            !h.events().contains(&Event::TamperDetected),
            "F6: never reached the verifier"
        );
    }
}

#[tokio::test]
async fn private_field_stays_sealed_inside_the_signed_cookie() {
    let h = Harness::new(Kind::Signed);
    let mut c = h.client();
    c.post("/add/apple").await;
    c.post("/private/tok-SECRET-123").await;
    let v = c.jar.clone().expect("cookie");
    let payload = v.split('.').nth(1).expect("H.P.T");
    // A binary record: field names and JSON values are readable as text.
    let raw = base64url::decode(payload).expect("base64url");
    let json = String::from_utf8_lossy(&raw);
    assert!(json.contains("apple"), "signed mode is readable: {json}");
    assert!(json.contains("payment_token"), "{json}");
    assert!(
        !json.contains("SECRET"),
        "private fields are sealed: {json}"
    );
    assert_eq!(c.get("/private").await.body, "tok-SECRET-123");
}

#[tokio::test]
async fn encrypted_cookie_is_unreadable_and_never_repeats_a9() {
    let h = Harness::new(Kind::Encrypted);
    let mut a = h.client();
    let mut b = h.client();
    let va = a.post("/add/apple").await.cookie_value().expect("a");
    let vb = b.post("/add/apple").await.cookie_value().expect("b");
    assert_ne!(va, vb, "A9: random nonces");
    let raw = base64url::decode(&va).expect("base64url");
    assert!(!String::from_utf8_lossy(&raw).contains("apple"));
}

#[tokio::test]
async fn replay_after_logout_still_loads_without_revocation_documented_caveat() {
    // Seed 002's "no freshness guarantee": without a revocation list, a
    // copied cookie outlives logout until it expires. Documented in
    // `session_backends::cookie`; the next test shows the remedy.
    for kind in COOKIE_KINDS {
        let h = Harness::new(kind);
        let mut c = h.client();
        c.post("/login/1").await;
        let copy = c.jar.clone().expect("cookie");
        c.post("/logout").await;
        let r = send_raw(
            &h.router,
            Method::GET,
            "/whoami",
            Some(&format!("id={copy}")),
        )
        .await;
        assert_eq!(r.body, "Some(1)");
    }
}

#[tokio::test]
async fn revocation_ends_replayed_cookies_after_logout_and_cycle_d8() {
    for kind in COOKIE_KINDS {
        let h = Harness::with(
            kind,
            Opts {
                revocations: true,
                ..Opts::default()
            },
        );
        let mut c = h.client();
        c.post("/add/apple").await;
        let anonymous = c.jar.clone().expect("cookie");
        c.post("/login/1").await;
        let logged_in = c.jar.clone().expect("cookie");
        let whoami = |v: String| {
            let router = h.router.clone();
            async move {
                send_raw(&router, Method::GET, "/whoami", Some(&format!("id={v}")))
                    .await
                    .body
            }
        };
        assert_eq!(whoami(logged_in.clone()).await, "Some(1)");
        assert_eq!(
            read_with(&h, &anonymous).await.body,
            "",
            "D8: the pre-login cookie is revoked by cycle_key"
        );
        c.post("/logout").await;
        assert_eq!(
            whoami(logged_in).await,
            "None",
            "D8: logout really logs out"
        );
        assert!(h.events().contains(&Event::Revoked));
    }
}

#[tokio::test]
async fn expired_token_is_refused_even_if_the_browser_kept_it_c7() {
    // The expiry inside the authenticated token is checked on the server,
    // whatever Max-Age the browser was told.
    let key = Key::generate();
    let h = with_keys(Kind::Signed, key.clone().into());
    let codec = Codec::new(key);
    let past = Times {
        issued_at: START,
        expires_at: Timestamp::from_unix_seconds(START.unix_seconds() - 1),
    };
    let token = codec.sign(
        &Context::cookie("id"),
        past,
        br#"{"v":1,"meta":{"c":0,"m":0},"x":0,"f":{}}"#,
    );
    let r = read_with(&h, &token).await;
    assert_eq!(r.body, "");
    assert!(h.events().contains(&Event::Expired), "C7");
}
