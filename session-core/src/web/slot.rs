//! The lazy session a request carries in its extensions, and what the layer
//! does with it on the way out.

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::header::{CACHE_CONTROL, COOKIE, Entry, SET_COOKIE, VARY};
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use parking_lot::Mutex;

use crate::id::{ID_LEN, Id};
use crate::session::Handle;
use crate::sessions::poll_once;
use crate::store::BoxFuture;
use crate::web::backend::{Backend, CookieAction, Cx, Loaded};
use crate::web::cookie::scan::Candidates;
use crate::web::cookie::{CookieConfig, MAX_COOKIE_LEN};
use crate::web::error::{Error, ErrorHandler};
use crate::web::events::{Event, Events};

/// [`Backend`] with its type erased, so the request extension and the
/// service do not carry the backend's type.
pub(crate) trait DynBackend: Send + Sync + 'static {
    fn config(&self) -> &Arc<crate::Config>;
    /// Loads `value`: in place if `immediate` (the backend's
    /// [`Backend::is_immediate`], read when the layer was built).
    fn load<'a>(
        &'a self,
        value: &'a str,
        cx: &'a Cx<'a>,
        immediate: bool,
    ) -> Now<'a, Result<Option<Loaded>, Error>>;
    /// Commits `current` in place if the backend is immediate
    /// ([`Backend::is_immediate`]): no future, no reference counts taken.
    fn commit_now(&self, shared: &Shared, current: &Current)
    -> Option<Result<CookieAction, Error>>;
    /// Commits `current`; the future owns everything it uses, so the
    /// layer's response future needs no box of its own.
    fn commit(
        self: Arc<Self>,
        shared: Arc<Shared>,
        current: Current,
    ) -> BoxFuture<'static, Result<CookieAction, Error>>;
}

/// A backend call's result: at once ([`Backend::IMMEDIATE`], no box), or a
/// future to wait for.
pub(crate) enum Now<'a, T> {
    Ready(T),
    Later(BoxFuture<'a, T>),
}

impl<B: Backend> DynBackend for B {
    fn config(&self) -> &Arc<crate::Config> {
        Backend::config(self)
    }
    fn load<'a>(
        &'a self,
        value: &'a str,
        cx: &'a Cx<'a>,
        immediate: bool,
    ) -> Now<'a, Result<Option<Loaded>, Error>> {
        if immediate {
            if let Some(loaded) = poll_once(pin!(Backend::load(self, value, cx))) {
                return Now::Ready(loaded);
            }
            // A broken promise: a load is only a read, so start it again
            // and wait for it.
            tracing::error!("session backend promised IMMEDIATE but a load was not ready");
        }
        Now::Later(Box::pin(Backend::load(self, value, cx)))
    }
    fn commit_now(
        &self,
        shared: &Shared,
        current: &Current,
    ) -> Option<Result<CookieAction, Error>> {
        if !shared.immediate {
            return None;
        }
        let cx = current.cx(shared);
        let committed = poll_once(pin!(Backend::commit(self, &current.handle, &cx)));
        Some(committed.unwrap_or_else(|| {
            // A broken promise: the commit cannot be run twice, so it is
            // abandoned like a failed one (no cookie is set).
            Err(Error::Backend(
                "session backend promised IMMEDIATE but a commit was not ready".into(),
            ))
        }))
    }
    fn commit(
        self: Arc<Self>,
        shared: Arc<Shared>,
        current: Current,
    ) -> BoxFuture<'static, Result<CookieAction, Error>> {
        Box::pin(async move {
            let cx = current.cx(&shared);
            Backend::commit(&*self, &current.handle, &cx).await
        })
    }
}

/// Everything the layer was configured with, shared by its services.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) backend: Arc<dyn DynBackend>,
    pub(crate) cookie: CookieConfig,
    pub(crate) events: Events,
    pub(crate) save_every_request: bool,
    /// The backend reads [`Cx::loaded_from`] at commit
    /// ([`Backend::reads_loaded_from`]).
    pub(crate) keep_loaded_from: bool,
    /// The backend's loads and commits are ready at once
    /// ([`Backend::is_immediate`]): run in place, not boxed.
    pub(crate) immediate: bool,
    pub(crate) cache_private: bool,
    pub(crate) on_error: Option<ErrorHandler>,
}

