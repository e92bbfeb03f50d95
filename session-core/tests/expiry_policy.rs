//! Expiry rules through [`Policy`] directly and through a [`Handle`] with a
//! fake clock (C1–C4, C8–C10, C13, B7). The store-backed half of the
//! expiry suite is in the workspace `tests` crate (`tests/expiry.rs`).

use std::sync::Arc;
use std::time::Duration;

use session_core::clock::{FakeClock, Timestamp};
use session_core::expiry::{DEFAULT_AGE, Expiry, MAX_COOKIE_AGE, Meta, Policy, is_expired};
use session_core::{Config, Handle};

const T0: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);
const DAY: Duration = Duration::from_secs(24 * 3600);

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn meta(expiry: Expiry) -> Meta {
    Meta {
        expiry,
        ..Meta::new(T0)
    }
}

fn handle(policy: Policy) -> (Handle, FakeClock) {
    let clock = FakeClock::new(T0);
    let config = Config::new()
        .with_clock(Arc::new(clock.clone()))
        .with_policy(policy);
    (Handle::empty(Arc::new(config)), clock)
}

/// C1: the default age is Django's 14 days; a browser session has no
/// Max-Age, but the server still enforces the default age.
#[test]
fn default_and_browser_session_c1() {
    let p = Policy::default();
    assert_eq!(p.default_age, secs(1_209_600));
    assert_eq!(DEFAULT_AGE, 14 * DAY);
    let m = meta(Expiry::Default);
    assert_eq!(p.expires_at(&m), T0.saturating_add(14 * DAY));
    assert_eq!(p.expiry_age(&m, T0), 14 * DAY);
    assert_eq!(p.cookie_max_age(&m, T0), Some(14 * DAY));

    let browser = meta(Expiry::from_seconds(0, T0));
    assert_eq!(browser.expiry, Expiry::BrowserSession);
    assert_eq!(p.cookie_max_age(&browser, T0), None);
    assert!(p.expire_at_browser_close(&browser));
    assert_eq!(p.expires_at(&browser), T0.saturating_add(14 * DAY));
}

/// C2: seconds and datetimes give exact ages and dates, from an injected
/// "now" (expiry_age counts from now, the date from the modification).
#[test]
fn custom_expiry_exact_c2() {
    let p = Policy::default();
    let idle = meta(Expiry::from_seconds(10, T0));
    assert_eq!(idle.expiry, Expiry::Idle(secs(10)));
    assert_eq!(p.expires_at(&idle), T0.saturating_add(secs(10)));
    assert_eq!(p.expiry_age(&idle, T0), secs(10));
    assert_eq!(p.expiry_age(&idle, T0.saturating_add(secs(4))), secs(6));
    assert_eq!(p.cookie_max_age(&idle, T0), Some(secs(10)));

    let at = T0.saturating_add(secs(3600));
    let fixed = meta(Expiry::At(at));
    assert_eq!(p.expires_at(&fixed), at);
    assert_eq!(p.expiry_age(&fixed, T0), secs(3600));
    assert_eq!(
        p.expiry_age(&fixed, at.saturating_add(secs(1))),
        Duration::ZERO
    );

    // Through a handle: the age and date follow the fake clock.
    let (h, clock) = handle(Policy::default());
    h.set_expiry(Expiry::Idle(secs(10)));
    assert_eq!(h.expiry_age(), secs(10));
    assert_eq!(h.expiry_date(), T0.saturating_add(secs(10)));
    clock.advance(secs(5));
    assert_eq!(h.expiry_date(), T0.saturating_add(secs(15)));
    h.set_expiry(Expiry::At(at));
    assert_eq!(h.expiry_date(), at);
    assert_eq!(h.expiry_age(), secs(3595));
}

/// C3: back to the default after a custom value.
#[test]
fn reset_to_default_c3() {
    let (h, _) = handle(Policy::default());
    h.set_expiry(Expiry::Idle(secs(10)));
    assert_eq!(h.expiry_age(), secs(10));
    h.set_expiry(Expiry::Default);
    assert_eq!(h.expiry_age(), 14 * DAY);
    assert!(!h.expire_at_browser_close());
}

/// C4: the 2×3 matrix of the global setting against per-session 10, 0 and
/// the default, as in Django's `test_get_expire_at_browser_close`.
#[test]
fn browser_close_matrix_c4() {
    for global in [false, true] {
        let p = Policy {
            expire_at_browser_close: global,
            ..Policy::default()
        };
        let ten = meta(Expiry::from_seconds(10, T0));
        let zero = meta(Expiry::from_seconds(0, T0));
        let none = meta(Expiry::Default);
        assert!(!p.expire_at_browser_close(&ten), "global={global}, 10");
        assert!(p.expire_at_browser_close(&zero), "global={global}, 0");
        assert_eq!(
            p.expire_at_browser_close(&none),
            global,
            "global={global}, None"
        );
        assert_eq!(p.cookie_max_age(&ten, T0), Some(secs(10)));
        assert_eq!(p.cookie_max_age(&zero, T0), None);
        assert_eq!(p.cookie_max_age(&none, T0).is_none(), global);
        // The server-side age never depends on the cookie kind.
        assert_eq!(p.expires_at(&none), T0.saturating_add(14 * DAY));
    }
}

