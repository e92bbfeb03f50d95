//! What generated schemas put in the store: namespaced keys, sealed private
//! fields (never in plain text, never in `Debug`), the index, unknown fields
//! carried through, and a field that no longer decodes reset alone.

mod support;

use serde_json::value::to_raw_value;
use session_core::clock::Timestamp;
use session_core::error::{FieldError, SessionError};
use session_core::expiry::Meta;
use session_core::key::Key;
use session_core::store::{Record, Store};
use session_core::{Config, Session};
use support::{Auth, Env, Item, START, Shop};

const SECRET: &str = "tok_live_4242424242";

fn record_with(fields: &[(&str, serde_json::Value)]) -> Record {
    let mut r = Record::new(
        Meta::new(START),
        START.saturating_add(std::time::Duration::from_secs(3600)),
    );
    for (k, v) in fields {
        r.fields
            .insert((*k).to_owned(), to_raw_value(v).expect("json").into());
    }
    r
}

#[tokio::test]
async fn fields_are_stored_under_namespaced_keys() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_user_id(Some(3));
    shop.set_language("fr".into());
    let id = env.commit(&handle).await;
    let record = env.record(&id).await;
    let keys: Vec<&String> = record.fields.keys().collect();
    assert_eq!(keys, ["shop.lang", "shop.user_id"]);
    assert_eq!(record.fields["shop.user_id"].get(), "3");
    assert_eq!(record.fields["shop.lang"].get(), "\"fr\"");
}

#[tokio::test]
async fn private_field_is_sealed_in_the_record_and_reads_back() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_payment_token(Some(SECRET.into()));
    let id = env.commit(&handle).await;

    let record = env.record(&id).await;
    let raw = String::from_utf8(record.to_json()).expect("utf8");
    assert!(raw.contains("shop.payment_token"));
    assert!(
        !raw.contains(SECRET),
        "plaintext leaked into the store: {raw}"
    );

    let again: Session<Shop> = env.load(&id).await.typed();
    assert_eq!(again.payment_token().as_deref(), Some(SECRET));
}

#[tokio::test]
async fn private_field_never_in_debug_output() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_payment_token(Some(SECRET.into()));
    let auth: Session<Auth> = handle.typed();
    auth.set_password_hash(Some(SECRET.into()));
    for shown in [
        format!("{shop:?}"),
        format!("{:?}", &*shop),
        format!("{auth:?}"),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
    let id = env.commit(&handle).await;
    let again: Session<Shop> = env.load(&id).await.typed();
    assert_eq!(again.payment_token().as_deref(), Some(SECRET));
    let shown = format!("{again:?} {:?}", &*again);
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("ShopSession"), "{shown}");
}

#[tokio::test]
async fn private_field_moved_to_another_key_is_rejected_a3() {
    let env = Env::new();
    let handle = env.sessions.create();
    let auth: Session<Auth> = handle.typed();
    auth.set_password_hash(Some(SECRET.into()));
    let id = env.commit(&handle).await;

    // An attacker with store access copies the sealed value to another
    // private field's key: it must not open there.
    let mut record = env.record(&id).await;
    let sealed = record.fields["auth.password_hash"].clone();
    record.fields.insert("shop.payment_token".into(), sealed);
    let moved = env.plant(&record).await;
    let shop: Session<Shop> = env.load(&moved).await.typed();
    assert_eq!(*shop.payment_token(), None);
    let auth: Session<Auth> = shop.handle().typed();
    assert_eq!(auth.password_hash().as_deref(), Some(SECRET));
}

#[tokio::test]
async fn private_field_sealed_under_another_key_reads_as_default_a2() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_payment_token(Some(SECRET.into()));
    shop.set_user_id(Some(5));
    let id = env.commit(&handle).await;
    let record = env.record(&id).await;

    let other = Env::new(); // another key ring
    let planted = other.plant(&record).await;
    let shop: Session<Shop> = other.load(&planted).await.typed();
    assert_eq!(*shop.payment_token(), None);
    assert_eq!(*shop.user_id(), Some(5));
}

#[tokio::test]
async fn private_field_without_keys_is_a_commit_error() {
    let env = Env::with_config(|c: Config| c);
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_payment_token(Some(SECRET.into()));
    let err = env.sessions.commit(&handle).await.unwrap_err();
    assert!(
        matches!(&err, SessionError::Field(FieldError::NoKeys(k)) if k == "shop.payment_token"),
        "{err:?}"
    );
}

#[tokio::test]
async fn private_field_rotates_to_the_current_key_e6() {
    let old = Key::generate();
    let env = Env::with_config(|c| c.with_keys(old.clone()));
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_payment_token(Some(SECRET.into()));
    shop.set_user_id(Some(1));
    let id = env.commit(&handle).await;
    let record = env.record(&id).await;

    let ring = session_core::key::KeyRing::new(Key::generate())
        .with_fallback(old)
        .expect("ring");
    let rotated = Env::with_config(|c| c.with_keys(ring));
    let planted = rotated.plant(&record).await;
    let shop: Session<Shop> = rotated.load(&planted).await.typed();
    assert_eq!(shop.payment_token().as_deref(), Some(SECRET));
    let changes = shop.lock().changes().expect("changes");
    let keys: Vec<&str> = changes.set.iter().map(|(k, _, _)| k.as_ref()).collect();
    assert_eq!(
        keys,
        ["shop.payment_token"],
        "only the re-sealed field is written"
    );
}

