//! `cargo run -p example-counter`: serves the counter on `PORT` (3000).

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = example_counter::key_from_env()?;
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("PORT must be a number, got {p:?}"))?,
        Err(_) => 3000,
    };
    // The cookie stays `Secure`: browsers treat http://localhost as a
    // secure context and send it back. A client that does not (Safari,
    // curl's jar over plain http to another host name) needs TLS, or
    // `SESSION_COOKIE_SECURE=0` for local experiments only.
    let insecure = std::env::var("SESSION_COOKIE_SECURE").is_ok_and(|v| v == "0");
    if insecure {
        eprintln!("WARNING: SESSION_COOKIE_SECURE=0: the session cookie is sent over plain http");
    }
    let app = example_counter::app(key, |layer| layer.with_secure(!insecure));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("counter listening on http://localhost:{port}/");
    axum::serve(listener, app).await?;
    Ok(())
}
