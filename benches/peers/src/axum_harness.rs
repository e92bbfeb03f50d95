//! Driving an axum `Router` in process: one request per call through
//! `Router::oneshot`, carrying the cookie a seeding request produced.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::{Router, body::Body, http::HeaderValue};
use http::{Request, Response, StatusCode, header};
use tower::{Service, ServiceExt};

/// A router (or a service wrapped around one) plus the request every
/// iteration repeats.
#[derive(Clone)]
pub struct AxumCase<S = Router> {
    service: S,
    path: &'static str,
    cookie: Option<HeaderValue>,
}

/// What one request did, for the harness's sanity checks.
#[derive(Debug)]
pub struct Probe {
    /// Response status.
    pub status: StatusCode,
    /// Response body as text.
    pub body: String,
    /// `name=value` of every Set-Cookie sent.
    pub set_cookies: Vec<String>,
}

impl AxumCase {
    /// A case that sends `cookie` (if any) to `path`.
    ///
    /// The router is finalised with `with_state(())`, as `axum::serve` does
    /// for every connection: without it, axum 0.8 turns each handler into a
    /// route again on every request, re-applying every layer (`Layer::layer`
    /// per request), a cost no real server pays.
    pub fn new(router: Router, path: &'static str, cookie: Option<HeaderValue>) -> Self {
        Self::around(router.with_state(()), path, cookie)
    }

    /// Requests `seed_path` without a cookie, and returns the case that
    /// replays the cookies it set against `path`.
    ///
    /// # Panics
    /// If seeding fails; see [`AxumCase::try_seeded`] for stores that may
    /// refuse a payload.
    pub async fn seeded(router: Router, seed_path: &'static str, path: &'static str) -> Self {
        Self::try_seeded(router, seed_path, path)
            .await
            .unwrap_or_else(|| panic!("seeding {seed_path} failed"))
    }

    /// Like [`AxumCase::seeded`], but `None` when seeding answers a 5xx (a
    /// cookie store refusing a session over its size limit).
    pub async fn try_seeded(
        router: Router,
        seed_path: &'static str,
        path: &'static str,
    ) -> Option<Self> {
        Self::try_seeded_around(router.with_state(()), seed_path, path).await
    }
}

/// What a case can call: a finished axum router, or a layer wrapped
/// around one.
pub trait AxumService:
    Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone
{
}

impl<S> AxumService for S where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone
{
}

impl<S: AxumService> AxumCase<S> {
    /// A case that calls `service` (a finished router, or a layer wrapped
    /// around one with `tower::Layer::layer`) with `cookie` (if any) on
    /// `path`.
    pub fn around(service: S, path: &'static str, cookie: Option<HeaderValue>) -> Self {
        Self {
            service,
            path,
            cookie,
        }
    }

    /// [`AxumCase::try_seeded`] for any service.
    pub async fn try_seeded_around(
        service: S,
        seed_path: &'static str,
        path: &'static str,
    ) -> Option<Self> {
        let seed = Self::around(service.clone(), seed_path, None).probe().await;
        if seed.status.is_server_error() {
            return None;
        }
        assert_eq!(
            seed.status,
            StatusCode::OK,
            "seeding {seed_path} failed: {seed:?}"
        );
        assert!(
            !seed.set_cookies.is_empty(),
            "seeding {seed_path} set no cookie"
        );
        let cookie = HeaderValue::from_str(&seed.set_cookies.join("; ")).expect("cookie header");
        Some(Self::around(service, path, Some(cookie)))
    }

    /// The same router and cookie against another path.
    pub fn with_path(&self, path: &'static str) -> Self {
        Self {
            path,
            ..self.clone()
        }
    }

    /// The Cookie header sent, if any.
    pub fn cookie(&self) -> Option<&HeaderValue> {
        self.cookie.as_ref()
    }

    /// Size of the Cookie header sent, in bytes.
    pub fn cookie_len(&self) -> usize {
        self.cookie.as_ref().map_or(0, HeaderValue::len)
    }

    fn request(&self) -> Request<Body> {
        let mut req = Request::get(self.path);
        if let Some(cookie) = &self.cookie {
            req = req.header(header::COOKIE, cookie.clone());
        }
        req.body(Body::empty()).expect("request builds")
    }

    /// One request: what the benchmark times.
    pub async fn call(&self) -> Response<Body> {
        self.service
            .clone()
            .oneshot(self.request())
            .await
            .expect("infallible")
    }

    /// `n` requests in a row: how long they took (what the benches time).
    pub async fn timed(&self, n: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..n {
            black_box(self.call().await);
        }
        start.elapsed()
    }

    /// One request, with the response taken apart for checks.
    pub async fn probe(&self) -> Probe {
        let resp = self.call().await;
        let status = resp.status();
        let set_cookies = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| {
                let text = v.to_str().expect("ascii set-cookie");
                text.split(';').next().unwrap_or_default().to_owned()
            })
            .collect();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        let body = String::from_utf8(bytes.to_vec()).expect("utf-8 body");
        Probe {
            status,
            body,
            set_cookies,
        }
    }
}

/// Every read-write handler answers with the counter it read; seeded
/// sessions hold `counter >= 1`, so `0` (or an error) means the session
/// data was lost.
pub fn assert_read_seeded(probe: &Probe, what: &str) {
    assert_eq!(probe.status, StatusCode::OK, "{what}: {probe:?}");
    let n: u64 = probe
        .body
        .parse()
        .unwrap_or_else(|_| panic!("{what}: body {:?}", probe.body));
    assert!(n >= 1, "{what}: seeded session not read (counter {n})");
}

/// A cookie store's case: seeds through `/seed` and replays against `/rw`,
/// checking that the seeded session is read and that a write re-sends the
/// cookie. `None` when seeding fails with a 5xx (a store refusing a
/// session over its 4096-byte limit, F1).
pub async fn seeded_cookie_case(router: Router, what: &str) -> Option<AxumCase> {
    let case = AxumCase::try_seeded(router, "/seed", "/rw").await?;
    let probe = case.probe().await;
    assert_read_seeded(&probe, what);
    assert_eq!(
        probe.set_cookies.len(),
        1,
        "{what}: a write re-sends the cookie"
    );
    Some(case)
}
