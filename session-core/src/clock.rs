//! Time: the one place that reads the wall clock.
//!
//! Every expiry decision in this crate takes a [`Timestamp`] from a [`Clock`].
//! Production code uses [`SystemClock`]; tests use [`FakeClock`] and move time
//! by hand, so boundary behaviour (SECURITY.md C8) is exact, not flaky.
//!
//! Arithmetic saturates: a huge `Max-Age` or an absurd datetime clamps to
//! [`Timestamp::MAX`] / [`Timestamp::MIN`] instead of panicking (B7).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time: milliseconds since the Unix epoch (UTC).
///
/// Milliseconds, not seconds, so that a sub-second expiry is not expired
/// instantly (C8). All arithmetic saturates.
///
/// # Examples
///
/// ```
/// use session_core::clock::Timestamp;
/// use std::time::Duration;
///
/// let t = Timestamp::from_unix_seconds(1_700_000_000);
/// assert_eq!(t.saturating_add(Duration::from_secs(60)).unix_seconds(), 1_700_000_060);
/// assert_eq!(Timestamp::MAX.saturating_add(Duration::from_secs(1)), Timestamp::MAX);
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest representable instant.
    pub const MIN: Timestamp = Timestamp(i64::MIN);
    /// The latest representable instant ("never").
    pub const MAX: Timestamp = Timestamp(i64::MAX);
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// A timestamp from milliseconds since the Unix epoch.
    pub const fn from_unix_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// A timestamp from whole seconds since the Unix epoch (saturating).
    pub const fn from_unix_seconds(s: i64) -> Self {
        Timestamp(s.saturating_mul(1000))
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the Unix epoch (rounded towards negative infinity).
    pub const fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This instant plus `d`, saturating at [`Timestamp::MAX`].
    #[must_use]
    pub fn saturating_add(self, d: Duration) -> Self {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(ms))
    }

    /// This instant minus `d`, saturating at [`Timestamp::MIN`].
    #[must_use]
    pub fn saturating_sub(self, d: Duration) -> Self {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_sub(ms))
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        let ms = self.0.saturating_sub(earlier.0).max(0);
        // `ms` is non-negative here, so the conversion cannot fail.
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// Converts to a [`SystemTime`], saturating at the ends of its range.
    pub fn to_system_time(self) -> SystemTime {
        if self.0 >= 0 {
            let d = Duration::from_millis(self.0.unsigned_abs());
            UNIX_EPOCH
                .checked_add(d)
                .unwrap_or(UNIX_EPOCH + Duration::from_secs(u32::MAX.into()))
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_millis(self.0.unsigned_abs()))
                .unwrap_or(UNIX_EPOCH)
        }
    }

    /// Converts from a [`SystemTime`], saturating at the ends of the range.
    pub fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            Err(e) => Timestamp(
                i64::try_from(e.duration().as_millis())
                    .map(|ms| -ms)
                    .unwrap_or(i64::MIN),
            ),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({}ms)", self.0)
    }
}

/// A source of the current time.
///
/// Implement it only to control time in tests; [`SystemClock`] and
/// [`FakeClock`] cover the usual needs.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The wall clock. This is the only code in the workspace that reads it.
///
/// On Linux it reads `CLOCK_REALTIME_COARSE` (the time of the last
/// scheduler tick, 1–4 ms old): a tenth of the cost of a precise reading
/// (about 4 ns against 50 ns on the benchmark machine), for a request that
/// reads the clock twice. Session times are kept in milliseconds and judged
/// against ages of seconds or more, so a few milliseconds of lag change
/// nothing a user can see; Django's signed cookies keep whole seconds.
/// Elsewhere it reads [`SystemTime::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(target_os = "linux")]
    fn now(&self) -> Timestamp {
        use rustix::time::{ClockId, clock_gettime};
        let t = clock_gettime(ClockId::RealtimeCoarse);
        Timestamp::from_unix_millis(
            t.tv_sec
                .saturating_mul(1000)
                .saturating_add(t.tv_nsec / 1_000_000),
        )
    }

    #[cfg(not(target_os = "linux"))]
    fn now(&self) -> Timestamp {
        Timestamp::from_system_time(SystemTime::now())
    }
}

/// A clock that moves only when told to. Clones share the same time.
///
/// # Examples
///
/// ```
/// use session_core::clock::{Clock, FakeClock, Timestamp};
/// use std::time::Duration;
///
/// let clock = FakeClock::new(Timestamp::from_unix_seconds(100));
/// clock.advance(Duration::from_millis(1500));
/// assert_eq!(clock.now().unix_millis(), 101_500);
/// ```
#[derive(Debug, Clone)]
pub struct FakeClock(Arc<AtomicI64>);

impl FakeClock {
    /// A fake clock standing at `start`.
    pub fn new(start: Timestamp) -> Self {
        FakeClock(Arc::new(AtomicI64::new(start.0)))
    }

    /// Moves the clock forward by `d` (saturating).
    pub fn advance(&self, d: Duration) {
        let now = self.now().saturating_add(d);
        self.0.store(now.0, Ordering::SeqCst);
    }

    /// Sets the clock to `t`.
    pub fn set(&self, t: Timestamp) {
        self.0.store(t.0, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// A shared clock handle, as stores and sessions hold it.
pub type SharedClock = Arc<dyn Clock>;

/// The default shared clock: the system clock.
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturates_instead_of_panicking_b7() {
        assert_eq!(Timestamp::MAX.saturating_add(Duration::MAX), Timestamp::MAX);
        assert_eq!(Timestamp::MIN.saturating_sub(Duration::MAX), Timestamp::MIN);
        assert_eq!(Timestamp::from_unix_seconds(i64::MAX), Timestamp::MAX);
        assert_eq!(Timestamp::from_unix_seconds(i64::MIN), Timestamp::MIN);
        assert_eq!(Timestamp::MIN.since(Timestamp::MAX), Duration::ZERO);
        let _ = Timestamp::MAX.to_system_time();
        let _ = Timestamp::MIN.to_system_time();
    }

    #[test]
    fn system_time_round_trip() {
        let t = Timestamp::from_unix_millis(1_700_000_000_123);
        assert_eq!(Timestamp::from_system_time(t.to_system_time()), t);
        let neg = Timestamp::from_unix_millis(-5_000);
        assert_eq!(Timestamp::from_system_time(neg.to_system_time()), neg);
    }

    #[test]
    fn system_clock_tracks_the_precise_wall_clock() {
        // The coarse clock lags by at most a scheduler tick (≤ 10 ms on any
        // kernel configuration) and never runs ahead.
        for _ in 0..1000 {
            let before = Timestamp::from_system_time(SystemTime::now());
            let now = SystemClock.now();
            let after = Timestamp::from_system_time(SystemTime::now());
            assert!(now <= after, "{now:?} ahead of {after:?}");
            assert!(
                before.since(now) <= Duration::from_millis(20),
                "{now:?} lags {before:?} by more than a tick"
            );
        }
    }

    #[test]
    fn unix_seconds_floors() {
        assert_eq!(Timestamp::from_unix_millis(-1).unix_seconds(), -1);
        assert_eq!(Timestamp::from_unix_millis(1999).unix_seconds(), 1);
    }
}
