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
    // Plain http on localhost: browsers do not send Secure cookies over
    // http except to localhost, so keep Secure on and use 127.0.0.1 or
    // localhost; behind TLS nothing changes.
    let app = example_counter::app(key, |layer| layer);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("counter listening on http://{addr}/");
    axum::serve(listener, app).await?;
    Ok(())
}
