//! Expiry suite through `Sessions` + `MemoryStore`, both on one fake clock
//! (C1–C5, C8–C13, B7, per-field max_age). The pure-policy half is in
//! `session-core/tests/expiry_policy.rs`; token expiry (C6, C7) in
//! `session-core/tests/tamper_cross.rs`.

mod common;

use std::time::Duration;

use common::{CART, DAY, MIN, OTP, T0, USER, new_session, saved, sessions};
use session_core::Outcome;
use session_core::clock::{Clock, Timestamp};
use session_core::expiry::{Expiry, Meta, Policy};
use session_core::store::{Record, Store};

const MS: Duration = Duration::from_millis(1);

/// C1, C8: default age 14 days (served at exactly 14 days, gone 1 ms
/// later); a browser session has no Max-Age but the same server-side age.
#[tokio::test]
async fn default_age_and_browser_session_c1_c8() {
    let (s, clock) = sessions(Policy::default());
    let h = s.create();
    h.set(&USER, "alice".to_owned());
    let (id, new_id, max_age) = saved(s.commit(&h).await.unwrap());
    assert!(new_id);
    assert_eq!(max_age, Some(14 * DAY));
    assert_eq!(
        s.store().load(&id).await.unwrap().unwrap().expires_at,
        T0.saturating_add(14 * DAY)
    );

    let b = s.create();
    b.set(&USER, "bob".to_owned());
    b.set_expiry(Expiry::from_seconds(0, clock.now()));
    assert!(b.expire_at_browser_close());
    let (bid, _, bmax) = saved(s.commit(&b).await.unwrap());
    assert_eq!(bmax, None, "browser-session cookie: no Max-Age");

    clock.advance(14 * DAY);
    assert!(s.load(&id).await.unwrap().is_some(), "inclusive boundary");
    assert!(s.load(&bid).await.unwrap().is_some());
    clock.advance(MS);
    assert!(s.load(&id).await.unwrap().is_none());
    assert!(
        s.load(&bid).await.unwrap().is_none(),
        "server enforces the age"
    );
}

/// C2, C3: seconds and datetimes give exact Max-Age and stored expiry;
/// then back to the default.
#[tokio::test]
async fn custom_expiry_and_reset_c2_c3() {
    let (s, clock) = sessions(Policy::default());
    let h = s.create();
    h.set(&USER, "alice".to_owned());
    h.set_expiry(Expiry::from_seconds(10, clock.now()));
    let (id, _, max_age) = saved(s.commit(&h).await.unwrap());
    assert_eq!(max_age, Some(Duration::from_secs(10)));
    let rec = s.store().load(&id).await.unwrap().unwrap();
    assert_eq!(rec.expires_at, T0.saturating_add(Duration::from_secs(10)));
    assert_eq!(rec.meta.expiry, Expiry::Idle(Duration::from_secs(10)));

    let at = T0.saturating_add(Duration::from_secs(3600));
    let h = s.load(&id).await.unwrap().unwrap();
    h.set_expiry(Expiry::At(at));
    assert_eq!(h.expiry_date(), at);
    let (_, _, max_age) = saved(s.commit(&h).await.unwrap());
    assert_eq!(max_age, Some(Duration::from_secs(3600)));
    assert_eq!(s.store().load(&id).await.unwrap().unwrap().expires_at, at);

    clock.advance(Duration::from_secs(60));
    let h = s.load(&id).await.unwrap().unwrap();
    assert_eq!(h.expiry_age(), Duration::from_secs(3540));
    h.set_expiry(Expiry::Default);
    let (_, _, max_age) = saved(s.commit(&h).await.unwrap());
    assert_eq!(max_age, Some(14 * DAY));
    assert_eq!(
        s.store().load(&id).await.unwrap().unwrap().expires_at,
        clock.now().saturating_add(14 * DAY)
    );
}

