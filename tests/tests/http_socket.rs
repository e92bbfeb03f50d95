//! Real sockets on 127.0.0.1 with a real HTTP client (reqwest) keeping a
//! cookie jar across requests.
//!
//! Plain http: reqwest's jar (like browsers for non-localhost hosts) does
//! not send `Secure` cookies back over http, so these apps run with
//! `with_secure(false)`. Everything else is the default configuration.

use std::net::SocketAddr;

use axum::Router;
use session_core::base64url;
use session_core::key::Key;
use session_tests::http::{Harness, Kind, Opts};

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    addr
}

fn jar_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

async fn text(r: reqwest::Response) -> (u16, String) {
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// login → cycle_key → cart → logout → the old cookie is rejected.
async fn shop_journey(kind: Kind) {
    let h = Harness::with(
        kind,
        Opts {
            insecure: true,
            revocations: true,
            ..Opts::default()
        },
    );
    let addr = serve(h.router.clone()).await;
    let base = format!("http://{addr}");
    let browser = jar_client();
    let post = |path: &str| browser.post(format!("{base}{path}")).send();

    let r = post("/add/apple").await.expect("add");
    let anon_cookie = cookie_pair(&r, "anonymous session");
    assert_eq!(
        text(post("/login/42").await.expect("login")).await.1,
        "Cycled"
    );
    let r = post("/add/pear").await.expect("add");
    let login_cookie = cookie_pair(&r, "saved");
    let cart = browser
        .get(format!("{base}/read"))
        .send()
        .await
        .expect("read");
    assert_eq!(
        text(cart).await,
        (200, "apple,pear".to_owned()),
        "the jar carried the session"
    );
    assert_eq!(text(post("/logout").await.expect("logout")).await.1, "bye");
    let who = browser
        .get(format!("{base}/whoami"))
        .send()
        .await
        .expect("whoami");
    assert_eq!(
        text(who).await.1,
        "None",
        "the jar dropped the deleted cookie"
    );

    // An attacker replays the cookies captured earlier, without a jar.
    let attacker = reqwest::Client::new();
    for stolen in [&anon_cookie, &login_cookie] {
        let r = attacker
            .get(format!("{base}/whoami"))
            .header("cookie", stolen.as_str())
            .send()
            .await
            .expect("replay");
        assert_eq!(
            text(r).await,
            (200, "None".to_owned()),
            "{kind:?}: old cookie rejected"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_journey_over_a_socket_d5_d6() {
    shop_journey(Kind::Memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_cookie_journey_over_a_socket_d8() {
    shop_journey(Kind::Signed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_cookie_journey_over_a_socket_d8() {
    shop_journey(Kind::Encrypted).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_cookie_over_a_socket_is_a_fresh_session_a1() {
    let h = Harness::with(
        Kind::Signed,
        Opts {
            insecure: true,
            ..Opts::default()
        },
    );
    let addr = serve(h.router.clone()).await;
    let base = format!("http://{addr}");
    let r = jar_client()
        .post(format!("{base}/add/apple"))
        .send()
        .await
        .expect("add");
    let pair = r.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    // Rewrite the readable payload (apple → APPLE) and keep the old tag.
    let (name, value) = pair.split_once('=').expect("name=value");
    let parts: Vec<&str> = value.split('.').collect();
    let raw = base64url::decode(parts[1]).expect("b64");
    let at = raw
        .windows(5)
        .position(|w| w == b"apple")
        .expect("the payload carries the value readably");
    let mut edited = raw.clone();
    edited[at..at + 5].copy_from_slice(b"APPLE");
    let forged_payload = base64url::encode(&edited);
    let forged = format!("{name}={}.{forged_payload}.{}", parts[0], parts[2]);
    let mut b = pair.clone().into_bytes();
    let last = b.len() - 1;
    b[last] = if b[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(b).expect("ascii");
    for bad in [forged, flipped] {
        let r = reqwest::Client::new()
            .get(format!("{base}/read"))
            .header("cookie", bad)
            .send()
            .await
            .expect("read");
        assert_eq!(
            text(r).await,
            (200, String::new()),
            "A1: empty session, never a 500"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_example_counts_over_a_socket() {
    let app = example_counter::app(Key::generate(), |l| l.with_secure(false));
    let addr = serve(app).await;
    let browser = jar_client();
    for n in 1..=3 {
        let r = browser
            .get(format!("http://{addr}/"))
            .send()
            .await
            .expect("visit");
        assert_eq!(text(r).await.1, format!("visits: {n}\n"));
    }
    let r = browser
        .post(format!("http://{addr}/reset"))
        .send()
        .await
        .expect("reset");
    assert_eq!(text(r).await.1, "reset\n");
    let r = browser
        .get(format!("http://{addr}/"))
        .send()
        .await
        .expect("visit");
    assert_eq!(text(r).await.1, "visits: 1\n");
}

/// The `name=value` pair of the response's `Set-Cookie`.
fn cookie_pair(r: &reqwest::Response, what: &str) -> String {
    r.headers()
        .get("set-cookie")
        .expect(what)
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned()
}
