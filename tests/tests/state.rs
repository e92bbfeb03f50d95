//! Session state through `Sessions` + `MemoryStore`: unknown fields kept,
//! undecodable fields reset alone, K8, J2, D5, D6, H1, read-only guards,
//! private fields sealed at rest (A3 per field, E2/E6) and FieldError.

mod common;

use std::time::Duration;

use common::{CARD, CARD2, CART, T0, USER, new_session, saved, sessions};

use session_backends::memory::MemoryStore;
use session_core::envelope::{Codec, Context};
use session_core::error::{FieldError, SessionError, StoreError};
use session_core::expiry::{Meta, Policy};
use session_core::id::Id;
use session_core::key::{Key, KeyRing};
use session_core::store::{RawJson, Record, Store};
use session_core::{Outcome, Sessions};

fn raw(text: &str) -> RawJson {
    RawJson::from_json(text).unwrap()
}

/// A record created directly in the store, bypassing the session layer.
async fn seed(s: &Sessions<MemoryStore>, fields: &[(&str, &str)]) -> Id {
    let mut r = Record::new(Meta::new(T0), T0.saturating_add(Duration::from_secs(3600)));
    for (k, v) in fields {
        r.fields.insert((*k).to_owned(), raw(v));
    }
    let id = Id::generate();
    s.store().create(&id, &r).await.unwrap();
    id
}

async fn stored(s: &Sessions<MemoryStore>, id: &Id) -> Record {
    s.store().load(id).await.unwrap().expect("record present")
}

/// Fields no schema knows survive a commit that changes another field,
/// byte for byte, and a cycle (whole-record rewrite) too.
#[tokio::test]
async fn unknown_fields_preserved() {
    let (s, _) = sessions(Policy::default());
    let legacy = r#"{"x":[1,2],"y":"z"}"#;
    let id = seed(&s, &[("legacy", legacy), ("cart", "[1]")]).await;
    let h = s.load(&id).await.unwrap().unwrap();
    h.set(&CART, vec![1u32, 2]);
    saved(s.commit(&h).await.unwrap());
    let r = stored(&s, &id).await;
    assert_eq!(r.fields["legacy"].get(), legacy);
    assert_eq!(r.fields["cart"].get(), "[1,2]");

    h.cycle_key();
    let (new, _, _) = saved(s.commit(&h).await.unwrap());
    assert_eq!(stored(&s, &new).await.fields["legacy"].get(), legacy);
}

