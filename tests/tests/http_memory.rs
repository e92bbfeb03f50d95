//! The memory store behind the layer: store I/O counts and outages, and
//! the layer's misconfiguration errors. SECURITY.md ids are cited.

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::routing::get;
use session_backends::memory::MemoryStore;
use session_core::id::Id;
use session_core::web::{Event, SessionLayer};
use session_core::{Session, Sessions};
use session_tests::http::{Harness, Kind, Opts, send_raw};
use session_tests::schemas::Shop;

#[tokio::test]
async fn unknown_ids_are_read_without_any_write_j1_d2() {
    let h = Harness::new(Kind::Memory);
    let probe = h.probe.clone().expect("memory");
    for _ in 0..200 {
        let id = Id::generate();
        let r = send_raw(&h.router, Method::GET, "/read", Some(&format!("id={id}"))).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, ""));
        assert!(r.set_cookies().is_empty());
    }
    assert_eq!(probe.loads(), 200, "one load per request");
    assert_eq!(probe.writes(), 0, "J1/D2: zero writes");
    assert_eq!(
        h.events()
            .iter()
            .filter(|e| **e == Event::UnknownId)
            .count(),
        200,
        "D1: each unknown id reported"
    );
}

#[tokio::test]
async fn untouched_request_does_no_store_io_j3() {
    let h = Harness::new(Kind::Memory);
    let probe = h.probe.clone().expect("memory");
    let mut c = h.client();
    c.post("/add/apple").await;
    let (loads, writes) = (probe.loads(), probe.writes());
    for _ in 0..10 {
        c.get("/untouched").await;
    }
    assert_eq!((probe.loads(), probe.writes()), (loads, writes), "J3");
    c.get("/read").await;
    c.get("/read").await;
    assert_eq!(probe.loads(), loads + 2, "one load per request that reads");
    assert_eq!(probe.writes(), writes, "H5: reading never writes back");
}

#[tokio::test]
async fn malformed_ids_never_reach_the_store_d3_i5() {
    let h = Harness::new(Kind::Memory);
    let probe = h.probe.clone().expect("memory");
    let long = "a".repeat(1240);
    for bad in [
        "",
        "short",
        "../../etc/passwd",
        "%2e%2e",
        &long,
        "AAAA+AAA/",
    ] {
        let r = send_raw(&h.router, Method::GET, "/read", Some(&format!("id={bad}"))).await;
        assert_eq!(r.status, StatusCode::OK, "{bad:?}");
    }
    assert_eq!(probe.loads(), 0, "D3/I5: no lookup for malformed ids");
}

#[tokio::test]
async fn supplied_id_is_never_adopted_d1() {
    let h = Harness::new(Kind::Memory);
    let planted = Id::generate().to_string();
    let r = send_raw(
        &h.router,
        Method::POST,
        "/add/apple",
        Some(&format!("id={planted}")),
    )
    .await;
    let issued = r.cookie_value().expect("a session is created");
    assert_ne!(issued, planted, "D1");
    assert_eq!(issued.len(), 43, "256-bit id");
}

#[tokio::test]
async fn store_down_on_load_is_503_and_logs_nobody_out_g2() {
    let h = Harness::new(Kind::Memory);
    let probe = h.probe.clone().expect("memory");
    let mut c = h.client();
    c.post("/add/apple").await;
    probe.set_down(true);
    for (m, path) in [
        (Method::GET, "/read"),
        (Method::POST, "/add/pear"),
        (Method::POST, "/logout"),
    ] {
        let r = c.send(m, path).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "G2: {path}");
        assert!(
            r.set_cookies().is_empty(),
            "G2: no cookie set or deleted on {path}"
        );
        assert!(!r.body.contains("refused"), "G3: opaque body: {}", r.body);
    }
    assert!(c.jar.is_some());
    // Pages that do not use the session keep working during the outage.
    assert_eq!(c.get("/untouched").await.status, StatusCode::OK);
    probe.set_down(false);
    assert_eq!(
        c.get("/read").await.body,
        "apple",
        "G2: recovered, still logged in"
    );
}