impl Shared {
    /// What a backend is told about the request.
    fn cx<'a>(&'a self, had_cookie: bool, reissue: bool, loaded_from: Option<&'a str>) -> Cx<'a> {
        Cx {
            cookie_name: self.cookie.name(),
            events: &self.events,
            save_every_request: self.save_every_request,
            had_cookie,
            reissue,
            loaded_from,
            cookie: &self.cookie,
        }
    }
}

/// A loaded session, and what the way out needs to know about its cookie.
pub(crate) struct Current {
    handle: Handle,
    reissue: bool,
    had_cookie: bool,
    loaded_from: Option<String>,
}

impl Current {
    /// What the backend is told at commit.
    fn cx<'a>(&'a self, shared: &'a Shared) -> Cx<'a> {
        shared.cx(self.had_cookie, self.reissue, self.loaded_from.as_deref())
    }
}

#[derive(Default)]
struct SlotState {
    current: Option<Current>,
    failed: Option<Error>,
}

impl SlotState {
    /// What an earlier extractor's load left: its handle or its status.
    fn reuse(&self) -> Option<Result<Handle, StatusCode>> {
        if let Some(c) = &self.current {
            return Some(Ok(c.handle.clone()));
        }
        self.failed.as_ref().map(|e| Err(e.status()))
    }

    /// Keeps a finished load (or its error, for the layer) and answers the
    /// extractor with it.
    fn settle(&mut self, loaded: Result<Current, Error>) -> Result<Handle, StatusCode> {
        match loaded {
            // Two extractors racing on one request: the first load wins.
            Ok(c) => Ok(self.current.get_or_insert(c).handle.clone()),
            Err(e) => {
                let status = e.status();
                tracing::warn!(error = %e, "session could not be loaded");
                self.failed = Some(e);
                Err(status)
            }
        }
    }
}

struct Inner {
    shared: Arc<Shared>,
    /// The request's `Cookie` headers, kept only with `save_every_request`
    /// (which may load a session no extractor asked for); otherwise the
    /// extractor hands its own headers over, and an untouched request
    /// copies nothing.
    cookies: Vec<HeaderValue>,
    /// Set by the first extractor before it loads: lets the way out skip an
    /// untouched request without taking the lock (J3).
    touched: AtomicBool,
    state: Mutex<SlotState>,
}

/// The request's session, not loaded yet: the layer puts one in the
/// request extensions and the first extractor loads it (one store round
/// trip or one cookie verification). Clones share the same session.
#[derive(Clone)]
pub struct LazySession(Arc<Inner>);

impl std::fmt::Debug for LazySession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazySession")
            .field("loaded", &self.0.state.lock().current.is_some())
            .finish_non_exhaustive()
    }
}

impl LazySession {
    pub(crate) fn new(shared: Arc<Shared>, headers: &HeaderMap) -> Self {
        let cookies = if shared.save_every_request {
            headers.get_all(COOKIE).iter().cloned().collect()
        } else {
            Vec::new()
        };
        LazySession(Arc::new(Inner {
            shared,
            cookies,
            touched: AtomicBool::new(false),
            state: Mutex::new(SlotState::default()),
        }))
    }

    /// Loads the session from the request's `headers` (once per request:
    /// later calls return the same session) and returns its handle.
    ///
    /// # Errors
    ///
    /// The status to answer with when the backend failed (503 for an
    /// unavailable store). The error itself is kept for the layer, which
    /// passes it to the app's error handler.
    pub async fn handle(&self, headers: &HeaderMap) -> Result<Handle, StatusCode> {
        let cookies = || headers.get_all(COOKIE).iter();
        // An immediate backend loads in place, under the slot's lock: one
        // lock for the whole load, and this future then holds no load
        // state across an await (it stays small: it is moved into every
        // handler's future).
        if self.0.shared.immediate {
            let mut st = self.0.state.lock();
            // Under the lock: no extractor can have loaded in between.
            self.0.touched.store(true, Ordering::Release);
            if let Some(reused) = st.reuse() {
                return reused;
            }
            if let Some(loaded) = self.load_now(cookies()) {
                return st.settle(loaded);
            }
            // A broken promise: wait for the load below.
        }
        // The first extractor finds nothing to reuse: it skips the lock.
        let first = !self.0.touched.swap(true, Ordering::AcqRel);
        if !first {
            if let Some(reused) = self.0.state.lock().reuse() {
                return reused;
            }
        }
        let loaded = Box::pin(self.load(cookies())).await;
        self.0.state.lock().settle(loaded)
    }