/// C4: global `expire_at_browser_close` × per-session 10, 0, default.
#[tokio::test]
async fn browser_close_matrix_c4() {
    for global in [false, true] {
        let policy = Policy {
            expire_at_browser_close: global,
            ..Policy::default()
        };
        let (s, clock) = sessions(policy);
        for (seconds, expected) in [
            (Some(10), Some(Duration::from_secs(10))),
            (Some(0), None),
            (None, if global { None } else { Some(14 * DAY) }),
        ] {
            let h = s.create();
            h.set(&USER, "u".to_owned());
            if let Some(sec) = seconds {
                h.set_expiry(Expiry::from_seconds(sec, clock.now()));
            }
            let (_, _, max_age) = saved(s.commit(&h).await.unwrap());
            assert_eq!(max_age, expected, "global={global}, seconds={seconds:?}");
        }
    }
}

/// C5: saved with an expiry in the past, the session is not served, and
/// its id is not reused for the next session.
#[tokio::test]
async fn past_expiry_not_served_c5() {
    let (s, clock) = sessions(Policy::default());
    let h = s.create();
    h.set(&USER, "alice".to_owned());
    h.set_expiry(Expiry::from_seconds(-10, clock.now()));
    let (id, _, max_age) = saved(s.commit(&h).await.unwrap());
    assert_eq!(max_age, Some(Duration::ZERO));
    assert!(s.load(&id).await.unwrap().is_none());
    let again = s.load_or_new(Some(&id.to_string())).await.unwrap();
    assert!(again.id().is_none() && again.is_empty());
    again.set(&USER, "bob".to_owned());
    let (new, new_id, _) = saved(s.commit(&again).await.unwrap());
    assert!(new_id);
    assert_ne!(new, id);
}

/// C9: with an idle cap, a session saved on every request stays alive; an
/// untouched one (plain commit: nothing written) expires.
#[tokio::test]
async fn idle_renewal_c9() {
    let (s, clock) = sessions(Policy {
        idle: Some(30 * MIN),
        ..Policy::default()
    });
    let active = new_session(&s, "active").await;
    let idle = new_session(&s, "idle").await;
    for _ in 0..3 {
        clock.advance(20 * MIN);
        let a = s.load(&active).await.unwrap().expect("renewed");
        let (_, new_id, max_age) = saved(s.commit_with(&a, true).await.unwrap());
        assert!(!new_id);
        assert_eq!(max_age, Some(30 * MIN));
        if let Some(i) = s.load(&idle).await.unwrap() {
            assert_eq!(s.commit(&i).await.unwrap(), Outcome::Unchanged);
        }
    }
    assert!(s.load(&idle).await.unwrap().is_none(), "idle for 60 min");
    assert!(s.load(&active).await.unwrap().is_some());
    // A new session that was never saved is not created by always-save.
    let fresh = s.create();
    assert_eq!(
        s.commit_with(&fresh, true).await.unwrap(),
        Outcome::Unchanged
    );
}

/// C10: the absolute cap is not extended by activity.
#[tokio::test]
async fn absolute_cap_c10() {
    let (s, clock) = sessions(Policy {
        idle: Some(30 * MIN),
        absolute: Some(60 * MIN),
        ..Policy::default()
    });
    let id = new_session(&s, "alice").await;
    for left in [40u32, 20, 0] {
        clock.advance(20 * MIN);
        let h = s.load(&id).await.unwrap().expect("within the cap");
        let (_, _, max_age) = saved(s.commit_with(&h, true).await.unwrap());
        assert_eq!(max_age, Some((30 * MIN).min(left * MIN)));
    }
    clock.advance(MS);
    assert!(s.load(&id).await.unwrap().is_none());
}

/// C11: the memory store never serves an expired record, even before any
/// cleanup has run.
#[tokio::test]
async fn memory_store_never_serves_expired_c11() {
    let (s, clock) = sessions(Policy::default());
    let id = session_core::id::Id::generate();
    let record = Record::new(Meta::new(T0), T0.saturating_add(Duration::from_secs(1)));
    s.store().create(&id, &record).await.unwrap();
    assert!(s.store().load(&id).await.unwrap().is_some());
    clock.advance(Duration::from_secs(1) + MS);
    assert!(s.store().load(&id).await.unwrap().is_none());
    assert!(s.load(&id).await.unwrap().is_none());
    assert_eq!(s.store().len(), 1, "still held: cleanup has not run");
}

