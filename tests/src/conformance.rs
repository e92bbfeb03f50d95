//! The store conformance suite: every backend must pass every function
//! here. Each takes a fresh, empty store and the fake clock it was built
//! with, and panics on a contract violation. SECURITY.md ids are cited.

use std::time::Duration;

use session_core::clock::{Clock, FakeClock, Timestamp};
use session_core::error::StoreError;
use session_core::expiry::Meta;
use session_core::id::Id;
use session_core::store::{Changes, RawJson, Record, Store};

/// The instant fake clocks start at in the suite.
pub const START: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);

fn raw(v: impl serde::Serialize) -> RawJson {
    RawJson::encode(&v).expect("test values serialize")
}

/// A record valid for `ttl` from `now`, with one field `k` = `v`.
pub fn record(now: Timestamp, ttl: Duration, k: &str, v: &str) -> Record {
    let mut r = Record::new(Meta::new(now), now.saturating_add(ttl));
    r.fields.insert(k.to_owned(), raw(v));
    r
}

fn changes_setting(r: &Record, k: &str, v: &str) -> Changes {
    Changes {
        meta: r.meta,
        expires_at: r.expires_at,
        set: vec![(k.to_owned().into(), raw(v), None)],
        removed: vec![],
        index: vec![],
    }
}

/// G1: a missing id is `Ok(None)`; create then load round-trips.
pub async fn load_missing_and_round_trip<S: Store>(store: &S, clock: &FakeClock) {
    let id = Id::generate();
    assert!(store.load(&id).await.expect("load").is_none());
    let r = record(clock.now(), Duration::from_secs(60), "a", "1");
    store.create(&id, &r).await.expect("create");
    let back = store.load(&id).await.expect("load").expect("present");
    assert_eq!(back.fields["a"].get(), "\"1\"");
    assert_eq!(back.expires_at, r.expires_at);
}

/// D9, H7: create never overwrites a live record.
pub async fn create_never_overwrites<S: Store>(store: &S, clock: &FakeClock) {
    let id = Id::generate();
    let r = record(clock.now(), Duration::from_secs(60), "owner", "alice");
    store.create(&id, &r).await.expect("create");
    let r2 = record(clock.now(), Duration::from_secs(60), "owner", "mallory");
    assert!(matches!(
        store.create(&id, &r2).await,
        Err(StoreError::Collision)
    ));
    let back = store.load(&id).await.expect("load").expect("present");
    assert_eq!(back.fields["owner"].get(), "\"alice\"");
}

/// H1: save of a deleted record fails and does not resurrect it.
pub async fn save_after_delete_is_not_resurrected<S: Store>(store: &S, clock: &FakeClock) {
    let id = Id::generate();
    let r = record(clock.now(), Duration::from_secs(60), "a", "1");
    store.create(&id, &r).await.expect("create");
    store.delete(&id).await.expect("delete");
    let err = store.save(&id, &changes_setting(&r, "a", "2")).await;
    assert!(matches!(err, Err(StoreError::Deleted)), "{err:?}");
    assert!(store.load(&id).await.expect("load").is_none());
    // Deleting again is fine.
    store.delete(&id).await.expect("second delete");
}

/// C5, C11: expired records are never served, even before cleanup; saving
/// one fails as deleted.
pub async fn expired_never_served<S: Store>(store: &S, clock: &FakeClock) {
    let id = Id::generate();
    let r = record(clock.now(), Duration::from_secs(10), "a", "1");
    store.create(&id, &r).await.expect("create");
    clock.advance(Duration::from_secs(10));
    assert!(
        store.load(&id).await.expect("load").is_some(),
        "C8: inclusive boundary"
    );
    clock.advance(Duration::from_millis(1));
    assert!(store.load(&id).await.expect("load").is_none());
    assert!(matches!(
        store.save(&id, &changes_setting(&r, "a", "2")).await,
        Err(StoreError::Deleted)
    ));
    // An expired id may be taken again by create.
    let fresh = record(clock.now(), Duration::from_secs(10), "a", "new");
    store
        .create(&id, &fresh)
        .await
        .expect("create over expired");
}

/// H3: two saves of different fields both persist.
pub async fn saves_merge_different_fields<S: Store>(store: &S, clock: &FakeClock) {
    let id = Id::generate();
    let r = record(clock.now(), Duration::from_secs(60), "a", "0");
    store.create(&id, &r).await.expect("create");
    let c1 = changes_setting(&r, "a", "1");
    let c2 = changes_setting(&r, "b", "2");
    let (x, y) = tokio::join!(store.save(&id, &c1), store.save(&id, &c2));
    x.expect("save a");
    y.expect("save b");
    let back = store.load(&id).await.expect("load").expect("present");
    assert_eq!(back.fields["a"].get(), "\"1\"");
    assert_eq!(back.fields["b"].get(), "\"2\"");
    // Removal is applied too.
    let mut c3 = changes_setting(&r, "c", "3");
    c3.removed.push("a".into());
    store.save(&id, &c3).await.expect("save c");
    let back = store.load(&id).await.expect("load").expect("present");
    assert!(!back.fields.contains_key("a"));
    assert_eq!(back.fields["c"].get(), "\"3\"");
}

/// C12: clear_expired removes exactly the expired records.
pub async fn clear_expired_counts_exactly<S: Store>(store: &S, clock: &FakeClock) {
    let mut live = Vec::new();
    for i in 0..5u64 {
        let id = Id::generate();
        let ttl = Duration::from_secs(if i < 3 { 5 } else { 500 });
        store
            .create(&id, &record(clock.now(), ttl, "i", &i.to_string()))
            .await
            .expect("create");
        if i >= 3 {
            live.push(id);
        }
    }
    clock.advance(Duration::from_secs(6));
    assert_eq!(store.clear_expired().await.expect("clear"), 3);
    assert_eq!(store.clear_expired().await.expect("clear again"), 0);
    for id in live {
        assert!(store.load(&id).await.expect("load").is_some());
    }
}

/// Runs the whole suite, each case on a fresh store from `make`.
pub async fn run_all<S: Store>(make: impl Fn(&FakeClock) -> S) {
    macro_rules! case {
        ($f:ident) => {{
            let clock = FakeClock::new(START);
            let store = make(&clock);
            $f(&store, &clock).await;
        }};
    }
    case!(load_missing_and_round_trip);
    case!(create_never_overwrites);
    case!(save_after_delete_is_not_resurrected);
    case!(expired_never_served);
    case!(saves_merge_different_fields);
    case!(clear_expired_counts_exactly);
}