    /// The session cookie's candidate values, reporting oversized ones,
    /// and whether the request carried a session cookie at all.
    fn candidates<'h>(
        &self,
        headers: impl IntoIterator<Item = &'h HeaderValue>,
    ) -> (Candidates<'h>, bool) {
        let shared = &self.0.shared;
        let found = shared.cookie.scan(headers);
        for _ in 0..found.oversized {
            shared.events.emit(Event::SizeExceeded {
                size: MAX_COOKIE_LEN + 1,
                limit: MAX_COOKIE_LEN,
                incoming: true,
            });
        }
        let had_cookie = !found.values().is_empty() || found.oversized > 0;
        (found, had_cookie)
    }

    /// Loads the session, waiting for the backend as needed.
    async fn load<'h>(
        &self,
        headers: impl IntoIterator<Item = &'h HeaderValue>,
    ) -> Result<Current, Error> {
        let shared = &self.0.shared;
        let (found, had_cookie) = self.candidates(headers);
        let cx = shared.cx(had_cookie, false, None);
        for &value in found.values() {
            let loaded = match shared.backend.load(value, &cx, shared.immediate) {
                Now::Ready(loaded) => loaded,
                Now::Later(fut) => fut.await,
            };
            if let Some(loaded) = loaded? {
                return Ok(self.current(loaded, had_cookie, value));
            }
        }
        Ok(self.fresh(had_cookie))
    }

    /// [`LazySession::load`] for an immediate backend, run in place (its
    /// loads are ready at once); `None` if the backend broke its promise
    /// (the caller then starts the load again and waits for it).
    fn load_now<'h>(
        &self,
        headers: impl IntoIterator<Item = &'h HeaderValue>,
    ) -> Option<Result<Current, Error>> {
        poll_once(pin!(self.load(headers)))
    }

    /// The request's session, loaded from the cookie `value`.
    fn current(&self, loaded: Loaded, had_cookie: bool, value: &str) -> Current {
        let shared = &self.0.shared;
        if loaded.reissue {
            shared.events.emit(Event::Resealed);
        }
        Current {
            handle: loaded.handle,
            reissue: loaded.reissue,
            had_cookie,
            loaded_from: shared.keep_loaded_from.then(|| value.to_owned()),
        }
    }

    /// A new empty session: no cookie, or none that loaded.
    fn fresh(&self, had_cookie: bool) -> Current {
        Current {
            handle: Handle::empty(Arc::clone(self.0.shared.backend.config())),
            reissue: false,
            had_cookie,
            loaded_from: None,
        }
    }

    /// Whether the way out has work to do (else the response passes as is:
    /// an untouched request costs nothing, J3).
    pub(crate) fn needs_finish(&self) -> bool {
        self.0.touched.load(Ordering::Acquire) || self.renews_untouched()
    }

    /// `save_every_request` on a request that carries a session cookie: the
    /// way out loads and renews it even if no extractor asked (J2).
    fn renews_untouched(&self) -> bool {
        self.0.shared.save_every_request && !self.0.cookies.is_empty()
    }

    /// The way out, up to the first backend call: maps a load failure,
    /// adds `Vary`, skips 5xx, and starts the commit (or, for
    /// `save_every_request` on an untouched request, the load).
    pub(crate) fn finish<B: From<String>>(self, resp: Response<B>) -> Step<B> {
        let (current, failed) = {
            let mut st = self.0.state.lock();
            (st.current.take(), st.failed.take())
        };
        if let Some(err) = failed {
            // Load failed: the extractor answered already; let the app map
            // it. No cookie is set or deleted (G2).
            return Step::Done(error_response(&self.0.shared, &err, resp));
        }
        match current {
            Some(c) => self.commit(c, resp),
            // An extractor started loading but was dropped midway: as if
            // untouched.
            None if !self.renews_untouched() => Step::Done(resp),
            // save_every_request on an untouched request with a cookie.
            None => {
                let slot = self.clone();
                let load = Box::pin(async move { slot.load(&slot.0.cookies).await });
                Step::Load(load, self, resp)
            }
        }
    }

    /// After the load that `save_every_request` started.
    pub(crate) fn loaded<B: From<String>>(
        self,
        loaded: Result<Current, Error>,
        resp: Response<B>,
    ) -> Step<B> {
        match loaded {
            Ok(c) => self.commit(c, resp),
            Err(e) => {
                // Do not fail a request that did not need the session.
                tracing::warn!(error = %e, "session could not be loaded to renew it");
                Step::Done(resp)
            }
        }
    }

    fn commit<B: From<String>>(self, current: Current, mut resp: Response<B>) -> Step<B> {
        // The response depends on the session: caches must key on it (K1).
        add_vary_cookie(resp.headers_mut());
        if resp.status().is_server_error() {
            return Step::Done(resp); // Nothing is saved on any 5xx (G14).
        }
        // Only the lifecycle events read these: no lock when no one listens.
        let (was_new, cycled, flushed) = if self.0.shared.events.wants_lifecycle() {
            let s = current.handle.lock();
            (s.is_new(), s.is_cycled(), s.is_flushed())
        } else {
            (false, false, false)
        };
        let pending = Pending {
            loaded_as: current.handle.loaded_as(),
            had_cookie: current.had_cookie,
            was_new,
            cycled,
            flushed,
            resp,
            slot: self,
        };
        let shared = &pending.slot.0.shared;
        if let Some(committed) = shared.backend.commit_now(shared, &current) {
            return Step::Done(pending.end(committed));
        }
        // A commit left to wait owns what it needs: the way out needs no
        // other allocation.
        let commit = Arc::clone(&shared.backend).commit(Arc::clone(shared), current);
        Step::Commit(commit, pending)
    }
}

