//! [`SessionLayer`], its service and its response future.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::store::BoxFuture;
use crate::web::backend::Backend;
use crate::web::backend::CookieAction;
use crate::web::cookie::{ConfigError, CookieConfig, HOST_PREFIX};
use crate::web::error::Error;
use crate::web::events::{Event, Events};
use crate::web::slot::{Current, LazySession, Pending, Shared, Step};

/// The `SameSite` attribute of the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent only on same-site requests.
    Strict,
    /// Also sent on top-level cross-site navigation (the default).
    Lax,
    /// Sent on every request; forces `Secure`.
    None,
}

/// Puts a lazy session into every request and commits it on the way out.
///
/// Built from a [`Backend`]: any store through [`crate::Sessions`], or a
/// cookie store. Every `with_*` setter has a `try_with_*` twin where the
/// value can be refused; the plain one panics with the reason (meant for
/// start-up code with literal settings).
///
/// # Examples
///
/// ```
/// use session_core::Sessions;
/// use session_core::web::{SameSite, SessionLayer};
/// # use session_core::store::Store;
/// # fn demo<S: Store>(store: S) {
/// let layer = SessionLayer::new(Sessions::new(store))
///     .with_name("sid")
///     .with_same_site(SameSite::Strict)
///     .with_default_age(std::time::Duration::from_secs(3600));
/// # let _ = layer; }
/// ```
pub struct SessionLayer<B> {
    /// One reference count: axum clones, applies and drops the layer per
    /// request when a router is called without `with_state`, so cloning
    /// and dropping it must cost one atomic operation each.
    inner: Arc<LayerInner<B>>,
}

impl<B> Clone for SessionLayer<B> {
    fn clone(&self) -> Self {
        SessionLayer {
            inner: Arc::clone(&self.inner),
        }
    }
}

#[derive(Clone)]
struct LayerInner<B> {
    backend: B,
    settings: Settings,
    /// The settings as the services share them, built on first `layer()`
    /// and shared by clones until one is reconfigured (which forgets it).
    built: OnceLock<Arc<Shared>>,
}

/// Settings, before the backend is erased.
#[derive(Clone)]
struct Settings {
    cookie: CookieConfig,
    events: Events,
    save_every_request: bool,
    cache_private: bool,
    on_error: Option<crate::web::error::ErrorHandler>,
}

impl<B> std::fmt::Debug for SessionLayer<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionLayer")
            .field("cookie", &self.inner.settings.cookie)
            .field(
                "save_every_request",
                &self.inner.settings.save_every_request,
            )
            .finish_non_exhaustive()
    }
}

fn or_panic<T>(r: Result<T, ConfigError>) -> T {
    r.unwrap_or_else(|e| panic!("invalid session cookie setting: {e}"))
}

impl<B: Backend + Clone> SessionLayer<B> {
    /// A layer over `backend` with the secure defaults of
    /// [`CookieConfig`](crate::web::CookieConfig): name `id`, `Path=/`, no
    /// Domain, Secure, HttpOnly, `SameSite=Lax`; sessions are saved only
    /// when modified; `Cache-Control: private` on responses that set the
    /// cookie; store errors answered with [`Error::to_response`].
    pub fn new(backend: B) -> Self {
        SessionLayer {
            inner: Arc::new(LayerInner {
                backend,
                built: OnceLock::new(),
                settings: Settings {
                    cookie: CookieConfig::default(),
                    events: Events::default(),
                    // Saving only what changed avoids a write per request and
                    // the lost updates of read-modify-write (H5).
                    save_every_request: false,
                    // Shared caches must not store a response that sets a
                    // session (K2).
                    cache_private: true,
                    on_error: None,
                },
            }),
        }
    }

    /// The settings, for a builder method: forgets what an earlier
    /// `layer()` call built.
    fn settings(&mut self) -> &mut Settings {
        &mut self.inner_mut().settings
    }

    fn backend_mut(&mut self) -> &mut B {
        &mut self.inner_mut().backend
    }

    /// The layer's own copy (cloned if shared), with what an earlier
    /// `layer()` built forgotten.
    fn inner_mut(&mut self) -> &mut LayerInner<B> {
        let inner = Arc::make_mut(&mut self.inner);
        inner.built = OnceLock::new();
        inner
    }

    /// The cookie settings in force.
    pub fn cookie(&self) -> &CookieConfig {
        &self.inner.settings.cookie
    }

    /// Sets the cookie name (default `id`, K6). A name starting with
    /// `__Host-` turns on [`SessionLayer::with_host_prefix`]'s rules.
    ///
    /// # Panics
    ///
    /// As [`SessionLayer::try_with_name`] errors.
    #[must_use]
    pub fn with_name(self, name: &str) -> Self {
        or_panic(self.try_with_name(name))
    }

