//! The per-application part of sessions, shared by every session: clock, key
//! ring, expiry policy and id source.

use std::sync::Arc;

use crate::clock::{self, SharedClock};
use crate::envelope::Codec;
use crate::expiry::Policy;
use crate::id::{IdGenerator, OsIds};
use crate::key::KeyRing;

/// Settings shared by all sessions of an application.
///
/// # Examples
///
/// ```
/// use session_core::config::Config;
/// use session_core::key::Key;
///
/// let config = Config::new().with_keys(Key::generate());
/// assert!(config.codec().is_some());
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    clock: SharedClock,
    codec: Option<Codec>,
    policy: Policy,
    ids: Arc<dyn IdGenerator>,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

impl Config {
    /// System clock, no keys, Django's default policy (14 days), OS ids.
    pub fn new() -> Self {
        Config {
            clock: clock::system(),
            codec: None,
            policy: Policy::default(),
            ids: Arc::new(OsIds),
        }
    }

    /// Sets the keys used for private fields (and by cookie stores).
    #[must_use]
    pub fn with_keys(mut self, ring: impl Into<KeyRing>) -> Self {
        self.codec = Some(Codec::new(ring));
        self
    }

    /// Sets a fully configured codec.
    #[must_use]
    pub fn with_codec(mut self, codec: Codec) -> Self {
        self.codec = Some(codec);
        self
    }

    /// Sets the clock (tests use [`crate::clock::FakeClock`]).
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the expiry policy.
    #[must_use]
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets where new ids come from (tests use [`crate::id::SeededIds`]).
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// The clock.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The codec, if keys were configured.
    pub fn codec(&self) -> Option<&Codec> {
        self.codec.as_ref()
    }

    /// The expiry policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The expiry policy, to change in place.
    pub fn policy_mut(&mut self) -> &mut Policy {
        &mut self.policy
    }

    /// The id source.
    pub fn ids(&self) -> &dyn IdGenerator {
        &*self.ids
    }
}
