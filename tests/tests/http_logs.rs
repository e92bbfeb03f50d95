//! What the layer logs: security events are logged (A12) and no log line
//! ever holds a cookie value, a session id or a key.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::Method;
use session_tests::http::{Harness, Kind, send_raw};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

#[tokio::test]
async fn logs_report_rejections_without_cookie_values_a12() {
    for kind in [Kind::Memory, Kind::Signed, Kind::Encrypted] {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let h = Harness::new(kind);
        let mut c = h.client();
        c.post("/add/apple").await;
        c.post("/private/tok-SECRET-123").await;
        c.post("/cycle").await;
        let good = c.jar.clone().expect("cookie");
        let mut bad = good.clone().into_bytes();
        bad[10] = if bad[10] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).expect("ascii");
        send_raw(&h.router, Method::GET, "/read", Some(&format!("id={bad}"))).await;
        c.post("/logout").await;

        let logs = capture.text();
        assert!(
            logs.contains("session::security"),
            "A12: rejection logged at security level ({kind:?}):\n{logs}"
        );
        assert!(!logs.contains(&good), "no cookie value in logs");
        assert!(!logs.contains(&bad), "no presented value in logs");
        assert!(!logs.contains(&good[..20]), "not even a prefix");
        assert!(!logs.contains("SECRET"), "no private field in logs");
    }
}

#[tokio::test]
async fn a_cookie_near_the_limit_logs_a_warning_first_f3() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let h = Harness::new(Kind::Encrypted);
    let r = h.client().post("/big/2400").await;
    let size = 3 + r.cookie_value().expect("still under the limit").len();
    assert!((3072..=4096).contains(&size), "{size}");
    let logs = capture.text();
    assert!(logs.contains("close to the size limit"), "F3:\n{logs}");
}