    /// Sets the cookie name.
    ///
    /// # Errors
    ///
    /// A name that is not an RFC 9110 token (B4), or a `__Host-` name with a
    /// Domain or a Path other than `/` (D10).
    pub fn try_with_name(mut self, name: &str) -> Result<Self, ConfigError> {
        self.settings().cookie.set_name(name)?;
        Ok(self)
    }

    /// Sets the cookie's Path (default `/`, K5).
    ///
    /// # Panics
    ///
    /// As [`SessionLayer::try_with_path`] errors.
    #[must_use]
    pub fn with_path(self, path: &str) -> Self {
        or_panic(self.try_with_path(path))
    }

    /// Sets the cookie's Path.
    ///
    /// # Errors
    ///
    /// `;`, controls, spaces, non-ASCII or over 1024 bytes (B4, F2); not `/`
    /// under `__Host-` (D10).
    pub fn try_with_path(mut self, path: &str) -> Result<Self, ConfigError> {
        self.settings().cookie.set_path(path)?;
        Ok(self)
    }

    /// Sets the cookie's Domain (default none: host-only, K5).
    ///
    /// # Panics
    ///
    /// As [`SessionLayer::try_with_domain`] errors.
    #[must_use]
    pub fn with_domain(self, domain: &str) -> Self {
        or_panic(self.try_with_domain(domain))
    }

    /// Sets the cookie's Domain.
    ///
    /// # Errors
    ///
    /// As for the Path; any Domain under `__Host-` (D10).
    pub fn try_with_domain(mut self, domain: &str) -> Result<Self, ConfigError> {
        self.settings().cookie.set_domain(Some(domain))?;
        Ok(self)
    }

    /// Turns `Secure` on or off (default on, K3). Turning it off is for
    /// plain-http development only; it stays on under `SameSite=None`,
    /// `Partitioned` and `__Host-`/`__Secure-` names. The layer does not
    /// guess the scheme (behind a TLS-terminating proxy every request looks
    /// like plain http), so a Secure cookie is still emitted on plain-http
    /// requests; browsers then do not store it (K7). Browsers treat
    /// `http://localhost` as secure, so local development works with the
    /// default.
    ///
    /// # Panics
    ///
    /// As [`SessionLayer::try_with_secure`] errors.
    #[must_use]
    pub fn with_secure(self, secure: bool) -> Self {
        or_panic(self.try_with_secure(secure))
    }

    /// Turns `Secure` on or off.
    ///
    /// # Errors
    ///
    /// Turning it off under a `__Host-` or `__Secure-` name.
    pub fn try_with_secure(mut self, secure: bool) -> Result<Self, ConfigError> {
        self.settings().cookie.set_secure(secure)?;
        Ok(self)
    }

    /// Turns `HttpOnly` on or off (default on: scripts cannot read it, K3).
    #[must_use]
    pub fn with_http_only(mut self, http_only: bool) -> Self {
        self.settings().cookie.set_http_only(http_only);
        self
    }

    /// Sets `SameSite` (default `Lax`, K3); `None` forces `Secure`.
    #[must_use]
    pub fn with_same_site(mut self, same_site: SameSite) -> Self {
        self.settings().cookie.set_same_site(Some(match same_site {
            SameSite::Strict => cookie::SameSite::Strict,
            SameSite::Lax => cookie::SameSite::Lax,
            SameSite::None => cookie::SameSite::None,
        }));
        self
    }

    /// Sets `Partitioned` (CHIPS; default off); forces `Secure`.
    #[must_use]
    pub fn with_partitioned(mut self, partitioned: bool) -> Self {
        self.settings().cookie.set_partitioned(partitioned);
        self
    }

    /// `__Host-` mode: prefixes the name with `__Host-` (unless it has it),
    /// which makes browsers require Secure, `Path=/` and no Domain, so a
    /// sibling subdomain cannot plant a session cookie (D10).
    ///
    /// # Panics
    ///
    /// As [`SessionLayer::try_with_host_prefix`] errors.
    #[must_use]
    pub fn with_host_prefix(self) -> Self {
        or_panic(self.try_with_host_prefix())
    }

    /// `__Host-` mode.
    ///
    /// # Errors
    ///
    /// A Domain is set or the Path is not `/` (D10).
    pub fn try_with_host_prefix(self) -> Result<Self, ConfigError> {
        if self.cookie().is_host_prefixed() {
            return Ok(self);
        }
        let name = format!("{HOST_PREFIX}{}", self.cookie().name());
        self.try_with_name(&name)
    }

    /// Sets the default session age (Django's `SESSION_COOKIE_AGE`, 14 days
    /// by default), in the backend's expiry policy.
    #[must_use]
    pub fn with_default_age(mut self, age: Duration) -> Self {
        self.backend_mut().config_mut().policy_mut().default_age = age;
        self
    }

    /// Browser-session cookies (no `Max-Age`) for sessions with the default
    /// expiry (Django's `SESSION_EXPIRE_AT_BROWSER_CLOSE`; default off). The
    /// server still enforces the default age (C1).
    #[must_use]
    pub fn with_expire_at_browser_close(mut self, on: bool) -> Self {
        self.backend_mut()
            .config_mut()
            .policy_mut()
            .expire_at_browser_close = on;
        self
    }

