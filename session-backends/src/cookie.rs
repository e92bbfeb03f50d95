//! Whole-session cookie stores: no server at all, the cookie carries the
//! session record.
//!
//! * [`SignedCookieStore`]: the record is readable by the client and signed
//!   with HMAC-SHA256. The MAC binds the cookie name and purpose (A3, A4;
//!   `cookie`'s signed jar binds neither), the token carries issued-at and
//!   expiry, checked on the server (C6, C7: fixes Django #19201).
//!   `#[session(private)]` fields stay sealed with AES-256-GCM inside it.
//!   The record is the binary form of
//!   [`Record::to_bytes`](session_core::store::Record::to_bytes): fields are
//!   sliced out, not parsed, until read. Each field of 1 KiB or more is
//!   deflated on its own when that pays, once, when it is written, and
//!   travels deflated until it changes, so a request that touches another
//!   field neither inflates nor deflates it; the whole payload is deflated
//!   too when it still reaches 2 KiB (F7).
//! * [`EncryptedCookieStore`]: the record is sealed with AES-256-GCM, name
//!   and purpose bound as associated data. No compression unless opted in
//!   ([`EncryptedCookieStore::with_compression`]): compressing secrets next
//!   to attacker-influenced data leaks them through length (CRIME/BREACH).
//!
//! Both implement [`Backend`] directly. A token made under a fallback key
//! still loads and is re-sealed under the current key in the same response
//! (E1, E2). A cookie whose `name=value` would pass 4096 bytes is an
//! [`Error::TooLarge`] naming the size and the remedy, never a cookie the
//! browser silently drops (F1); a warning is logged from 3 KiB (F3).
//! Incoming values over 4096 bytes are dropped before any crypto (F6).
//! Splitting a large session over several cookies is not offered: keep
//! large data in a server-side store and only its key in the session.
//!
//! Every cookie session carries a random 128-bit serial under the reserved
//! key `_sid` (renewed by `cycle_key`, so login always changes the cookie);
//! it counts as a field for `State::keys` and `is_empty`.
//! Concurrent responses are last-writer-wins at the browser (H10): two
//! tabs that change different fields at once keep only one change.
//!
//! # The replay caveat, and its remedy
//!
//! Like every cookie session (Django's "no freshness guarantee"), a cookie
//! stays valid until it expires, even after logout or `cycle_key`: whoever
//! kept a copy of an old cookie can replay it. Keep `max_age` short for
//! cookie sessions, or turn on [`Revocations`]: each cookie session
//! carries a random serial (`_sid`, renewed by `cycle_key`); with
//! revocations on, `flush` and `cycle_key` record the old
//! serial in a small server-side list until the old cookie would have
//! expired anyway, and a cookie whose serial is listed loads as an empty
//! session (D8). The list holds only logged-out serials, so it stays small.
//!
//! # Examples
//!
//! ```
//! use session_backends::cookie::SignedCookieStore;
//! use session_core::key::Key;
//! use session_core::web::SessionLayer;
//!
//! let key = Key::from_secret(b"a long random secret from the environment, 32+ bytes").unwrap();
//! let layer = SessionLayer::new(SignedCookieStore::new(key));
//! # let _ = layer;
//! ```

use std::sync::Arc;
use std::time::Duration;

use session_core::clock::Timestamp;
use session_core::config::Config;
use session_core::envelope::{Codec, Compression, Context, Form, Times};
use session_core::error::EnvelopeError;
use session_core::id::Id;
use session_core::key::KeyRing;
use session_core::session::Handle;
use session_core::state::State;
use session_core::web::{
    Backend, CookieAction, Cx, Error, Event, Loaded, MAX_COOKIE_LEN, WARN_COOKIE_LEN,
};

use crate::revocation;
pub use crate::revocation::Revocations;

/// The configuration has no keys, so nothing can be signed or sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a cookie session store needs keys: build the Config with `Config::with_keys(...)`")]
pub struct NoKeys;

#[derive(Debug, Clone)]
struct Inner {
    config: Arc<Config>,
    mode: Form,
    revocations: Option<Revocations>,
}

/// A whole session in a signed (readable, unforgeable) cookie. See the
/// [module docs](self).
#[derive(Debug, Clone)]
pub struct SignedCookieStore(Inner);

/// A whole session in an encrypted (unreadable, unforgeable) cookie. See the
/// [module docs](self).
#[derive(Debug, Clone)]
pub struct EncryptedCookieStore(Inner);

impl Inner {
    fn new(config: Config, mode: Form) -> Result<Self, NoKeys> {
        if config.codec().is_none() {
            return Err(NoKeys);
        }
        Ok(Inner {
            config: Arc::new(config),
            mode,
            revocations: None,
        })
    }

    fn codec(&self) -> &Codec {
        self.config
            .codec()
            .expect("cookie stores are only built with keys")
    }

