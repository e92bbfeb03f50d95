//! End-to-end request flow through `Router::oneshot`, the same for the
//! memory store and both cookie stores. SECURITY.md ids are cited.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use session_core::web::Event;
use session_tests::http::{Harness, Kind, Opts, send_raw};

macro_rules! each_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test]
            async fn memory() { super::$name(Kind::Memory).await }
            #[tokio::test]
            async fn signed_cookie() { super::$name(Kind::Signed).await }
            #[tokio::test]
            async fn encrypted_cookie() { super::$name(Kind::Encrypted).await }
        }
    )*};
}

each_backend!(
    untouched_request_sends_nothing_j3,
    read_only_request_sets_no_cookie_but_varies_j1_k1,
    write_sets_secure_cookie_and_reads_back_k2_k3_k5_k6,
    five_xx_saves_nothing_g14,
    cycle_key_keeps_data_under_a_new_cookie_d5,
    flush_deletes_cookie_with_same_attributes_d6_k4,
    anonymous_logout_creates_nothing_j2,
    emptied_session_is_still_saved_k8,
    login_cycles_anonymous_and_flushes_other_user_d7,
    optional_extractor_never_starts_a_session,
    tampered_cookie_gives_empty_session_not_500_a1,
    expired_session_is_not_served_c6_c11,
    save_every_request_renews_and_varies_k1_c9,
    browser_session_cookie_has_no_max_age_c1,
    several_cookies_first_that_loads_wins_b2,
    public_cache_control_becomes_private_k2,
    set_expiry_changes_max_age_c14,
    custom_error_handler_is_not_used_on_success,
);

async fn untouched_request_sends_nothing_j3(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    c.post("/add/apple").await;
    assert!(c.jar.is_some());
    let r = c.get("/untouched").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.set_cookies().is_empty(), "J3: no Set-Cookie");
    assert!(!r.varies_on_cookie(), "session never read: no Vary");
}

async fn read_only_request_sets_no_cookie_but_varies_j1_k1(kind: Kind) {
    let h = Harness::new(kind);
    let r = h.client().get("/read").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.set_cookies().is_empty(), "J1: reading creates nothing");
    assert!(r.varies_on_cookie(), "K1: the session was read");
    assert!(
        r.cache_control().is_none(),
        "no cookie set: caching untouched"
    );
}

async fn write_sets_secure_cookie_and_reads_back_k2_k3_k5_k6(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    let r = c.post("/add/apple").await;
    assert_eq!(r.status, StatusCode::OK);
    let line = r.cookie_line("id").expect("K6: cookie named `id`");
    for attr in [
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=1209600",
    ] {
        assert!(line.contains(attr), "K3/K5: {attr} missing in {line}");
    }
    assert!(!line.contains("Domain"), "K5: host-only by default");
    assert_eq!(r.cache_control().as_deref(), Some("private"), "K2");
    assert!(r.varies_on_cookie(), "K1");
    c.post("/add/pear").await;
    assert_eq!(c.get("/read").await.body, "apple,pear");
    let created = h
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Created { .. }))
        .count();
    assert_eq!(created, 1, "one session created: {:?}", h.events());
}

async fn five_xx_saves_nothing_g14(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    c.post("/add/apple").await;
    for code in ["500", "503", "502"] {
        let r = c.post(&format!("/fail/{code}")).await;
        assert!(r.status.is_server_error());
        assert!(r.set_cookies().is_empty(), "G14: no Set-Cookie on {code}");
    }
    assert_eq!(c.get("/read").await.body, "apple", "G14: nothing saved");
    // A new session on a 5xx creates nothing either.
    let r = h.client().post("/fail/500").await;
    assert!(r.set_cookies().is_empty());
}

async fn cycle_key_keeps_data_under_a_new_cookie_d5(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    c.post("/add/apple").await;
    let before = c.jar.clone().expect("cookie");
    let r = c.post("/cycle").await;
    let after = r.cookie_value().expect("D5: a new cookie is set");
    assert_ne!(before, after);
    assert_eq!(c.get("/read").await.body, "apple", "D5: data kept");
    assert!(h.events().iter().any(|e| matches!(e, Event::Cycled { .. })));
    if kind == Kind::Memory {
        let old = send_raw(
            &h.router,
            Method::GET,
            "/read",
            Some(&format!("id={before}")),
        )
        .await;
        assert_eq!(old.body, "", "D5: the old id no longer loads");
    }
}

