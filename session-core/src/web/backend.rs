//! The backend trait the layer talks to, and the adapter that lifts any
//! [`Store`] into it.
//!
//! Two traits, not one: a [`Store`] keeps records by id and knows nothing of
//! cookies; a [`Backend`] turns an incoming cookie value into a loaded
//! [`Handle`] and a committed handle into a [`CookieAction`]. Server stores
//! get a backend for free through [`Sessions`] (the cookie carries the id);
//! cookie stores implement [`Backend`] directly (the cookie carries the
//! sealed record).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::error::{SessionError, StoreError};
use crate::id::{ID_LEN, Id};
use crate::session::Handle;
use crate::sessions::{Outcome, Sessions};
use crate::store::Store;
use crate::web::cookie::CookieConfig;
use crate::web::error::Error;
use crate::web::events::{Event, Events};

/// What the layer tells a backend about the current request.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Cx<'a> {
    /// The session cookie's name (cookie stores bind it into the token, A3).
    pub cookie_name: &'a str,
    /// Where lifecycle events go.
    pub events: &'a Events,
    /// Save (and renew) a stored session even if unchanged.
    pub save_every_request: bool,
    /// The request carried a session cookie (so a deletion is worth sending).
    pub had_cookie: bool,
    /// The incoming token asked to be re-issued ([`Loaded::reissue`]).
    pub reissue: bool,
    /// At commit: the incoming cookie value the session was loaded from,
    /// if any (cookie stores read what a flushed session held from it).
    /// Always `None` for a backend whose [`Backend::reads_loaded_from`] is
    /// `false`.
    pub loaded_from: Option<&'a str>,
    /// The cookie's attributes, for [`Cx::set_cookie_room`].
    pub(crate) cookie: &'a CookieConfig,
}

impl Cx<'_> {
    /// How many bytes the layer writes around a cookie value in its
    /// `Set-Cookie` line: `name=` before it, the attributes and a
    /// `Max-Age` of `max_age` after it. A [`CookieAction::SetAscii`] value
    /// with exactly this much spare capacity becomes the line in place:
    /// no second buffer, no copy.
    pub fn set_cookie_room(&self, max_age: Option<Duration>) -> usize {
        self.cookie.set_cookie_room(max_age)
    }

    /// How many of [`Cx::set_cookie_room`]'s bytes come before the value
    /// (`name=`). A [`CookieAction::SetAsciiAt`] whose value starts at
    /// this offset, with the rest of the room as spare capacity, becomes
    /// the line in place without moving the value.
    pub fn set_cookie_prefix(&self) -> usize {
        self.cookie.set_cookie_prefix()
    }
}

/// A session loaded from an incoming cookie.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The session.
    pub handle: Handle,
    /// Re-issue the cookie even if the session is unchanged (it was made
    /// under a fallback key and must be re-sealed under the current one, E2).
    pub reissue: bool,
}

impl Loaded {
    /// A loaded session that needs nothing special.
    pub fn new(handle: Handle) -> Self {
        Loaded {
            handle,
            reissue: false,
        }
    }
}

/// What to do with the session cookie on the response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieAction {
    /// Send no session cookie.
    Nothing,
    /// Set the cookie to `value`, with `max_age` (`None`: until the browser
    /// closes).
    Set {
        /// The cookie value (an id, or a signed or sealed record).
        value: String,
        /// The cookie's `Max-Age`.
        max_age: Option<Duration>,
    },
    /// Delete the cookie (logout).
    Remove,
    /// [`CookieAction::Set`] with the value as ASCII bytes (a signed or
    /// sealed token from [`Codec::make_ascii`](crate::envelope::Codec::make_ascii)):
    /// written into the `Set-Cookie` line as is, with no UTF-8 check; a
    /// byte a header cannot carry is refused like any bad value (B4).
    /// Given [`Cx::set_cookie_room`] bytes of spare capacity, the value's
    /// buffer becomes the `Set-Cookie` line itself.
    SetAscii {
        /// The cookie value.
        value: Vec<u8>,
        /// The cookie's `Max-Age`.
        max_age: Option<Duration>,
    },
    /// [`CookieAction::SetAscii`] with the value at `buf[at..]` (a token
    /// from [`Codec::make_ascii_at`](crate::envelope::Codec::make_ascii_at)).
    /// With `at` equal to [`Cx::set_cookie_prefix`] and the rest of
    /// [`Cx::set_cookie_room`] as spare capacity, the layer writes `name=`
    /// over `buf[..at]` and the attributes after the value: the buffer
    /// becomes the `Set-Cookie` line without the value moving. Otherwise
    /// the value is copied; an `at` past the end sets no cookie (B4).
    SetAsciiAt {
        /// The value's buffer: `at` bytes of room, then the value.
        buf: Vec<u8>,
        /// Where the value starts in `buf`.
        at: usize,
        /// The cookie's `Max-Age`.
        max_age: Option<Duration>,
    },
    /// Set the cookie to the session id (what a server-side backend
    /// sends): the layer writes its base64url text straight into the
    /// `Set-Cookie` line, with no intermediate string.
    SetId {
        /// The id whose text is the cookie value.
        id: Id,
        /// The cookie's `Max-Age`.
        max_age: Option<Duration>,
    },
}