/// What the way out does next.
pub(crate) enum Step<B> {
    /// Send this response.
    Done(Response<B>),
    /// Load the session (`save_every_request` on an untouched request),
    /// then [`LazySession::loaded`].
    Load(
        BoxFuture<'static, Result<Current, Error>>,
        LazySession,
        Response<B>,
    ),
    /// Wait for the backend's commit, then [`Pending::end`].
    Commit(BoxFuture<'static, Result<CookieAction, Error>>, Pending<B>),
}

/// A response waiting for the backend's commit.
pub(crate) struct Pending<B> {
    /// The request's session: the way to the layer's settings.
    slot: LazySession,
    /// The id the session was loaded under, and its text (the request's
    /// cookie value): reused if the commit sets the same id.
    loaded_as: Option<(Id, [u8; ID_LEN])>,
    resp: Response<B>,
    had_cookie: bool,
    was_new: bool,
    cycled: bool,
    flushed: bool,
}

impl<B: From<String>> Pending<B> {
    /// Sets or deletes the cookie as the commit says.
    pub(crate) fn end(self, committed: Result<CookieAction, Error>) -> Response<B> {
        let Pending {
            slot,
            loaded_as,
            mut resp,
            had_cookie,
            was_new,
            cycled,
            flushed,
        } = self;
        let shared = &*slot.0.shared;
        let action = match committed {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "session could not be saved");
                return error_response(shared, &e, resp);
            }
        };
        let text;
        let (value, id, max_age) = match action {
            CookieAction::Set { ref value, max_age } => {
                (Value::Borrowed(value.as_bytes()), None, max_age)
            }
            CookieAction::SetAscii { value, max_age } => (Value::Owned(value, 0), None, max_age),
            CookieAction::SetAsciiAt { buf, at, max_age } if at <= buf.len() => {
                (Value::Owned(buf, at), None, max_age)
            }
            CookieAction::SetAsciiAt { .. } => {
                set_cookie_header(shared, resp.headers_mut(), None);
                return resp;
            }
            CookieAction::SetId { id, max_age } => {
                text = match loaded_as {
                    Some((loaded, text)) if loaded == id => text,
                    _ => id.encode(),
                };
                (Value::Borrowed(&text[..]), Some(id), max_age)
            }
            CookieAction::Remove => {
                if flushed && !was_new {
                    shared.events.emit(Event::Flushed);
                }
                if had_cookie {
                    let cookie = HeaderValue::try_from(shared.cookie.removal_cookie()).ok();
                    set_cookie_header(shared, resp.headers_mut(), cookie);
                }
                return resp;
            }
            _ => return resp,
        };
        let bytes = value.bytes();
        // The tag costs a keyed hash: only for someone listening.
        let tag = || {
            id.or_else(|| Id::parse_bytes(bytes).ok())
                .map(|id| id.log_tag())
        };
        if was_new {
            shared.events.emit_with(|| Event::Created { tag: tag() });
        } else if cycled {
            shared.events.emit_with(|| Event::Cycled { tag: tag() });
        }
        let size = shared.cookie.name().len() + 1 + bytes.len();
        if size > MAX_COOKIE_LEN {
            // Backends check this; a custom one that did not is still never
            // allowed to emit a cookie browsers drop (F1).
            let e = Error::TooLarge {
                name: shared.cookie.name().to_owned(),
                size,
                limit: MAX_COOKIE_LEN,
            };
            return error_response(shared, &e, resp);
        }
        let cookie = match value {
            Value::Borrowed(v) => shared.cookie.set_cookie_header(v, max_age),
            Value::Owned(v, at) => shared.cookie.set_cookie_header_from(v, at, max_age),
        };
        set_cookie_header(shared, resp.headers_mut(), cookie);
        resp
    }
}