async fn flush_deletes_cookie_with_same_attributes_d6_k4(kind: Kind) {
    let h = Harness::with(
        kind,
        Opts {
            name: Some("sid"),
            ..Opts::default()
        },
    );
    let mut c = h.client().named("sid");
    c.post("/login/7").await;
    let set = c.post("/add/apple").await.cookie_line("sid");
    let set = set.expect("cookie set");
    let r = c.post("/logout").await;
    let del = r.cookie_line("sid").expect("D6: deletion cookie");
    assert!(del.starts_with("sid=;"), "{del}");
    assert!(del.contains("Max-Age=0"), "{del}");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(
            set.contains(attr) && del.contains(attr),
            "K4: {attr}: {del}"
        );
    }
    assert!(r.varies_on_cookie(), "D6: Vary on deletion");
    assert!(c.jar.is_none());
    assert_eq!(c.get("/whoami").await.body, "None");
    assert!(h.events().contains(&Event::Flushed));
}

async fn anonymous_logout_creates_nothing_j2(kind: Kind) {
    for every in [false, true] {
        let h = Harness::with(
            kind,
            Opts {
                save_every_request: every,
                ..Opts::default()
            },
        );
        let r = h.client().post("/logout").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.set_cookies().is_empty(),
            "J2 (save_every_request={every})"
        );
        if let Some(p) = &h.probe {
            assert_eq!(p.writes(), 0, "J2: no record written");
        }
    }
}

async fn emptied_session_is_still_saved_k8(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    c.post("/add/apple").await;
    let r = c.post("/clear").await;
    let v = r.cookie_value().expect("K8: cookie still set");
    assert!(!v.is_empty(), "K8: not a deletion");
    assert_eq!(c.get("/read").await.body, "");
}

async fn login_cycles_anonymous_and_flushes_other_user_d7(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    c.post("/add/apple").await;
    let anon = c.jar.clone();
    assert_eq!(c.post("/login/1").await.body, "Cycled");
    assert_ne!(c.jar, anon, "D7: new cookie at login");
    assert_eq!(c.get("/read").await.body, "apple", "anonymous cart kept");
    assert_eq!(c.post("/login/2").await.body, "Flushed");
    assert_eq!(c.get("/read").await.body, "", "D7: user 1's data gone");
    assert_eq!(c.get("/whoami").await.body, "Some(2)");
}

async fn optional_extractor_never_starts_a_session(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    let r = c.get("/maybe").await;
    assert_eq!(r.body, "none");
    assert!(r.set_cookies().is_empty());
    c.post("/add/apple").await;
    assert_eq!(c.get("/maybe").await.body, "some");
}

async fn tampered_cookie_gives_empty_session_not_500_a1(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    c.post("/add/apple").await;
    let good = c.jar.clone().expect("cookie");
    let mut tampered = Vec::new();
    let mid = good.len() / 2;
    let flip = |i: usize| {
        let mut b = good.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).expect("ASCII")
    };
    tampered.push(flip(0));
    tampered.push(flip(mid));
    tampered.push(flip(good.len() - 1));
    tampered.push(format!("{good}x"));
    tampered.push(good[..good.len() - 1].to_owned());
    tampered.push(good.to_uppercase());
    tampered.push(good.replace('.', ""));
    tampered.push(String::new());
    tampered.retain(|t| *t != good);
    for bad in &tampered {
        let r = send_raw(&h.router, Method::GET, "/read", Some(&format!("id={bad}"))).await;
        assert_eq!(r.status, StatusCode::OK, "A1: never a 500 for {bad:?}");
        assert_eq!(r.body, "", "A1: an empty session");
        let r = send_raw(
            &h.router,
            Method::POST,
            "/add/x",
            Some(&format!("id={bad}")),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let fresh = r.cookie_value().expect("a new session is issued");
        assert_ne!(&fresh, bad, "D1: the presented value is never adopted");
    }
    let security = h
        .events()
        .iter()
        .filter(|e| matches!(e, Event::TamperDetected | Event::UnknownId))
        .count();
    assert!(security >= tampered.len(), "A12: each rejection reported");
}

