//! The actix-web side: actix-session 0.11's `CookieSessionStore` and the
//! actix no-session baseline, driven through actix-web's test utilities
//! (`test::init_service` + `test::call_service`), same routes as the axum
//! side (`/seed`, `/rw`, `/untouched`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use actix_http::Request;
use actix_session::{
    Session, SessionMiddleware, config::CookieContentSecurity, storage::CookieSessionStore,
};
use actix_web::{
    App, Error, HttpResponse,
    body::MessageBody,
    cookie::Key,
    dev::{Service, ServiceResponse},
    http::{
        StatusCode,
        header::{self, HeaderValue},
    },
    test, web,
};

use crate::payload::Payload;

/// An initialised actix app plus the request every iteration repeats.
pub struct ActixCase<S> {
    app: S,
    path: &'static str,
    cookie: Option<HeaderValue>,
}

/// What one request did (status, body, `name=value` of each Set-Cookie).
#[derive(Debug)]
pub struct ActixProbe {
    /// Response status.
    pub status: StatusCode,
    /// Response body as text.
    pub body: String,
    /// `name=value` of every Set-Cookie.
    pub set_cookies: Vec<String>,
}

impl<S, B> ActixCase<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    /// One request: what the benchmark times.
    pub async fn call(&self) -> ServiceResponse<B> {
        let mut req = test::TestRequest::get().uri(self.path);
        if let Some(cookie) = &self.cookie {
            req = req.insert_header((header::COOKIE, cookie.clone()));
        }
        test::call_service(&self.app, req.to_request()).await
    }

    /// `n` requests in a row: how long they took (what the benches time).
    pub async fn timed(&self, n: u64) -> Duration {
        let start = Instant::now();
        for _ in 0..n {
            black_box(self.call().await);
        }
        start.elapsed()
    }

    /// One request, taken apart for checks.
    pub async fn probe(&self) -> ActixProbe {
        let resp = self.call().await;
        let status = resp.status();
        let set_cookies = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .map(|v| {
                v.to_str()
                    .expect("ascii")
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let bytes = test::read_body(resp).await;
        ActixProbe {
            status,
            body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
            set_cookies,
        }
    }

    /// The same app against another path.
    pub fn with_path(self, path: &'static str) -> Self {
        Self { path, ..self }
    }

    /// Size of the Cookie header sent, in bytes.
    pub fn cookie_len(&self) -> usize {
        self.cookie.as_ref().map_or(0, HeaderValue::len)
    }
}

async fn untouched() -> HttpResponse {
    HttpResponse::Ok().body(crate::axum_peers::UNTOUCHED)
}

/// No session; the request carries a cookie header of the payload's size.
pub async fn baseline(
    payload: &Payload,
) -> ActixCase<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = Error>> {
    async fn rw() -> HttpResponse {
        HttpResponse::Ok().body(std::hint::black_box(1u64).to_string())
    }
    let app = test::init_service(
        App::new()
            .route("/rw", web::get().to(rw))
            .route("/untouched", web::get().to(untouched)),
    )
    .await;
    let json = serde_json::to_string(payload).expect("payload json");
    let cookie = format!("session={}", json.replace(['"', ',', ';', '\\'], "_"));
    ActixCase {
        app,
        path: "/rw",
        cookie: Some(HeaderValue::from_str(&cookie).expect("cookie")),
    }
}

async fn rw(session: Session) -> HttpResponse {
    let n: u64 = session.get("counter").expect("get").unwrap_or(0);
    session.insert("counter", n + 1).expect("insert");
    HttpResponse::Ok().body(n.to_string())
}

async fn seed(session: Session, payload: web::Data<Payload>) -> HttpResponse {
    session.insert("counter", payload.counter).expect("insert");
    session.insert("cart", &payload.cart).expect("insert");
    HttpResponse::Ok().body("seeded")
}

/// actix-session `CookieSessionStore` with the given content security
/// (`Private`, its default, or `Signed`). `None` when the payload does not
/// fit (actix-session refuses session state over 4064 bytes).
pub async fn cookie_session(
    payload: &Payload,
    security: CookieContentSecurity,
) -> Option<
    ActixCase<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = Error>>,
> {
    let middleware = SessionMiddleware::builder(CookieSessionStore::default(), Key::generate())
        .cookie_secure(false)
        .cookie_content_security(security)
        .build();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(payload.clone()))
            .wrap(middleware)
            .route("/seed", web::get().to(seed))
            .route("/rw", web::get().to(rw))
            .route("/untouched", web::get().to(untouched)),
    )
    .await;
    let seeding = ActixCase {
        app,
        path: "/seed",
        cookie: None,
    };
    let seeded = seeding.probe().await;
    if seeded.set_cookies.is_empty() {
        return None;
    }
    let cookie = HeaderValue::from_str(&seeded.set_cookies.join("; ")).expect("cookie");
    let case = ActixCase {
        cookie: Some(cookie),
        ..seeding.with_path("/rw")
    };
    let probe = case.probe().await;
    assert_eq!(probe.status, StatusCode::OK, "actix-session: {probe:?}");
    assert!(
        probe.body.parse::<u64>().expect("counter") >= 1,
        "actix-session lost the seed"
    );
    assert_eq!(
        probe.set_cookies.len(),
        1,
        "actix-session: a write re-sends the cookie"
    );
    Some(case)
}