/// A field whose bytes no longer decode resets to its default alone; the
/// other fields are intact, and only the rewritten field changes.
#[tokio::test]
async fn undecodable_field_resets_alone() {
    let (s, _) = sessions(Policy::default());
    let id = seed(&s, &[("cart", r#""not a list""#), ("user", r#""alice""#)]).await;
    let h = s.load(&id).await.unwrap().unwrap();
    assert!(h.get(&CART, Vec::<u32>::new).is_empty());
    assert_eq!(*h.get(&USER, String::new), "alice");
    assert_eq!(
        s.commit(&h).await.unwrap(),
        Outcome::Unchanged,
        "reading writes nothing"
    );
    h.get_mut(&CART, Vec::<u32>::new).push(9);
    saved(s.commit(&h).await.unwrap());
    let r = stored(&s, &id).await;
    assert_eq!(r.fields["cart"].get(), "[9]");
    assert_eq!(r.fields["user"].get(), r#""alice""#);
}

/// A read-only use of a `_mut` guard, or `get`, does not dirty the session.
#[tokio::test]
async fn read_only_guard_does_not_dirty() {
    let (s, _) = sessions(Policy::default());
    let id = seed(&s, &[("cart", "[1,2]")]).await;
    let h = s.load(&id).await.unwrap().unwrap();
    {
        let cart = h.get_mut(&CART, Vec::<u32>::new);
        assert_eq!(cart.len(), 2);
    }
    assert_eq!(h.get(&CART, Vec::<u32>::new).as_slice(), &[1, 2]);
    assert!(!h.is_modified());
    assert_eq!(s.commit(&h).await.unwrap(), Outcome::Unchanged);
    h.get_mut(&CART, Vec::<u32>::new).push(3);
    assert!(h.is_modified());
    saved(s.commit(&h).await.unwrap());
    assert_eq!(stored(&s, &id).await.fields["cart"].get(), "[1,2,3]");
}

/// K8: a session emptied with `clear` (not flushed) is still saved: the
/// record stays, with no fields.
#[tokio::test]
async fn cleared_session_still_saved_k8() {
    let (s, _) = sessions(Policy::default());
    let id = new_session(&s, "alice").await;
    let h = s.load(&id).await.unwrap().unwrap();
    h.clear();
    let (same, new_id, _) = saved(s.commit(&h).await.unwrap());
    assert_eq!(same, id);
    assert!(!new_id);
    assert!(stored(&s, &id).await.fields.is_empty());
    assert!(s.load(&id).await.unwrap().unwrap().is_empty());
}

/// J2: an anonymous session that is flushed, only read, or emptied before
/// its first save creates nothing, with or without always-save.
#[tokio::test]
async fn anonymous_sessions_create_nothing_j2() {
    let (s, _) = sessions(Policy::default());
    let h = s.create();
    h.flush();
    assert_eq!(s.commit(&h).await.unwrap(), Outcome::Unchanged);
    let h = s.create();
    assert!(h.get(&CART, Vec::<u32>::new).is_empty());
    assert_eq!(s.commit_with(&h, true).await.unwrap(), Outcome::Unchanged);
    let h = s.create();
    h.set(&USER, "x".to_owned());
    h.reset(&USER);
    assert_eq!(s.commit_with(&h, true).await.unwrap(), Outcome::Unchanged);
    let h = s.create();
    h.flush();
    assert_eq!(s.commit_with(&h, true).await.unwrap(), Outcome::Unchanged);
    assert!(s.store().is_empty());
}

/// D5: `cycle_key` gives a new id with the same data and deletes the old
/// record; on a session never saved it simply creates one record.
#[tokio::test]
async fn cycle_key_d5() {
    let (s, _) = sessions(Policy::default());
    let id = new_session(&s, "alice").await;
    let h = s.load(&id).await.unwrap().unwrap();
    h.set(&CART, vec![7u32]);
    h.cycle_key();
    let (new, new_id, _) = saved(s.commit(&h).await.unwrap());
    assert!(new_id);
    assert_ne!(new, id);
    assert!(
        s.store().load(&id).await.unwrap().is_none(),
        "old record deleted"
    );
    let r = stored(&s, &new).await;
    assert_eq!(r.fields["user"].get(), r#""alice""#);
    assert_eq!(r.fields["cart"].get(), "[7]");
    assert_eq!(s.store().len(), 1);

    let fresh = s.create();
    fresh.set(&USER, "bob".to_owned());
    fresh.cycle_key();
    saved(s.commit(&fresh).await.unwrap());
    assert_eq!(s.store().len(), 2);
}

/// D6: `flush` deletes the record, clears the data and the id.
#[tokio::test]
async fn flush_deletes_record_d6() {
    let (s, _) = sessions(Policy::default());
    let id = new_session(&s, "alice").await;
    let h = s.load(&id).await.unwrap().unwrap();
    h.flush();
    assert_eq!(s.commit(&h).await.unwrap(), Outcome::Deleted);
    assert!(s.store().load(&id).await.unwrap().is_none());
    assert!(h.id().is_none());
    assert!(h.is_empty());
    assert!(s.store().is_empty());
}

/// H1: committing a session deleted meanwhile (logout elsewhere, or
/// expiry) fails with `Deleted` and does not resurrect it.
#[tokio::test]
async fn no_resurrection_h1() {
    let (s, clock) = sessions(Policy::default());
    let id = new_session(&s, "alice").await;
    let h = s.load(&id).await.unwrap().unwrap();
    s.delete(&id).await.unwrap();
    h.set(&CART, vec![1u32]);
    match s.commit(&h).await {
        Err(SessionError::Store(StoreError::Deleted)) => {}
        other => panic!("expected Deleted, got {other:?}"),
    }
    assert!(s.store().is_empty());

    let id = new_session(&s, "bob").await;
    let h = s.load(&id).await.unwrap().unwrap();
    clock.advance(15 * common::DAY);
    h.set(&CART, vec![1u32]);
    assert!(matches!(
        s.commit(&h).await,
        Err(SessionError::Store(StoreError::Deleted))
    ));
    assert!(s.load(&id).await.unwrap().is_none());
}

fn keyed(ring: KeyRing) -> (Sessions<MemoryStore>, session_core::clock::FakeClock) {
    let (config, clock) = common::config(Policy::default());
    let store = MemoryStore::new(100).with_clock(std::sync::Arc::new(clock.clone()));
    (Sessions::with_config(store, config.with_keys(ring)), clock)
}

/// Private fields are sealed in the stored record (the plaintext never
/// appears), read back through the session, and refuse to open when moved
/// to another field (A3).
#[tokio::test]
async fn private_field_sealed_at_rest_a3() {
    let key = Key::generate();
    let (s, _) = keyed(KeyRing::new(key.clone()));
    let h = s.create();
    h.set(&CARD, "4111-1111-1111-1111".to_owned());
    h.set(&USER, "alice".to_owned());
    let (id, _, _) = saved(s.commit(&h).await.unwrap());
    let r = stored(&s, &id).await;
    let text = String::from_utf8(r.to_json()).unwrap();
    assert!(!text.contains("4111"), "plaintext at rest: {text}");
    assert!(text.contains("alice"));
    let token: String = serde_json::from_str(r.fields["card"].get()).unwrap();
    let opened = Codec::new(key)
        .open_field(&Context::field(&r.binding, "card"), &token)
        .expect("sealed with the field subkey, bound to this record");
    assert_eq!(&opened.payload[..], br#""4111-1111-1111-1111""#);

    let h = s.load(&id).await.unwrap().unwrap();
    assert_eq!(*h.get(&CARD, String::new), "4111-1111-1111-1111");

    // Moved into another private field: does not open, reads as default.
    let moved = seed(&s, &[("card2", r.fields["card"].get())]).await;
    let h = s.load(&moved).await.unwrap().unwrap();
    assert_eq!(*h.get(&CARD2, String::new), "");
    // A plain (unsealed) value in a private field is not accepted (A7).
    let plain = seed(&s, &[("card", r#""4111""#)]).await;
    let h = s.load(&plain).await.unwrap().unwrap();
    assert_eq!(*h.get(&CARD, String::new), "");
}

/// A3: a sealed value copied into the same field of another session's
/// record does not open there; the binding survives `cycle_key`.
#[tokio::test]
async fn private_field_bound_to_its_record_a3() {
    let (s, _) = keyed(KeyRing::new(Key::generate()));
    let victim = s.create();
    victim.set(&CARD, "4111".to_owned());
    let (victim_id, _, _) = saved(s.commit(&victim).await.unwrap());
    let attacker = s.create();
    attacker.set(&USER, "mallory".to_owned());
    let (attacker_id, _, _) = saved(s.commit(&attacker).await.unwrap());

    let sealed = stored(&s, &victim_id).await.fields["card"].clone();
    let mut forged = stored(&s, &attacker_id).await;
    assert_ne!(forged.binding, stored(&s, &victim_id).await.binding);
    forged.fields.insert("card".into(), sealed);
    s.store().delete(&attacker_id).await.unwrap();
    s.store().create(&attacker_id, &forged).await.unwrap();
    let h = s.load(&attacker_id).await.unwrap().unwrap();
    assert_eq!(*h.get(&CARD, String::new), "", "moved sealed value opened");

    // The owner still reads it after a cycle (login) and a reload.
    let h = s.load(&victim_id).await.unwrap().unwrap();
    h.cycle_key();
    let (new_id, _, _) = saved(s.commit(&h).await.unwrap());
    let h = s.load(&new_id).await.unwrap().unwrap();
    assert_eq!(*h.get(&CARD, String::new), "4111");
}

/// E2, E6: a private field sealed under a fallback key is read, and
/// re-sealed under the current key on the next save.
#[tokio::test]
async fn private_field_resealed_after_rotation_e2_e6() {
    let (old, new) = (Key::generate(), Key::generate());
    let (s_old, _) = keyed(KeyRing::new(old.clone()));
    let id = {
        let h = s_old.create();
        h.set(&CARD, "secret".to_owned());
        saved(s_old.commit(&h).await.unwrap()).0
    };
    let record = stored(&s_old, &id).await;
    let ring = KeyRing::new(new.clone()).with_fallback(old).unwrap();
    let (s_new, _) = keyed(ring);
    s_new.store().create(&id, &record).await.unwrap();
    let h = s_new.load(&id).await.unwrap().unwrap();
    assert_eq!(*h.get(&CARD, String::new), "secret");
    h.set(&USER, "alice".to_owned());
    saved(s_new.commit(&h).await.unwrap());
    let rec = stored(&s_new, &id).await;
    let token: String = serde_json::from_str(rec.fields["card"].get()).unwrap();
    let opened = Codec::new(new)
        .open_field(&Context::field(&rec.binding, "card"), &token)
        .expect("now under the current key");
    assert!(!opened.rotated);
}

/// A private field on a session without keys is a typed error at commit,
/// and nothing is written.
#[tokio::test]
async fn private_field_without_keys_errors() {
    let (s, _) = sessions(Policy::default());
    let h = s.create();
    h.set(&CARD, "4111".to_owned());
    match s.commit(&h).await {
        Err(SessionError::Field(FieldError::NoKeys(field))) => assert_eq!(field, "card"),
        other => panic!("expected NoKeys, got {other:?}"),
    }
    assert!(s.store().is_empty());
}