    /// Saves (and renews) every loaded session on every non-5xx response,
    /// even unchanged (Django's `SESSION_SAVE_EVERY_REQUEST`; default off).
    /// A request that never touched the session still loads it when it
    /// carries a session cookie; a request without one creates nothing (J2).
    /// If that extra load fails (store down), the handler's response is
    /// sent unchanged: a page that did not need the session does not fail.
    #[must_use]
    pub fn with_save_every_request(mut self, on: bool) -> Self {
        self.settings().save_every_request = on;
        self
    }

    /// Whether responses that set the cookie get `Cache-Control: private`
    /// (default on, K2). Turn off only if a cache in front keys on the whole
    /// session cookie.
    #[must_use]
    pub fn with_cache_control_private(mut self, on: bool) -> Self {
        self.settings().cache_private = on;
        self
    }

    /// Maps session errors (store unavailable, interrupted, too large) to
    /// the response sent instead of the handler's. The default is
    /// [`Error::to_response`]: 503 for an unavailable store, an opaque body,
    /// and never a session cookie (G2, G3).
    #[must_use]
    pub fn with_error_handler(
        mut self,
        handler: impl Fn(&Error) -> Response<String> + Send + Sync + 'static,
    ) -> Self {
        self.settings().on_error = Some(Arc::new(handler));
        self
    }

    /// Receives lifecycle [`Event`]s (created, cycled, flushed, expired,
    /// re-sealed, tamper detected, size exceeded), in addition to the
    /// `tracing` events always emitted.
    #[must_use]
    pub fn with_events(mut self, callback: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.settings().events = Events::new(callback);
        self
    }
}

impl<S, B: Backend + Clone> Layer<S> for SessionLayer<B> {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> SessionService<S> {
        let this = &*self.inner;
        let shared = this.built.get_or_init(|| {
            let s = &this.settings;
            Arc::new(Shared {
                backend: Arc::new(this.backend.clone()),
                cookie: s.cookie.clone(),
                events: s.events.clone(),
                save_every_request: s.save_every_request,
                keep_loaded_from: this.backend.reads_loaded_from(),
                immediate: this.backend.is_immediate(),
                cache_private: s.cache_private,
                on_error: s.on_error.clone(),
            })
        });
        SessionService {
            inner,
            shared: Arc::clone(shared),
        }
    }
}

/// The service made by [`SessionLayer`].
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> std::fmt::Debug for SessionService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionService").finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SessionService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<String> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let slot = LazySession::new(Arc::clone(&self.shared), req.headers());
        req.extensions_mut().insert(slot.clone());
        ResponseFuture {
            state: State::Inner {
                fut: self.inner.call(req),
                slot: Some(slot),
            },
        }
    }
}

pin_project! {
    /// The response future of [`SessionService`]: runs the inner service,
    /// then, only if the session was used (or `save_every_request` applies),
    /// commits it and adds `Set-Cookie`, `Vary: Cookie` and
    /// `Cache-Control: private` as needed. An untouched request's response
    /// passes through unchanged, with no I/O (J3).
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Inner { #[pin] fut: F, slot: Option<LazySession> },
        Load {
            fut: BoxFuture<'static, Result<Current, Error>>,
            rest: Option<(LazySession, Response<B>)>,
        },
        Commit {
            fut: BoxFuture<'static, Result<CookieAction, Error>>,
            pending: Option<Pending<B>>,
        },
    }
}

const POLLED_AFTER_COMPLETION: &str = "ResponseFuture polled after completion";

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: From<String>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let step = match this.state.as_mut().project() {
                StateProj::Inner { fut, slot } => {
                    let resp = ready!(fut.poll(cx))?;
                    let slot = slot.take().expect(POLLED_AFTER_COMPLETION);
                    if !slot.needs_finish() {
                        return Poll::Ready(Ok(resp));
                    }
                    slot.finish(resp)
                }
                StateProj::Load { fut, rest } => {
                    let loaded = ready!(fut.as_mut().poll(cx));
                    let (slot, resp) = rest.take().expect(POLLED_AFTER_COMPLETION);
                    slot.loaded(loaded, resp)
                }
                StateProj::Commit { fut, pending } => {
                    let committed = ready!(fut.as_mut().poll(cx));
                    let pending = pending.take().expect(POLLED_AFTER_COMPLETION);
                    return Poll::Ready(Ok(pending.end(committed)));
                }
            };
            match step {
                Step::Done(resp) => return Poll::Ready(Ok(resp)),
                Step::Load(fut, slot, resp) => this.state.set(State::Load {
                    fut,
                    rest: Some((slot, resp)),
                }),
                Step::Commit(fut, pending) => this.state.set(State::Commit {
                    fut,
                    pending: Some(pending),
                }),
            }
        }
    }
}