#[tokio::test]
async fn store_down_on_save_is_503_without_cookie_g3() {
    let h = Harness::new(Kind::Memory);
    let probe = h.probe.clone().expect("memory");
    probe.set_down(true);
    let r = h.client().post("/add/apple").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "G3");
    assert!(
        r.set_cookies().is_empty(),
        "G3: no cookie for an unpersisted id"
    );
}

#[tokio::test]
async fn the_app_can_map_store_errors_g3() {
    let h = Harness::with(
        Kind::Memory,
        Opts {
            teapot_errors: true,
            ..Opts::default()
        },
    );
    let probe = h.probe.clone().expect("memory");
    let mut c = h.client();
    c.post("/add/apple").await;
    probe.set_down(true);
    for path in ["/read", "/add/pear"] {
        let r = c
            .send(
                if path == "/read" {
                    Method::GET
                } else {
                    Method::POST
                },
                path,
            )
            .await;
        assert_eq!(r.status, StatusCode::IM_A_TEAPOT, "{path}");
        assert!(
            r.body.starts_with("mapped: session store unavailable"),
            "{}",
            r.body
        );
        assert!(r.set_cookies().is_empty());
    }
}

#[tokio::test]
async fn missing_layer_is_a_loud_500_naming_the_layer() {
    async fn handler(s: Session<Shop>) -> String {
        s.cart().join(",")
    }
    async fn optional(s: Option<Session<Shop>>) -> &'static str {
        if s.is_some() { "some" } else { "none" }
    }
    let app = Router::new()
        .route("/", get(handler))
        .route("/opt", get(optional));
    for path in ["/", "/opt"] {
        let r = send_raw(&app, Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(r.body.contains("SessionLayer"), "{}", r.body);
    }
}

#[tokio::test]
async fn host_prefix_mode_sets_the_required_attributes_d10() {
    async fn add(s: Session<Shop>) -> &'static str {
        s.cart_mut().push("apple".into());
        "ok"
    }
    let layer = SessionLayer::new(Sessions::new(MemoryStore::new(100))).with_host_prefix();
    assert!(layer.clone().try_with_domain("example.com").is_err(), "D10");
    assert!(layer.clone().try_with_path("/app").is_err(), "D10");
    assert!(layer.clone().try_with_secure(false).is_err(), "D10");
    let app = Router::new().route("/", get(add)).layer(layer);
    let r = send_raw(&app, Method::GET, "/", None).await;
    let line = r.cookie_line("__Host-id").expect("prefixed name");
    assert!(line.contains("Secure") && line.contains("Path=/"), "{line}");
    assert!(!line.contains("Domain"), "{line}");
}

#[tokio::test]
async fn bad_cookie_attributes_are_refused_when_configured_b4() {
    let layer = SessionLayer::new(Sessions::new(MemoryStore::new(100)));
    assert!(layer.clone().try_with_name("a;b").is_err());
    assert!(layer.clone().try_with_name("id\r\nSet-Cookie: x").is_err());
    assert!(
        layer
            .clone()
            .try_with_path("/; Domain=evil.example")
            .is_err()
    );
    assert!(layer.clone().try_with_domain("evil example").is_err());
    let err = layer.try_with_name("").expect_err("empty name");
    assert!(err.to_string().contains("not a valid token"), "{err}");
}