#[tokio::test]
async fn index_field_is_exported_to_the_record_index() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_account(Some("alice".into()));
    let id = env.commit(&handle).await;
    assert_eq!(env.record(&id).await.index["shop.account"], "alice");
}

/// A save of a stored session (not a create) carries the index too: kept
/// when the indexed field is untouched, updated when it changes, dropped
/// when it is cleared.
#[tokio::test]
async fn index_changes_are_saved_and_an_untouched_index_is_kept() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_account(Some("alice".into()));
    let id = env.commit(&handle).await;
    let shop: Session<Shop> = env.load(&id).await.typed();
    shop.set_theme("dark".into());
    assert_eq!(env.commit(&shop).await, id, "a save, not a create");
    assert_eq!(env.record(&id).await.index["shop.account"], "alice");
    shop.set_account(Some("bob".into()));
    env.commit(&shop).await;
    assert_eq!(env.record(&id).await.index["shop.account"], "bob");
    shop.set_account(None);
    env.commit(&shop).await;
    assert!(!env.record(&id).await.index.contains_key("shop.account"));
}

#[tokio::test]
async fn unknown_fields_are_carried_through_unchanged() {
    let env = Env::new();
    let id = env
        .plant(&record_with(&[
            ("shop.user_id", serde_json::json!(9)),
            ("shop.retired_field", serde_json::json!({"keep": [1, 2, 3]})),
            ("other_app.setting", serde_json::json!("x")),
        ]))
        .await;
    let shop: Session<Shop> = env.load(&id).await.typed();
    assert_eq!(*shop.user_id(), Some(9));
    shop.set_theme("dark".into());
    env.commit(&shop).await;
    // And through a full rewrite under a new id.
    shop.cycle_key();
    let new_id = env.commit(&shop).await;
    for id in [id, new_id] {
        let Some(record) = env.sessions.store().load(&id).await.expect("load") else {
            continue; // the old id is deleted by cycle_key
        };
        assert_eq!(
            record.fields["shop.retired_field"].get(),
            r#"{"keep":[1,2,3]}"#
        );
        assert_eq!(record.fields["other_app.setting"].get(), r#""x""#);
        assert_eq!(record.fields["shop.theme"].get(), r#""dark""#);
    }
    assert!(
        env.sessions
            .store()
            .load(&id)
            .await
            .expect("load")
            .is_none()
    );
}

#[tokio::test]
async fn a_field_that_no_longer_decodes_resets_alone_a6() {
    let env = Env::new();
    let id = env
        .plant(&record_with(&[
            ("shop.user_id", serde_json::json!(11)),
            ("shop.cart", serde_json::json!("not a list of items")),
            ("shop.theme", serde_json::json!({"wrong": "shape"})),
        ]))
        .await;
    let shop: Session<Shop> = env.load(&id).await.typed();
    assert!(shop.cart().is_empty());
    assert_eq!(*shop.theme(), "");
    assert_eq!(*shop.user_id(), Some(11));
    // Writing the field again replaces the bad bytes.
    shop.cart_mut().push(Item {
        sku: "z".into(),
        qty: 1,
    });
    env.commit(&shop).await;
    let record = env.record(&id).await;
    assert_eq!(record.fields["shop.cart"].get(), r#"[{"sku":"z","qty":1}]"#);
    assert_eq!(record.fields["shop.user_id"].get(), "11");
}

#[tokio::test]
async fn two_schemas_share_one_session_without_clashing() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    let auth: Session<Auth> = handle.typed();
    shop.set_user_id(Some(1));
    auth.set_user_id(Some(2));
    let id = env.commit(&handle).await;

    let loaded = env.load(&id).await;
    let shop: Session<Shop> = loaded.typed();
    let auth: Session<Auth> = loaded.typed();
    // Getters hold no lock: both reads can live in one expression.
    assert_eq!((*shop.user_id(), *auth.user_id()), (Some(1), Some(2)));

    // Clearing one schema leaves the other.
    auth.clear_fields();
    let id = env.commit(&loaded).await;
    let record = env.record(&id).await;
    assert!(record.fields.contains_key("shop.user_id"));
    assert!(!record.fields.contains_key("auth.user_id"));
}

#[tokio::test]
async fn timestamps_in_records_are_the_fake_clock() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_flash(Some("x".into()));
    let id = env.commit(&handle).await;
    let deadline = env.record(&id).await.deadlines["shop.flash"];
    assert_eq!(deadline, Timestamp::from_unix_seconds(1_700_000_000 + 300));
}
