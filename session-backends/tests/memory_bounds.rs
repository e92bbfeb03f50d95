//! The memory store stays bounded (J7) and never serves expired records
//! (C11).

use std::sync::Arc;
use std::time::Duration;

use serde_json::value::to_raw_value;
use session_backends::memory::MemoryStore;
use session_core::clock::{Clock, FakeClock, Timestamp};
use session_core::expiry::Meta;
use session_core::id::Id;
use session_core::store::{Record, Store};

fn record(now: Timestamp, ttl: Duration) -> Record {
    let mut r = Record::new(Meta::new(now), now.saturating_add(ttl));
    r.fields
        .insert("k".into(), to_raw_value("v").expect("serializes").into());
    r
}

#[tokio::test]
async fn full_store_evicts_expired_first_j7() {
    let clock = FakeClock::new(Timestamp::from_unix_seconds(1_000));
    let store = MemoryStore::new(3).with_clock(Arc::new(clock.clone()));
    let short = Id::generate();
    let long_a = Id::generate();
    let long_b = Id::generate();
    store
        .create(&short, &record(clock.now(), Duration::from_secs(1)))
        .await
        .unwrap();
    store
        .create(&long_a, &record(clock.now(), Duration::from_secs(100)))
        .await
        .unwrap();
    store
        .create(&long_b, &record(clock.now(), Duration::from_secs(200)))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(2));
    let newcomer = Id::generate();
    store
        .create(&newcomer, &record(clock.now(), Duration::from_secs(50)))
        .await
        .unwrap();
    assert_eq!(store.len(), 3);
    assert!(store.load(&long_a).await.unwrap().is_some());
    assert!(store.load(&long_b).await.unwrap().is_some());
    assert!(store.load(&newcomer).await.unwrap().is_some());
}

#[tokio::test]
async fn full_store_without_expired_evicts_soonest_to_expire_j7() {
    let clock = FakeClock::new(Timestamp::from_unix_seconds(1_000));
    let store = MemoryStore::new(2).with_clock(Arc::new(clock.clone()));
    let soon = Id::generate();
    let late = Id::generate();
    store
        .create(&soon, &record(clock.now(), Duration::from_secs(10)))
        .await
        .unwrap();
    store
        .create(&late, &record(clock.now(), Duration::from_secs(1000)))
        .await
        .unwrap();
    let third = Id::generate();
    store
        .create(&third, &record(clock.now(), Duration::from_secs(500)))
        .await
        .unwrap();
    assert_eq!(store.len(), 2);
    assert!(store.load(&soon).await.unwrap().is_none());
    assert!(store.load(&late).await.unwrap().is_some());
    assert!(store.load(&third).await.unwrap().is_some());
}

#[tokio::test]
async fn many_inserts_stay_within_bound_j7() {
    let clock = FakeClock::new(Timestamp::from_unix_seconds(1_000));
    let store = MemoryStore::new(100).with_clock(Arc::new(clock.clone()));
    for i in 0..1_000u64 {
        let id = Id::generate();
        store
            .create(&id, &record(clock.now(), Duration::from_secs(60 + i)))
            .await
            .unwrap();
        assert!(store.len() <= 100);
    }
    assert_eq!(store.len(), 100);
}

#[tokio::test]
async fn concurrent_tasks_do_not_lose_field_writes_h8() {
    let clock = FakeClock::new(Timestamp::from_unix_seconds(1_000));
    let store = Arc::new(MemoryStore::new(10).with_clock(Arc::new(clock.clone())));
    let id = Id::generate();
    let base = record(clock.now(), Duration::from_secs(600));
    store.create(&id, &base).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = Arc::clone(&store);
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let changes = session_core::store::Changes {
                meta: base.meta,
                expires_at: base.expires_at,
                set: vec![(
                    format!("f{i}").into(),
                    to_raw_value(&i).unwrap().into(),
                    None,
                )],
                removed: vec![],
                index: vec![],
            };
            store.save(&id, &changes).await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let rec = store.load(&id).await.unwrap().unwrap();
    for i in 0..32 {
        assert_eq!(rec.fields[&format!("f{i}")].get(), i.to_string());
    }
}