    /// Verifies or opens `value`: the session, and whether it was made
    /// under a fallback key. Failures are the event to report. The state
    /// goes into its handle here, where it is made: one move of it fewer.
    fn open(&self, cx: &Cx<'_>, value: &str, now: Timestamp) -> Result<(Handle, bool), Event> {
        let ctx = Context::cookie(cx.cookie_name);
        let opened = match self.mode {
            Form::Signed => self.codec().verify(&ctx, value, now),
            Form::Sealed => self.codec().open(&ctx, value, now),
        };
        let opened = opened.map_err(|e| match e {
            EnvelopeError::Expired => Event::Expired,
            EnvelopeError::TooLarge { len, max } => Event::SizeExceeded {
                size: len,
                limit: max,
                incoming: true,
            },
            _ => Event::TamperDetected,
        })?;
        // The envelope's authenticated expiry was checked above (C6, C7);
        // the record's own copy of it is the same instant. A valid MAC over
        // bytes that are not a record: refuse (A6). Read straight into the
        // session state (binary record format: fields are sliced out of
        // the payload, not parsed until read).
        let state = State::from_bytes_at(Arc::clone(&self.config), None, opened.payload, now)
            .map_err(|_| Event::TamperDetected)?;
        Ok((Handle::new(state), opened.rotated))
    }

    async fn load(&self, value: &str, cx: &Cx<'_>) -> Result<Option<Loaded>, Error> {
        let now = self.config.clock().now();
        let (handle, reissue) = match self.open(cx, value, now) {
            Ok(r) => r,
            Err(event) => {
                cx.events.emit(event);
                return Ok(None);
            }
        };
        if let Some(revocations) = &self.revocations {
            let serial = revocation::serial(&handle.lock());
            if let Some(serial) = serial {
                if revocations.is_revoked(&serial).await? {
                    cx.events.emit(Event::Revoked);
                    return Ok(None);
                }
            }
        }
        Ok(Some(Loaded { handle, reissue }))
    }

    async fn commit(&self, handle: &Handle, cx: &Cx<'_>) -> Result<CookieAction, Error> {
        // The clock is read once: by the save below (as the record's
        // modification time), or here when nothing is saved.
        let mut now = None;
        let (record, ended) = {
            let mut s = handle.lock();
            let ended = match (&self.revocations, cx.loaded_from) {
                (Some(_), Some(incoming)) if s.is_flushed() || s.is_cycled() => {
                    // The serial the incoming cookie carried (a flushed
                    // state no longer holds it).
                    let at = *now.get_or_insert_with(|| self.config.clock().now());
                    self.incoming_serial(cx, incoming, at)
                        .map(|serial| (serial, s.expiry_date()))
                }
                _ => None,
            };
            if s.is_flushed() {
                (None, ended)
            } else {
                let stored = !s.is_new();
                if !s.wants_save(stored, cx.reissue || cx.save_every_request) {
                    return Ok(CookieAction::Nothing);
                }
                // Every cookie session carries a serial, renewed by
                // `cycle_key`: the cookie changes at login even if the data
                // does not, and revocation (if on) can name it.
                if s.is_cycled() || !revocation::has_serial(&s) {
                    revocation::new_serial(&mut s, &self.config.ids().generate());
                }
                // Large fields are deflated on their own, once, when
                // written (signed mode; sealed only if opted in): a request
                // that does not touch them neither deflates nor inflates.
                let deflate = self
                    .codec()
                    .compression()
                    .field_threshold_for(self.mode == Form::Sealed);
                let json = s.to_bytes_deflating(deflate)?;
                // The save stamped the record with the current time.
                let meta = *s.meta();
                let at = *now.insert(meta.modified);
                let expires_at = s.policy().expires_at(&meta);
                let max_age = s.policy().cookie_max_age(&meta, at);
                (Some((json, expires_at, max_age)), ended)
            }
        };
        let now = now.unwrap_or_else(|| self.config.clock().now());
        self.revoke(ended, now).await?;
        let Some((json, expires_at, max_age)) = record else {
            return Ok(CookieAction::Remove); // flushed
        };
        let buf = self.seal(cx, &json, expires_at, now, max_age)?;
        let at = cx.set_cookie_prefix();
        Ok(CookieAction::SetAsciiAt { buf, at, max_age })
    }

    fn incoming_serial(&self, cx: &Cx<'_>, incoming: &str, now: Timestamp) -> Option<Id> {
        let (handle, _) = self.open(cx, incoming, now).ok()?;
        revocation::serial(&handle.lock())
    }

    async fn revoke(&self, ended: Option<(Id, Timestamp)>, now: Timestamp) -> Result<(), Error> {
        if let (Some(revocations), Some((serial, until))) = (&self.revocations, ended) {
            revocations.revoke(&serial, until, now).await?;
        }
        Ok(())
    }

