//! Id suite through `Sessions` (D1, D2, D3, D4, D9): malformed ids never
//! reach the store, unknown ids are not adopted, collisions draw a new id
//! and never overwrite. Parsing alone is in `session-core/tests/ids.rs`.

mod common;

use std::sync::Arc;

use common::{Counting, Shared, USER, config, new_session, saved};
use session_backends::memory::MemoryStore;
use session_core::error::SessionError;
use session_core::expiry::Policy;
use session_core::id::{ID_LEN, Id, IdGenerator, SeededIds};
use session_core::sessions::MAX_CREATE_ATTEMPTS;
use session_core::{Outcome, Sessions};

fn counting() -> (Sessions<Counting>, session_core::clock::FakeClock) {
    let (config, clock) = config(Policy::default());
    let store = Counting::new(MemoryStore::new(100).with_clock(Arc::new(clock.clone())));
    (Sessions::with_config(store, config), clock)
}

fn malformed() -> Vec<String> {
    let good = Id::generate().to_string();
    vec![
        String::new(),
        "abc".into(),
        good[..ID_LEN - 1].to_owned(),
        format!("{good}A"),
        "A".repeat(1240),
        format!("{}é", &good[..ID_LEN - 2]),
        format!("{}=", &good[..ID_LEN - 1]),
        format!("{}+", &good[..ID_LEN - 1]),
        format!("{}/", &good[..ID_LEN - 1]),
        format!("{}B", &good[..ID_LEN - 1]),
        "*".repeat(ID_LEN),
        format!("../{}", &good[3..]),
    ]
}

/// D3: a malformed cookie gives a fresh, empty session without a single
/// store call; the store stays empty, and nothing is written at commit.
#[tokio::test]
async fn malformed_ids_never_reach_the_store_d3() {
    let (s, _) = counting();
    for bad in malformed() {
        assert!(Id::parse(&bad).is_err(), "{bad:?}");
        let h = s.load_or_new(Some(&bad)).await.unwrap();
        assert!(h.id().is_none(), "{bad:?}");
        assert!(h.is_empty());
        assert_eq!(s.commit(&h).await.unwrap(), Outcome::Unchanged);
    }
    assert_eq!(s.store().loads(), 0);
    assert_eq!(s.store().writes(), 0);
    assert!(s.store().inner.is_empty());
    // The fresh session, once used, gets a generated id of its own.
    let h = s.load_or_new(Some("")).await.unwrap();
    h.set(&USER, "alice".to_owned());
    let (id, new_id, _) = saved(s.commit(&h).await.unwrap());
    assert!(new_id);
    assert_eq!(id.to_string().len(), ID_LEN);
}

/// D1, D2: an unknown but well-formed id is looked up once, nothing is
/// written by the load, and when the session is modified it gets a new id:
/// the supplied one is never adopted.
#[tokio::test]
async fn unknown_id_not_adopted_d1_d2() {
    let (s, _) = counting();
    let unknown = Id::generate();
    let h = s.load_or_new(Some(&unknown.to_string())).await.unwrap();
    assert_eq!(s.store().loads(), 1);
    assert_eq!(s.store().writes(), 0, "load writes nothing (D2)");
    assert!(s.store().inner.is_empty());
    assert!(h.id().is_none());
    h.set(&USER, "alice".to_owned());
    let (id, new_id, _) = saved(s.commit(&h).await.unwrap());
    assert!(new_id);
    assert_ne!(id, unknown, "never adopt the supplied id (D1)");
    assert!(s.load(&unknown).await.unwrap().is_none());
    assert_eq!(h.id(), Some(id));
}

/// D4: the id of a loaded session is the one it was stored under and can
/// only change through `cycle_key` (a generated id); there is no setter —
/// `Handle`/`State` expose `id()` only (see also
/// `session-core/tests/ids.rs`).
#[tokio::test]
async fn id_changes_only_by_generation_d4() {
    let (s, _) = counting();
    let id = new_session(&s, "alice").await;
    let h = s.load(&id).await.unwrap().unwrap();
    assert_eq!(h.id(), Some(id));
    h.cycle_key();
    assert_eq!(h.id(), Some(id), "not changed before commit");
    let (new, new_id, _) = saved(s.commit(&h).await.unwrap());
    assert!(new_id);
    assert_ne!(new, id);
    assert_eq!(h.id(), Some(new));
}

/// D9: two `Sessions` over one store with the same seeded generator. The
/// second create collides with the first id and draws another; the first
/// record is not overwritten. A cycle through a third one collides twice
/// and still lands on a free id.
#[tokio::test]
async fn collision_draws_a_new_id_d9() {
    let (config1, clock) = config(Policy::default());
    let store = Arc::new(MemoryStore::new(100).with_clock(Arc::new(clock.clone())));
    let with_seed = |config: session_core::Config| {
        Sessions::with_config(
            Shared(Arc::clone(&store)),
            config.with_ids(Arc::new(SeededIds::new(7))),
        )
    };
    let s1 = with_seed(config1);
    let s2 = with_seed(
        config(Policy::default())
            .0
            .with_clock(Arc::new(clock.clone())),
    );
    let s3 = with_seed(
        config(Policy::default())
            .0
            .with_clock(Arc::new(clock.clone())),
    );
    let expected = SeededIds::new(7);
    let (first, second, third) = (
        expected.generate(),
        expected.generate(),
        expected.generate(),
    );

    let id1 = new_session(&s1, "alice").await;
    assert_eq!(id1, first);
    let id2 = new_session(&s2, "mallory").await;
    assert_eq!(id2, second, "collided with {id1:?}, drew another");
    let alice = s1.load(&id1).await.unwrap().unwrap();
    assert_eq!(*alice.get(&USER, String::new), "alice", "not overwritten");

    let h = s3.load(&id1).await.unwrap().unwrap();
    h.cycle_key();
    let (id3, new_id, _) = saved(s3.commit(&h).await.unwrap());
    assert!(new_id);
    assert_eq!(id3, third);
    assert!(s1.load(&id1).await.unwrap().is_none(), "old id deleted");
    let m = s1.load(&id2).await.unwrap().unwrap();
    assert_eq!(*m.get(&USER, String::new), "mallory");
    let a = s1.load(&id3).await.unwrap().unwrap();
    assert_eq!(*a.get(&USER, String::new), "alice");
    assert_eq!(store.len(), 2);
}

/// A generator that always draws the same id.
#[derive(Debug)]
struct Stuck(Id);

impl IdGenerator for Stuck {
    fn generate(&self) -> Id {
        self.0
    }
}

/// D9, G6: retries are bounded; a stuck generator gives a typed error and
/// never overwrites the record holding the id.
#[tokio::test]
async fn bounded_retries_d9() {
    let (config, clock) = config(Policy::default());
    let store = MemoryStore::new(100).with_clock(Arc::new(clock.clone()));
    let s = Sessions::with_config(store, config.with_ids(Arc::new(Stuck(Id::generate()))));
    let id = new_session(&s, "alice").await;
    let h = s.create();
    h.set(&USER, "mallory".to_owned());
    match s.commit(&h).await {
        Err(SessionError::IdsExhausted(n)) => assert_eq!(n, MAX_CREATE_ATTEMPTS),
        other => panic!("expected IdsExhausted, got {other:?}"),
    }
    let alice = s.load(&id).await.unwrap().unwrap();
    assert_eq!(*alice.get(&USER, String::new), "alice");
    assert!(h.id().is_none());
}