/// A cookie value to set: borrowed, or a buffer that may become the line
/// (the value at its offset, which is within it).
enum Value<'a> {
    Borrowed(&'a [u8]),
    Owned(Vec<u8>, usize),
}

impl Value<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Value::Borrowed(v) => v,
            Value::Owned(v, at) => &v[*at..],
        }
    }
}

fn set_cookie_header(shared: &Shared, headers: &mut HeaderMap, cookie: Option<HeaderValue>) {
    let Some(value) = cookie else {
        // Unreachable with validated attributes and backend values; refuse
        // rather than emit a broken header (B4).
        tracing::error!("session Set-Cookie value is not a valid header; not sent");
        return;
    };
    headers.append(SET_COOKIE, value);
    if shared.cache_private {
        make_private(headers);
    }
}

fn error_response<B: From<String>>(shared: &Shared, err: &Error, resp: Response<B>) -> Response<B> {
    let mapped = match &shared.on_error {
        Some(handler) => handler(err),
        None if resp.status() == err.status() => return resp,
        None => err.to_response(),
    };
    mapped.map(B::from)
}

/// Adds `Cookie` to `Vary` unless it (or `*`) is already there.
fn add_vary_cookie(headers: &mut HeaderMap) {
    // One lookup: the usual response has no `Vary` yet.
    match headers.entry(VARY) {
        Entry::Vacant(e) => {
            e.insert(HeaderValue::from_static("Cookie"));
        }
        Entry::Occupied(mut e) => {
            let present = e.iter().any(|v| {
                v.to_str().is_ok_and(|s| {
                    s.split(',')
                        .any(|t| t.trim() == "*" || t.trim().eq_ignore_ascii_case("cookie"))
                })
            });
            if !present {
                e.append(HeaderValue::from_static("Cookie"));
            }
        }
    }
}

/// Makes a response that sets the session cookie uncacheable by shared
/// caches (K2): adds `private` and drops `public` / `s-maxage`.
fn make_private(headers: &mut HeaderMap) {
    // One lookup, no allocation when there is no `Cache-Control` yet.
    let mut e = match headers.entry(CACHE_CONTROL) {
        Entry::Vacant(e) => {
            e.insert(HeaderValue::from_static("private"));
            return;
        }
        Entry::Occupied(e) => e,
    };
    let existing: Vec<String> = e
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(','))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let lower = |t: &String| t.to_ascii_lowercase();
    if existing
        .iter()
        .any(|t| lower(t) == "private" || lower(t) == "no-store")
    {
        return;
    }
    let mut directives = vec!["private".to_owned()];
    directives.extend(
        existing
            .into_iter()
            .filter(|t| lower(t) != "public" && !lower(t).starts_with("s-maxage")),
    );
    if let Ok(v) = HeaderValue::from_str(&directives.join(", ")) {
        e.insert(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn vary_cookie_is_added_once_k1() {
        let mut h = headers(&[("vary", "Accept-Encoding")]);
        add_vary_cookie(&mut h);
        add_vary_cookie(&mut h);
        let all: Vec<_> = h.get_all(VARY).iter().collect();
        assert_eq!(all, ["Accept-Encoding", "Cookie"]);
        let mut h = headers(&[("vary", "accept, cookie")]);
        add_vary_cookie(&mut h);
        assert_eq!(h.get_all(VARY).iter().count(), 1);
        let mut h = headers(&[("vary", "*")]);
        add_vary_cookie(&mut h);
        assert_eq!(h.get_all(VARY).iter().count(), 1);
    }

    #[test]
    fn cache_control_becomes_private_k2() {
        let mut h = HeaderMap::new();
        make_private(&mut h);
        assert_eq!(h[CACHE_CONTROL], "private");
        let mut h = headers(&[("cache-control", "public, max-age=60, s-maxage=600")]);
        make_private(&mut h);
        assert_eq!(h[CACHE_CONTROL], "private, max-age=60");
        let mut h = headers(&[("cache-control", "no-store")]);
        make_private(&mut h);
        assert_eq!(h[CACHE_CONTROL], "no-store");
    }
}