    /// Signs or seals the record, refusing a cookie over the limit (F1):
    /// the token after [`Cx::set_cookie_prefix`] bytes of room.
    fn seal(
        &self,
        cx: &Cx<'_>,
        json: &[u8],
        expires_at: Timestamp,
        now: Timestamp,
        max_age: Option<Duration>,
    ) -> Result<Vec<u8>, Error> {
        let times = Times {
            issued_at: now,
            expires_at,
        };
        let ctx = Context::cookie(cx.cookie_name);
        let (room, at) = (cx.set_cookie_room(max_age), cx.set_cookie_prefix());
        // With room for the layer to write the Set-Cookie line around the
        // token, in its buffer: `name=` before it, the attributes after.
        let buf = self
            .codec()
            .make_ascii_at(self.mode, &ctx, times, json, at, room - at);
        let size = cx.cookie_name.len() + 1 + (buf.len() - at);
        if size > MAX_COOKIE_LEN {
            cx.events.emit(Event::SizeExceeded {
                size,
                limit: MAX_COOKIE_LEN,
                incoming: false,
            });
            return Err(Error::TooLarge {
                name: cx.cookie_name.to_owned(),
                size,
                limit: MAX_COOKIE_LEN,
            });
        }
        if size >= WARN_COOKIE_LEN {
            tracing::warn!(
                size,
                limit = MAX_COOKIE_LEN,
                "session cookie is close to the size limit (F3)"
            );
        }
        Ok(buf)
    }
}

macro_rules! cookie_store {
    ($ty:ident, $mode:expr) => {
        impl $ty {
            /// A store signing or sealing with `keys` (current key plus
            /// fallbacks), the system clock and the default policy.
            pub fn new(keys: impl Into<KeyRing>) -> Self {
                $ty(Inner::new(Config::new().with_keys(keys), $mode)
                    .expect("a config built with keys has a codec"))
            }

            /// A store with a full configuration (clock, policy, keys).
            ///
            /// # Errors
            ///
            /// [`NoKeys`] if `config` has no keys.
            pub fn from_config(config: Config) -> Result<Self, NoKeys> {
                Inner::new(config, $mode).map($ty)
            }

            /// Turns on revocation (D8): `flush` and `cycle_key` really end
            /// the old cookie. See the [module docs](self).
            #[must_use]
            pub fn with_revocations(mut self, revocations: Revocations) -> Self {
                self.0.revocations = Some(revocations);
                self
            }

            /// The shared configuration.
            pub fn config(&self) -> &Arc<Config> {
                &self.0.config
            }
        }

        impl Backend for $ty {
            /// The incoming cookie is read at commit only to revoke its
            /// serial: without revocations the layer keeps no copy.
            fn reads_loaded_from(&self) -> bool {
                self.0.revocations.is_some()
            }

            /// Without revocations nothing is awaited (signing, sealing
            /// and opening run in place): the layer then runs loads and
            /// commits without boxing them.
            fn is_immediate(&self) -> bool {
                self.0.revocations.is_none()
            }

            fn config(&self) -> &Arc<Config> {
                &self.0.config
            }

            fn config_mut(&mut self) -> &mut Config {
                Arc::make_mut(&mut self.0.config)
            }

            async fn load(&self, value: &str, cx: &Cx<'_>) -> Result<Option<Loaded>, Error> {
                self.0.load(value, cx).await
            }

            async fn commit(&self, handle: &Handle, cx: &Cx<'_>) -> Result<CookieAction, Error> {
                self.0.commit(handle, cx).await
            }
        }
    };
}

cookie_store!(SignedCookieStore, Form::Signed);
cookie_store!(EncryptedCookieStore, Form::Sealed);

impl EncryptedCookieStore {
    /// Opts in to compressing the sealed record when it pays. Off by
    /// default: only turn it on if no field mixes a secret with data an
    /// attacker can influence (CRIME/BREACH length leaks).
    #[must_use]
    pub fn with_compression(mut self, on: bool) -> Self {
        let config = Arc::make_mut(&mut self.0.config);
        let codec = config
            .codec()
            .expect("cookie stores are only built with keys")
            .clone()
            .with_compression(Compression {
                sealed: on,
                ..Compression::default()
            });
        *config = config.clone().with_codec(codec);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use session_core::key::Key;

    /// Without revocations a cookie store awaits nothing and never reads
    /// the incoming cookie at commit, so the layer runs it in place and
    /// keeps no copy; with them, it is boxed and the cookie is kept (D8).
    #[test]
    fn in_place_only_without_revocations() {
        let signed = SignedCookieStore::new(Key::generate());
        let sealed = EncryptedCookieStore::new(Key::generate());
        assert!(signed.is_immediate() && !signed.reads_loaded_from());
        assert!(sealed.is_immediate() && !sealed.reads_loaded_from());
        let revoking = |_| Revocations::new(MemoryStore::new(10));
        let signed = signed.with_revocations(revoking(()));
        let sealed = sealed.with_revocations(revoking(()));
        assert!(!signed.is_immediate() && signed.reads_loaded_from());
        assert!(!sealed.is_immediate() && sealed.reads_loaded_from());
    }
}
