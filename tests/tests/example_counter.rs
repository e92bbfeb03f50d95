//! The counter example, driven through `Router::oneshot` (no socket).

use axum::http::{Method, StatusCode};
use session_core::key::Key;
use session_tests::http::send_raw;

#[tokio::test]
async fn counter_counts_per_browser_with_secure_defaults() {
    let app = example_counter::app(Key::generate(), |l| l);
    let first = send_raw(&app, Method::GET, "/", None).await;
    assert_eq!(first.body, "visits: 1\n");
    let line = first.cookie_line("id").expect("signed cookie set");
    for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(attr), "{line}");
    }
    let cookie = line.split(';').next().expect("pair").to_owned();
    let second = send_raw(&app, Method::GET, "/", Some(&cookie)).await;
    assert_eq!(second.body, "visits: 2\n");
    let other = send_raw(&app, Method::GET, "/", None).await;
    assert_eq!(
        other.body, "visits: 1\n",
        "another browser has its own count"
    );
}

#[tokio::test]
async fn counter_survives_tampering_and_restarts_with_the_same_secret() {
    let secret = b"a test secret that is long enough, 32+ bytes";
    let app = example_counter::app(Key::from_secret(secret).expect("key"), |l| l);
    let r = send_raw(&app, Method::GET, "/", None).await;
    let cookie = r
        .cookie_line("id")
        .expect("set")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();

    // Same secret after a "restart": the count continues.
    let restarted = example_counter::app(Key::from_secret(secret).expect("key"), |l| l);
    let r = send_raw(&restarted, Method::GET, "/", Some(&cookie)).await;
    assert_eq!(r.body, "visits: 2\n");

    // A forged count is an empty session, never a 500 (A1).
    let forged = format!("{cookie}x");
    let r = send_raw(&restarted, Method::GET, "/", Some(&forged)).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "visits: 1\n"));

    // Reset deletes the cookie.
    let r = send_raw(&restarted, Method::POST, "/reset", Some(&cookie)).await;
    assert!(r.cookie_line("id").expect("deletion").contains("Max-Age=0"));
}