/// C8: inclusive boundary, and a sub-second expiry is not expired at once.
#[test]
fn boundary_c8() {
    let t = T0.saturating_add(secs(60));
    assert!(!is_expired(t, t));
    assert!(!is_expired(
        t,
        Timestamp::from_unix_millis(t.unix_millis() - 1)
    ));
    assert!(is_expired(
        t,
        Timestamp::from_unix_millis(t.unix_millis() + 1)
    ));

    let p = Policy::default();
    let m = meta(Expiry::Idle(Duration::from_millis(500)));
    let at = p.expires_at(&m);
    assert_eq!(at, Timestamp::from_unix_millis(T0.unix_millis() + 500));
    assert!(!is_expired(at, T0));
    assert_eq!(p.expiry_age(&m, T0), Duration::from_millis(500));
}

/// C9: the policy's idle cap bounds every expiry by the last modification.
#[test]
fn idle_cap_c9() {
    let p = Policy {
        idle: Some(secs(1800)),
        ..Policy::default()
    };
    for e in [Expiry::Default, Expiry::BrowserSession, Expiry::Idle(DAY)] {
        assert_eq!(p.expires_at(&meta(e)), T0.saturating_add(secs(1800)));
    }
    // A shorter own expiry still wins.
    assert_eq!(
        p.expires_at(&meta(Expiry::Idle(secs(60)))),
        T0.saturating_add(secs(60))
    );
    // Activity (a later modification) moves the idle deadline.
    let later = Meta {
        modified: T0.saturating_add(secs(1000)),
        ..meta(Expiry::Default)
    };
    assert_eq!(p.expires_at(&later), T0.saturating_add(secs(2800)));
}

/// C10: the absolute cap counts from creation; activity cannot extend it.
#[test]
fn absolute_cap_c10() {
    let p = Policy {
        idle: Some(secs(1800)),
        absolute: Some(secs(3600)),
        ..Policy::default()
    };
    for minutes in [0u64, 20, 40, 59, 120] {
        let m = Meta {
            modified: T0.saturating_add(secs(minutes * 60)),
            ..meta(Expiry::Idle(DAY))
        };
        let idle_deadline = m.modified.saturating_add(secs(1800));
        let cap = T0.saturating_add(secs(3600));
        assert_eq!(p.expires_at(&m), idle_deadline.min(cap), "{minutes} min");
        assert!(p.expires_at(&m) <= cap);
    }
}

/// C13: Max-Age is capped at 400 days, whatever the configured age.
#[test]
fn max_age_capped_at_400_days_c13() {
    assert_eq!(MAX_COOKIE_AGE, 400 * DAY);
    let long = Policy {
        default_age: 1000 * DAY,
        ..Policy::default()
    };
    assert_eq!(
        long.cookie_max_age(&meta(Expiry::Default), T0),
        Some(400 * DAY)
    );
    let p = Policy::default();
    let far = meta(Expiry::At(T0.saturating_add(1000 * DAY)));
    assert_eq!(p.cookie_max_age(&far, T0), Some(400 * DAY));
    // The server-side expiry itself is not shortened.
    assert_eq!(p.expires_at(&far), T0.saturating_add(1000 * DAY));
    let just = meta(Expiry::Idle(400 * DAY));
    assert_eq!(p.cookie_max_age(&just, T0), Some(400 * DAY));
}

/// B7: huge and negative values saturate, never panic.
#[test]
fn huge_values_saturate_b7() {
    let huge = Policy {
        default_age: Duration::MAX,
        idle: Some(Duration::MAX),
        absolute: Some(Duration::MAX),
        expire_at_browser_close: false,
    };
    for e in [
        Expiry::Default,
        Expiry::BrowserSession,
        Expiry::Idle(Duration::MAX),
        Expiry::At(Timestamp::MAX),
        Expiry::At(Timestamp::MIN),
        Expiry::from_seconds(i64::MAX, T0),
        Expiry::from_seconds(i64::MIN, T0),
        Expiry::from_seconds(-1, T0),
    ] {
        for p in [huge, Policy::default()] {
            for m in [
                meta(e),
                Meta {
                    created: Timestamp::MAX,
                    modified: Timestamp::MAX,
                    expiry: e,
                },
            ] {
                for now in [T0, Timestamp::MIN, Timestamp::MAX] {
                    let at = p.expires_at(&m);
                    let age = p.expiry_age(&m, now);
                    if let Some(max) = p.cookie_max_age(&m, now) {
                        assert!(max <= MAX_COOKIE_AGE);
                    }
                    assert!(age <= Duration::from_millis(u64::MAX));
                    let _ = is_expired(at, now);
                }
            }
        }
    }
    assert_eq!(
        Policy::default().expires_at(&meta(Expiry::Idle(Duration::MAX))),
        Timestamp::MAX
    );
    assert!(is_expired(
        Policy::default().expires_at(&meta(Expiry::from_seconds(i64::MIN, T0))),
        T0
    ));
    assert!(is_expired(
        Policy::default().expires_at(&meta(Expiry::from_seconds(-1, T0))),
        T0
    ));
    // Through a handle with a clock at the extremes.
    let (h, clock) = handle(huge);
    for t in [Timestamp::MAX, Timestamp::MIN] {
        clock.set(t);
        h.set_expiry(Expiry::Idle(Duration::MAX));
        let _ = (h.expiry_age(), h.expiry_date());
        h.set_expiry(Expiry::At(Timestamp::MIN));
        assert_eq!(h.expiry_date(), Timestamp::MIN);
    }
}
