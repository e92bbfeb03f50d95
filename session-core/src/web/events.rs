//! Lifecycle events: typed callbacks for "session started / ended" and for
//! security signals, plus a `tracing` event for each.
//!
//! Events never carry a secret, a cookie value or a whole id: at most the
//! id's [`log_tag`](crate::id::Id::log_tag) (a keyed hash prefix, A12).

use std::fmt;
use std::sync::Arc;

/// Something that happened to a session during a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A new session was saved for the first time (its cookie is being set).
    Created {
        /// The new id's log tag (server stores) or `None` (cookie stores).
        tag: Option<String>,
    },
    /// The session got a new id (or a fresh cookie) keeping its data
    /// (`cycle_key`, login).
    Cycled {
        /// The new id's log tag, if the backend has ids.
        tag: Option<String>,
    },
    /// The session was flushed (logout): record and cookie deleted.
    Flushed,
    /// An incoming session had expired and was replaced by an empty one.
    /// Reported by cookie stores, whose token says so; a server store's
    /// `load` does not tell expired from unknown, so those report
    /// [`Event::UnknownId`].
    Expired,
    /// An incoming session was made under a fallback key and is re-sealed
    /// under the current key (E2).
    Resealed,
    /// An incoming session cookie failed verification (tampered, wrong key,
    /// wrong cookie name, malformed): an empty session was used (A1, A12).
    TamperDetected,
    /// An authentic cookie session that was logged out or cycled away and
    /// is replayed: refused (cookie stores with revocation, D8).
    Revoked,
    /// A well-formed id that the store does not know (or that expired
    /// there); never adopted (D1).
    UnknownId,
    /// A cookie over the size limit: incoming ones are dropped unread (F6),
    /// outgoing ones are an error (F1).
    SizeExceeded {
        /// `name=value` length in bytes.
        size: usize,
        /// The limit.
        limit: usize,
        /// True for a cookie that came with the request.
        incoming: bool,
    },
}

type Callback = dyn Fn(&Event) + Send + Sync;

/// Where events go: an optional callback, and always `tracing`.
#[derive(Clone, Default)]
pub struct Events(Option<Arc<Callback>>);

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Events(callback)"
        } else {
            "Events(tracing only)"
        })
    }
}

impl Events {
    /// Events delivered to `callback` (and to `tracing`).
    pub fn new(callback: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        Events(Some(Arc::new(callback)))
    }

    /// Reports the event `make` builds, building it only if a callback or
    /// a `tracing` subscriber at debug level would see it (for events whose
    /// fields cost something to compute, such as an id's log tag).
    pub(crate) fn emit_with(&self, make: impl FnOnce() -> Event) {
        if self.wants_lifecycle() {
            self.emit(make());
        }
    }

    /// Whether a callback or a `tracing` subscriber at debug level would
    /// see the lifecycle events (created, cycled, flushed): if not, what
    /// they report need not be gathered.
    pub(crate) fn wants_lifecycle(&self) -> bool {
        self.0.is_some() || tracing::enabled!(tracing::Level::DEBUG)
    }

    /// Reports `event`.
    pub fn emit(&self, event: Event) {
        match &event {
            Event::TamperDetected => {
                tracing::warn!(target: "session::security", "session cookie failed verification; using an empty session");
            }
            Event::UnknownId => {
                tracing::info!(target: "session::security", "unknown session id presented; not adopted");
            }
            Event::SizeExceeded {
                size,
                limit,
                incoming,
            } => {
                tracing::warn!(target: "session::security", size, limit, incoming, "session cookie over the size limit");
            }
            Event::Revoked => {
                tracing::warn!(target: "session::security", "revoked session cookie replayed; using an empty session");
            }
            Event::Expired => tracing::debug!("expired session replaced by an empty one"),
            Event::Resealed => tracing::info!("session re-sealed under the current key"),
            Event::Created { tag } => tracing::debug!(tag = tag.as_deref(), "session created"),
            Event::Cycled { tag } => tracing::debug!(tag = tag.as_deref(), "session id cycled"),
            Event::Flushed => tracing::debug!("session flushed"),
        }
        if let Some(cb) = &self.0 {
            cb(&event);
        }
    }
}