#[tokio::test]
async fn save_after_a_concurrent_logout_is_refused_not_resurrected_h1() {
    use axum::extract::State;
    use axum::routing::post;
    use std::sync::Arc;
    use tokio::sync::Notify;

    type Gates = (Arc<Notify>, Arc<Notify>);
    async fn slow(State((loaded, gate)): State<Gates>, s: Session<Shop>) -> &'static str {
        loaded.notify_one();
        gate.notified().await;
        s.cart_mut().push("late".to_owned());
        "late"
    }
    async fn add(s: Session<Shop>) -> &'static str {
        s.cart_mut().push("apple".to_owned());
        "ok"
    }
    async fn logout(h: session_core::Handle) -> &'static str {
        session_core::auth::logout(&h);
        "bye"
    }
    async fn read(s: Session<Shop>) -> String {
        s.cart().join(",")
    }
    let gates: Gates = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let app = Router::new()
        .route("/slow", post(slow))
        .route("/add", post(add))
        .route("/logout", post(logout))
        .route("/read", get(read))
        .with_state(gates.clone())
        .layer(SessionLayer::new(Sessions::new(MemoryStore::new(100))));

    let r = send_raw(&app, Method::POST, "/add", None).await;
    let cookie = format!("id={}", r.cookie_value().expect("session"));
    let a = {
        let (app, cookie) = (app.clone(), cookie.clone());
        tokio::spawn(async move { send_raw(&app, Method::POST, "/slow", Some(&cookie)).await })
    };
    gates.0.notified().await; // A has loaded the session
    let b = send_raw(&app, Method::POST, "/logout", Some(&cookie)).await;
    assert!(
        b.cookie_value().is_some_and(|v| v.is_empty()),
        "B logged out"
    );
    gates.1.notify_one();
    let a = a.await.expect("request A");
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "H1: A's save is refused");
    assert!(a.set_cookies().is_empty(), "H1: no Set-Cookie");
    let after = send_raw(&app, Method::GET, "/read", Some(&cookie)).await;
    assert_eq!(after.body, "", "H1: the session was not resurrected");
}

#[tokio::test]
async fn reconfiguring_a_clone_does_not_change_the_original_layer() {
    async fn add(s: Session<Shop>) -> &'static str {
        s.cart_mut().push("apple".into());
        "ok"
    }
    let base = SessionLayer::new(Sessions::new(MemoryStore::new(100)));
    let first = Router::new().route("/", get(add)).layer(base.clone());
    let renamed = Router::new()
        .route("/", get(add))
        .layer(base.clone().with_name("sid"));
    let again = Router::new().route("/", get(add)).layer(base);
    for (app, name) in [(first, "id"), (renamed, "sid"), (again, "id")] {
        let r = send_raw(&app, Method::GET, "/", None).await;
        assert!(
            r.cookie_line(name).is_some(),
            "{name}: {:?}",
            r.set_cookies()
        );
    }
}

/// A saved session's cookie is re-set to its own id, exactly the text the
/// request carried (its canonical encoding); a request that cycles the id
/// sets the new id's text, never the one it was loaded under (D4).
#[tokio::test]
async fn a_save_re_sets_the_loaded_id_and_a_cycle_the_new_one_d4() {
    let h = Harness::new(Kind::Memory);
    let mut c = h.client();
    c.post("/add/apple").await;
    let first = c.jar.clone().expect("session");
    let r = c.post("/add/pear").await;
    assert_eq!(r.cookie_value().as_deref(), Some(first.as_str()));
    let id = Id::parse(&first).expect("an id");
    assert_eq!(id.encode(), first.as_bytes(), "the id's own text");
    c.post("/cycle").await;
    let cycled = c.jar.clone().expect("session");
    assert_ne!(cycled, first, "D4: a cycle sets a new id");
    let cycled_id = Id::parse(&cycled).expect("an id");
    assert_eq!(cycled_id.encode(), cycled.as_bytes());
    let r = c.post("/add/plum").await;
    assert_eq!(r.cookie_value().as_deref(), Some(cycled.as_str()));
    assert_eq!(c.get("/read").await.body, "apple,pear,plum");
    let old = send_raw(
        &h.router,
        Method::GET,
        "/read",
        Some(&format!("id={first}")),
    )
    .await;
    assert_eq!(old.body, "", "the old id no longer loads");
}