async fn expired_session_is_not_served_c6_c11(kind: Kind) {
    let h = Harness::with(
        kind,
        Opts {
            default_age: Some(Duration::from_secs(60)),
            ..Opts::default()
        },
    );
    let mut c = h.client();
    let r = c.post("/add/apple").await;
    assert!(r.cookie_line("id").expect("set").contains("Max-Age=60"));
    h.clock.advance(Duration::from_secs(60));
    assert_eq!(c.get("/read").await.body, "apple", "C8: inclusive boundary");
    h.clock.advance(Duration::from_secs(1));
    // The browser would have dropped it; a replayed copy must fail too.
    let r = c.get("/read").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "", "C6/C11: expired is never served");
    if kind != Kind::Memory {
        assert!(h.events().contains(&Event::Expired));
    }
}

async fn save_every_request_renews_and_varies_k1_c9(kind: Kind) {
    let h = Harness::with(
        kind,
        Opts {
            save_every_request: true,
            default_age: Some(Duration::from_secs(100)),
            ..Opts::default()
        },
    );
    let mut c = h.client();
    c.post("/add/apple").await;
    h.clock.advance(Duration::from_secs(80));
    let r = c.get("/untouched").await;
    let line = r.cookie_line("id").expect("C9: renewed on every request");
    assert!(line.contains("Max-Age=100"), "{line}");
    assert!(r.varies_on_cookie(), "K1: Vary whenever Set-Cookie is sent");
    h.clock.advance(Duration::from_secs(80));
    assert_eq!(
        c.get("/read").await.body,
        "apple",
        "C9: activity extended it"
    );
    let none = h.client().get("/untouched").await;
    assert!(none.set_cookies().is_empty(), "no cookie: nothing to renew");
}

async fn browser_session_cookie_has_no_max_age_c1(kind: Kind) {
    let h = Harness::with(
        kind,
        Opts {
            browser_close: true,
            ..Opts::default()
        },
    );
    let mut c = h.client();
    let line = c.post("/add/apple").await.cookie_line("id").expect("set");
    assert!(
        !line.contains("Max-Age") && !line.contains("Expires"),
        "{line}"
    );
    // The server still enforces the default age (C1).
    h.clock
        .advance(session_core::expiry::DEFAULT_AGE + Duration::from_secs(1));
    assert_eq!(c.get("/read").await.body, "");
}

async fn several_cookies_first_that_loads_wins_b2(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    c.post("/add/apple").await;
    let good = c.jar.clone().expect("cookie");
    let header = format!("id=planted; other=1; id={good}");
    let r = send_raw(&h.router, Method::GET, "/read", Some(&header)).await;
    assert_eq!(r.body, "apple", "B2: the first cookie that loads is used");
    let five = format!("id=a; id=b; id=c; id={good}");
    let r = send_raw(&h.router, Method::GET, "/read", Some(&five)).await;
    assert_eq!(r.body, "", "B2: at most 3 candidates are tried");
}

async fn public_cache_control_becomes_private_k2(kind: Kind) {
    let h = Harness::new(kind);
    let r = h.client().post("/add-public/apple").await;
    assert!(r.cookie_value().is_some());
    assert_eq!(r.cache_control().as_deref(), Some("private, max-age=60"));
}

async fn set_expiry_changes_max_age_c14(kind: Kind) {
    let h = Harness::new(kind);
    let mut c = h.client();
    c.post("/add/apple").await;
    let line = c.post("/expiry/300").await.cookie_line("id").expect("set");
    assert!(line.contains("Max-Age=300"), "C14: {line}");
    h.clock.advance(Duration::from_secs(301));
    assert_eq!(
        c.get("/read").await.body,
        "",
        "C14: the stored expiry moved too"
    );
}

async fn custom_error_handler_is_not_used_on_success(kind: Kind) {
    let h = Harness::with(
        kind,
        Opts {
            teapot_errors: true,
            ..Opts::default()
        },
    );
    let r = h.client().post("/add/apple").await;
    assert_eq!(r.status, StatusCode::OK);
}
