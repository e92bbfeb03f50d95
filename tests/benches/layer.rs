//! Per-request cost of the layer, in process through `Router::oneshot`:
//! no layer, untouched session, and read+write of one field over the memory
//! store and both cookie stores. (Peer comparisons live in the separate
//! peer benchmark crate.)

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum::routing::get;
use criterion::Criterion;
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

/// The cases: a name and one request, run to completion.
fn cases(rt: &tokio::runtime::Runtime) -> Vec<(String, Box<dyn Fn()>)> {
    let key = Key::generate();
    let mut cases: Vec<(String, Box<dyn Fn()>)> = Vec::new();
    let mut add = |name: String, router: Router, path: &'static str, cookie: String| {
        let rt = rt.handle().clone();
        let run = move || {
            let resp = rt.block_on(router.clone().oneshot(request(path, Some(&cookie))));
            drop(std::hint::black_box(resp));
        };
        cases.push((name, Box::new(run)));
    };
    let untouched = || get(|| async { "ok" });
    let other = "id=x; other=y".to_owned();
    let bare: Router = Router::new().route("/untouched", untouched());
    add(
        "baseline_no_layer".into(),
        bare,
        "/untouched",
        other.clone(),
    );
    let identity: Router = Router::new()
        .route("/untouched", untouched())
        .layer(tower::layer::util::Identity::new());
    add(
        "baseline_identity_layer".into(),
        identity,
        "/untouched",
        other.clone(),
    );
    let memory = app(Sessions::new(MemoryStore::new(100_000)));
    add(
        "untouched_memory".into(),
        memory.clone(),
        "/untouched",
        other,
    );
    // As `axum::serve` runs a router: `with_state` applies the layers to
    // every route once, where `oneshot` on a `Router<()>` re-applies them
    // per request (which the cases above include).
    let bare: Router = Router::new().route("/untouched", untouched());
    add(
        "ready_baseline_no_layer".into(),
        bare.with_state(()),
        "/untouched",
        "id=x; other=y".into(),
    );
    let identity: Router = Router::new()
        .route("/untouched", untouched())
        .layer(tower::layer::util::Identity::new());
    add(
        "ready_baseline_identity_layer".into(),
        identity.with_state(()),
        "/untouched",
        "id=x; other=y".into(),
    );
    add(
        "ready_untouched_memory".into(),
        memory.clone().with_state(()),
        "/untouched",
        "id=x; other=y".into(),
    );
    let small = seed(rt, &memory, "/fill_small");
    let apps = [
        ("memory", memory.clone()),
        ("signed", app(SignedCookieStore::new(key.clone()))),
        ("encrypted", app(EncryptedCookieStore::new(key))),
    ];
    for (name, a) in apps {
        let cookie = seed(rt, &a, "/fill");
        add(format!("rw_2k_{name}"), a, "/rw", cookie);
    }
    add("rw_small_memory".into(), memory, "/rw", small);
    cases
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut g = c.benchmark_group("request");
    for (name, run) in cases(&rt) {
        g.bench_function(name, |b| b.iter(&run));
    }
    g.finish();
}

/// `LAYER_COUNT=<n> LAYER_CASE=<name>`: runs one case `n` times and exits,
/// without criterion. For instruction counts under `valgrind --tool=callgrind`
/// (two counts of `n` give the per-request cost, setup cancelled out), which
/// stay exact on a machine too busy for wall-clock timings.
fn count_mode() -> bool {
    let (Ok(n), Ok(case)) = (std::env::var("LAYER_COUNT"), std::env::var("LAYER_CASE")) else {
        return false;
    };
    let n: u64 = n.parse().expect("LAYER_COUNT is a number");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let cases = cases(&rt);
    let (_, run) = cases
        .iter()
        .find(|(name, _)| *name == case)
        .expect("LAYER_CASE names a case");
    for _ in 0..n {
        run();
    }
    true
}

// `criterion_group!` generates an undocumented `pub fn benches`.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
fn main() {
    if count_mode() {
        return;
    }
    group::benches();
    Criterion::default().configure_from_args().final_summary();
}