/// Turns cookies into sessions and back. See the [module docs](crate::web).
pub trait Backend: Send + Sync + 'static {
    /// Whether [`Backend::commit`] reads [`Cx::loaded_from`]. When `false`
    /// the layer keeps no copy of the incoming cookie value (one allocation
    /// less per request); [`Sessions`] (the cookie is only the id, and the
    /// loaded session knows its id) sets it so.
    const READS_LOADED_FROM: bool = true;

    /// A promise that every future [`Backend::load`] and
    /// [`Backend::commit`] return is ready on its first poll (nothing is
    /// awaited: an in-memory store). The layer then runs them in place
    /// instead of boxing them. A backend that breaks the promise still
    /// works for loads (the load is started again, boxed); a commit that is
    /// not ready is abandoned and the request answered with
    /// [`Error::Backend`] (500), with no cookie set. Default `false`;
    /// [`Backend::is_immediate`] can make the promise per instance.
    const IMMEDIATE: bool = false;

    /// [`Backend::READS_LOADED_FROM`] for this value, asked once when the
    /// layer is built: a backend whose need depends on its settings (a
    /// cookie store reads the incoming cookie only with revocations on)
    /// answers per instance. Defaults to the constant.
    fn reads_loaded_from(&self) -> bool {
        Self::READS_LOADED_FROM
    }

    /// [`Backend::IMMEDIATE`] for this value, asked once when the layer is
    /// built: the same promise, made per instance (a cookie store awaits
    /// nothing unless revocations are on). Defaults to the constant.
    fn is_immediate(&self) -> bool {
        Self::IMMEDIATE
    }

    /// The configuration (clock, keys, expiry policy, ids) new sessions get.
    fn config(&self) -> &Arc<Config>;

    /// Mutable access to the configuration, used by the layer's builder
    /// (`with_default_age`, ...) before the backend is shared.
    fn config_mut(&mut self) -> &mut Config;

    /// Loads the session named by one incoming cookie value. `Ok(None)` when
    /// the value does not give a live session (unknown, malformed, tampered,
    /// expired: report it through `cx.events`); the layer then tries the next
    /// cookie of that name or starts an empty session.
    ///
    /// # Errors
    ///
    /// Only when the backend itself failed (store unavailable): never for a
    /// bad cookie, so an outage does not log everyone out (G2).
    fn load(
        &self,
        value: &str,
        cx: &Cx<'_>,
    ) -> impl Future<Output = Result<Option<Loaded>, Error>> + Send;

    /// Persists what the request changed and says which cookie to send.
    ///
    /// # Errors
    ///
    /// A store failure, a session deleted meanwhile (H1), a field that does
    /// not encode, or a cookie over the size limit (F1).
    fn commit(
        &self,
        handle: &Handle,
        cx: &Cx<'_>,
    ) -> impl Future<Output = Result<CookieAction, Error>> + Send;
}

/// Any store is a backend: the cookie carries the session id.
impl<S: Store> Backend for Sessions<S> {
    const READS_LOADED_FROM: bool = false;
    const IMMEDIATE: bool = S::IMMEDIATE;

    fn config(&self) -> &Arc<Config> {
        Sessions::config(self)
    }

    fn config_mut(&mut self) -> &mut Config {
        Sessions::config_mut(self)
    }

    async fn load(&self, value: &str, cx: &Cx<'_>) -> Result<Option<Loaded>, Error> {
        let Ok(id) = Id::parse(value) else {
            // Malformed ids never reach the store (D3, I5).
            cx.events.emit(Event::TamperDetected);
            return Ok(None);
        };
        // Parsed: `value` is the id's own text, kept for the response.
        let text = <[u8; ID_LEN]>::try_from(value.as_bytes()).ok();
        match self.load_as(&id, text).await? {
            Some(handle) => Ok(Some(Loaded::new(handle))),
            None => {
                cx.events.emit(Event::UnknownId);
                Ok(None)
            }
        }
    }

    async fn commit(&self, handle: &Handle, cx: &Cx<'_>) -> Result<CookieAction, Error> {
        match self.commit_with(handle, cx.save_every_request).await {
            Ok(Outcome::Saved { id, max_age, .. }) => Ok(CookieAction::SetId { id, max_age }),
            Ok(Outcome::Deleted) => Ok(CookieAction::Remove),
            Ok(_) => Ok(CookieAction::Nothing),
            Err(SessionError::Store(StoreError::Deleted)) => Err(Error::Interrupted),
            Err(e) => Err(e.into()),
        }
    }
}
