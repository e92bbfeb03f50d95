//! Per-request cost of the layer, in process through `Router::oneshot`:
//! no layer, untouched session, and read+write of one field over the memory
//! store and both cookie stores. (Peer comparisons live in the separate
//! peer benchmark crate.)

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum::routing::get;
use criterion::{Criterion, criterion_main};
use session_backends::cookie::{EncryptedCookieStore, SignedCookieStore};
use session_backends::memory::MemoryStore;
use session_core::key::Key;
use session_core::web::{Backend, SessionLayer};
use session_core::{Session, Sessions};
use session_tests::schemas::Shop;
use tower::ServiceExt;

async fn read_write(s: Session<Shop>) -> &'static str {
    let n = s.cart().len();
    s.set_user_id(Some(n as u64));
    "ok"
}

async fn fill(s: Session<Shop>) -> &'static str {
    fill_to(&s, 2240);
    "ok"
}

/// About 224 B of session data: the small reference point.
async fn fill_small(s: Session<Shop>) -> &'static str {
    fill_to(&s, 200);
    "ok"
}

fn fill_to(s: &Session<Shop>, bytes: usize) {
    let mut cart = s.cart_mut();
    while cart.iter().map(|i| i.len() + 3).sum::<usize>() < bytes {
        let item = format!("item-{:08}-abcdefghij", cart.len());
        cart.push(item);
    }
}

fn app<B: Backend + Clone>(backend: B) -> Router {
    Router::new()
        .route("/untouched", get(|| async { "ok" }))
        .route("/rw", get(read_write))
        .route("/fill", get(fill))
        .route("/fill_small", get(fill_small))
        .layer(SessionLayer::new(backend))
}

fn request(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::builder().uri(path);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).expect("request")
}

/// Makes a session by requesting `path` (`/fill`: a cart of about 2.2 KB);
/// returns the cookie.
fn seed(rt: &tokio::runtime::Runtime, app: &Router, path: &str) -> String {
    let resp = rt
        .block_on(app.clone().oneshot(request(path, None)))
        .expect("fill");
    let line = resp.headers()[header::SET_COOKIE].to_str().expect("ascii");
    line.split(';').next().expect("pair").to_owned()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let key = Key::generate();
    let bare: Router = Router::new().route("/untouched", get(|| async { "ok" }));
    let mut g = c.benchmark_group("request");
    g.bench_function("baseline_no_layer", |b| {
        b.iter(|| {
            rt.block_on(
                bare.clone()
                    .oneshot(request("/untouched", Some("id=x; other=y"))),
            )
        })
    });
    let identity: Router = Router::new()
        .route("/untouched", get(|| async { "ok" }))
        .layer(tower::layer::util::Identity::new());
    g.bench_function("baseline_identity_layer", |b| {
        b.iter(|| {
            rt.block_on(
                identity
                    .clone()
                    .oneshot(request("/untouched", Some("id=x; other=y"))),
            )
        })
    });
    let memory = app(Sessions::new(MemoryStore::new(100_000)));
    g.bench_function("untouched_memory", |b| {
        b.iter(|| {
            rt.block_on(
                memory
                    .clone()
                    .oneshot(request("/untouched", Some("id=x; other=y"))),
            )
        })
    });
    let apps = [
        ("memory", memory.clone()),
        ("signed", app(SignedCookieStore::new(key.clone()))),
        ("encrypted", app(EncryptedCookieStore::new(key))),
    ];
    for (name, a) in apps {
        let cookie = seed(&rt, &a, "/fill");
        g.bench_function(format!("rw_2k_{name}"), |b| {
            b.iter(|| rt.block_on(a.clone().oneshot(request("/rw", Some(&cookie)))))
        });
    }
    let cookie = seed(&rt, &memory, "/fill_small");
    g.bench_function("rw_small_memory", |b| {
        b.iter(|| rt.block_on(memory.clone().oneshot(request("/rw", Some(&cookie)))))
    });
    g.finish();
}

// `criterion_group!` generates an undocumented `pub fn benches`.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
