//! Expiry: when a session (or one field of it) stops being served.
//!
//! A session's expiry is computed from its [`Meta`] and the [`Policy`] in
//! force, with Django's semantics and two additions:
//!
//! | [`Expiry`] | expires at | cookie |
//! |---|---|---|
//! | `Default` | last modification + `default_age` | `Max-Age`, or none if the policy says "expire at browser close" |
//! | `Idle(d)` | last modification + `d` | `Max-Age` |
//! | `At(t)` | `t` | `Max-Age` |
//! | `BrowserSession` | last modification + `default_age` (the server still enforces it, C1) | no `Max-Age` |
//!
//! Then the policy's caps apply: `idle` (inactivity) and `absolute` (since
//! creation; activity cannot extend it, C10). A session is served while
//! `now <= expires_at` — the boundary is inclusive, as Django's `max_age`
//! check is (C8). `Max-Age` is capped at 400 days (C13). All arithmetic
//! saturates (B7).

use std::time::Duration;

use crate::clock::Timestamp;

/// Django's default session age: 14 days.
pub const DEFAULT_AGE: Duration = Duration::from_secs(14 * 24 * 3600);
/// Browsers cap cookie lifetimes at 400 days (RFC 6265bis).
pub const MAX_COOKIE_AGE: Duration = Duration::from_secs(400 * 24 * 3600);

/// A session's own expiry setting (`set_expiry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Expiry {
    /// The policy's default age (Django's `set_expiry(None)`).
    #[default]
    #[serde(rename = "d")]
    Default,
    /// Expire after this much inactivity (Django's `set_expiry(seconds)`).
    #[serde(rename = "i")]
    Idle(Duration),
    /// Expire at this instant (Django's `set_expiry(datetime)`).
    #[serde(rename = "a")]
    At(Timestamp),
    /// Expire when the browser closes (Django's `set_expiry(0)`); the server
    /// still enforces the default age.
    #[serde(rename = "b")]
    BrowserSession,
}

impl Expiry {
    /// Django's integer form: `0` is a browser session, a positive number is
    /// that many seconds of inactivity, a negative number is already expired.
    pub fn from_seconds(seconds: i64, now: Timestamp) -> Self {
        match seconds {
            0 => Expiry::BrowserSession,
            s if s > 0 => Expiry::Idle(Duration::from_secs(s.unsigned_abs())),
            s => Expiry::At(now.saturating_sub(Duration::from_secs(s.unsigned_abs()))),
        }
    }
}

/// When a session was created and last modified, and its own expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// When the session was first saved.
    #[serde(rename = "c")]
    pub created: Timestamp,
    /// When it was last saved.
    #[serde(rename = "m")]
    pub modified: Timestamp,
    /// Its own expiry setting.
    #[serde(rename = "e", default)]
    pub expiry: Expiry,
}

impl Meta {
    /// Metadata of a session created at `now`.
    pub const fn new(now: Timestamp) -> Self {
        Meta {
            created: now,
            modified: now,
            expiry: Expiry::Default,
        }
    }
}

/// The expiry rules in force: the application's settings combined with the
/// session struct's `#[session(max_age, idle, absolute)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Age of a session with [`Expiry::Default`] (Django's
    /// `SESSION_COOKIE_AGE`). Default 14 days.
    pub default_age: Duration,
    /// Inactivity cap applied to every session, whatever its own expiry.
    pub idle: Option<Duration>,
    /// Absolute cap since creation, which activity cannot extend.
    pub absolute: Option<Duration>,
    /// Django's `SESSION_EXPIRE_AT_BROWSER_CLOSE`.
    pub expire_at_browser_close: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            default_age: DEFAULT_AGE,
            idle: None,
            absolute: None,
            expire_at_browser_close: false,
        }
    }
}

impl Policy {
    /// The last instant at which a session with `meta` is served.
    pub fn expires_at(&self, meta: &Meta) -> Timestamp {
        let mut at = match meta.expiry {
            Expiry::Default | Expiry::BrowserSession => {
                meta.modified.saturating_add(self.default_age)
            }
            Expiry::Idle(d) => meta.modified.saturating_add(d),
            Expiry::At(t) => t,
        };
        if let Some(idle) = self.idle {
            at = at.min(meta.modified.saturating_add(idle));
        }
        if let Some(abs) = self.absolute {
            at = at.min(meta.created.saturating_add(abs));
        }
        at
    }

    /// Time left until expiry, zero if already past (Django's
    /// `get_expiry_age`).
    pub fn expiry_age(&self, meta: &Meta, now: Timestamp) -> Duration {
        self.expires_at(meta).since(now)
    }

    /// Whether the cookie should be a browser-session cookie (Django's
    /// `get_expire_at_browser_close`, C4).
    pub fn expire_at_browser_close(&self, meta: &Meta) -> bool {
        match meta.expiry {
            Expiry::Default => self.expire_at_browser_close,
            Expiry::BrowserSession => true,
            Expiry::Idle(_) | Expiry::At(_) => false,
        }
    }

    /// The cookie's `Max-Age`: `None` for a browser-session cookie, else the
    /// time left, capped at 400 days (C13).
    pub fn cookie_max_age(&self, meta: &Meta, now: Timestamp) -> Option<Duration> {
        if self.expire_at_browser_close(meta) {
            None
        } else {
            Some(self.expiry_age(meta, now).min(MAX_COOKIE_AGE))
        }
    }
}

/// Whether something that expires at `expires_at` is expired at `now`.
/// Inclusive boundary: still valid at exactly `expires_at` (C8).
pub fn is_expired(expires_at: Timestamp, now: Timestamp) -> bool {
    now > expires_at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_seconds_matches_django() {
        let now = Timestamp::from_unix_seconds(1000);
        assert_eq!(Expiry::from_seconds(0, now), Expiry::BrowserSession);
        assert_eq!(
            Expiry::from_seconds(10, now),
            Expiry::Idle(Duration::from_secs(10))
        );
        assert_eq!(
            Expiry::from_seconds(-10, now),
            Expiry::At(Timestamp::from_unix_seconds(990))
        );
        assert_eq!(
            Expiry::from_seconds(i64::MIN, now),
            Expiry::At(
                Timestamp::from_unix_seconds(1000)
                    .saturating_sub(Duration::from_secs(i64::MIN.unsigned_abs()))
            )
        );
    }
}