/// C12: `clear_expired` removes exactly the expired records: M with a past
/// custom expiry plus the old ones with the default age.
#[tokio::test]
async fn clear_expired_counts_c12() {
    let (s, clock) = sessions(Policy::default());
    for i in 0..3 {
        new_session(&s, &format!("old{i}")).await;
    }
    for i in 0..2 {
        let h = s.create();
        h.set(&USER, format!("short{i}"));
        h.set_expiry(Expiry::Idle(MIN));
        s.commit(&h).await.unwrap();
    }
    clock.advance(13 * DAY);
    let mut future = Vec::new();
    for i in 0..4 {
        future.push(new_session(&s, &format!("future{i}")).await);
    }
    assert_eq!(
        s.clear_expired().await.unwrap(),
        2,
        "only the short ones yet"
    );
    clock.advance(DAY + MS);
    assert_eq!(s.clear_expired().await.unwrap(), 3, "the old ones");
    assert_eq!(s.clear_expired().await.unwrap(), 0);
    assert_eq!(s.store().len(), 4);
    for id in &future {
        assert!(s.load(id).await.unwrap().is_some());
    }
}

/// C13: Max-Age is capped at 400 days; the stored expiry is not.
#[tokio::test]
async fn max_age_capped_c13() {
    let (s, clock) = sessions(Policy::default());
    let h = s.create();
    h.set(&USER, "alice".to_owned());
    let far = clock.now().saturating_add(1000 * DAY);
    h.set_expiry(Expiry::At(far));
    let (id, _, max_age) = saved(s.commit(&h).await.unwrap());
    assert_eq!(max_age, Some(400 * DAY));
    assert_eq!(s.store().load(&id).await.unwrap().unwrap().expires_at, far);

    let (s, _) = sessions(Policy {
        default_age: 1000 * DAY,
        ..Policy::default()
    });
    let h = s.create();
    h.set(&USER, "bob".to_owned());
    assert_eq!(saved(s.commit(&h).await.unwrap()).2, Some(400 * DAY));
}

/// B7: extreme expiries are clamped, never a panic.
#[tokio::test]
async fn extreme_expiry_values_b7() {
    let (s, clock) = sessions(Policy::default());
    for (e, served) in [
        (Expiry::Idle(Duration::MAX), true),
        (Expiry::At(Timestamp::MAX), true),
        (Expiry::At(Timestamp::MIN), false),
        (Expiry::from_seconds(i64::MAX, clock.now()), true),
        (Expiry::from_seconds(i64::MIN, clock.now()), false),
    ] {
        let h = s.create();
        h.set(&CART, vec![1u32]);
        h.set_expiry(e);
        let (id, _, max_age) = saved(s.commit(&h).await.unwrap());
        let max_age = max_age.expect("not a browser session");
        assert!(max_age <= 400 * DAY);
        assert_eq!(s.load(&id).await.unwrap().is_some(), served, "{e:?}");
    }
    let (s, clock) = sessions(Policy {
        default_age: Duration::MAX,
        idle: Some(Duration::MAX),
        absolute: Some(Duration::MAX),
        expire_at_browser_close: false,
    });
    clock.set(Timestamp::MAX);
    let id = new_session(&s, "end of time").await;
    assert!(s.load(&id).await.unwrap().is_some());
}

/// Per-field max_age: the field expires alone, the session stays.
#[tokio::test]
async fn field_max_age_expires_alone() {
    let (s, clock) = sessions(Policy::default());
    let h = s.create();
    h.set(&USER, "alice".to_owned());
    h.set(&OTP, 123_456u32);
    let (id, _, _) = saved(s.commit(&h).await.unwrap());
    clock.advance(MIN);
    let h = s.load(&id).await.unwrap().unwrap();
    assert_eq!(*h.get(&OTP, || 0u32), 123_456, "inclusive boundary");
    clock.advance(MS);
    let h = s.load(&id).await.unwrap().unwrap();
    assert_eq!(*h.get(&OTP, || 0u32), 0);
    assert_eq!(*h.get(&USER, String::new), "alice");
}
