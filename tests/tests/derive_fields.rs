//! Generated accessors at run time: per-field dirty bits, `take_` /
//! `reset_` / clear, defaults, and per-field expiry with a fake clock.

mod support;

use std::time::Duration;

use session_core::{Outcome, Session};
use support::{Env, Item, Shop, pending};

/// A stored session with a few fields set, loaded fresh (nothing dirty).
async fn loaded(env: &Env) -> Session<Shop> {
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_user_id(Some(7));
    shop.set_cart(vec![Item {
        sku: "a".into(),
        qty: 1,
    }]);
    shop.set_theme("dark".into());
    let id = env.commit(&handle).await;
    env.load(&id).await.typed()
}

#[tokio::test]
async fn fresh_load_is_clean() {
    let env = Env::new();
    let shop = loaded(&env).await;
    assert!(!shop.is_modified());
    assert_eq!(pending(&shop), (vec![], vec![]));
}

#[tokio::test]
async fn reads_never_dirty_and_commit_writes_nothing_h5() {
    let env = Env::new();
    let shop = loaded(&env).await;
    assert_eq!(*shop.user_id(), Some(7));
    assert_eq!(shop.cart().len(), 1);
    assert_eq!(*shop.language(), "en"); // missing: default fn
    assert_eq!(*shop.flash(), None); // missing: Default
    assert!(!shop.is_modified());
    let outcome = env.sessions.commit(&shop).await.expect("commit");
    assert_eq!(outcome, Outcome::Unchanged);
}

#[tokio::test]
async fn set_dirties_only_that_field() {
    let env = Env::new();
    let shop = loaded(&env).await;
    shop.set_theme("light".into());
    assert!(shop.is_modified());
    assert_eq!(pending(&shop), (vec!["shop.theme".into()], vec![]));
}

#[tokio::test]
async fn mut_guard_write_dirties_nested_change() {
    let env = Env::new();
    let shop = loaded(&env).await;
    shop.cart_mut().push(Item {
        sku: "b".into(),
        qty: 2,
    });
    assert_eq!(pending(&shop), (vec!["shop.cart".into()], vec![]));
    let id = env.commit(&shop).await;
    let again: Session<Shop> = env.load(&id).await.typed();
    let skus: Vec<String> = again.cart().iter().map(|i| i.sku.clone()).collect();
    assert_eq!(skus, ["a", "b"]);
}

#[tokio::test]
async fn mut_guard_read_only_does_not_dirty() {
    let env = Env::new();
    let shop = loaded(&env).await;
    {
        let guard = shop.cart_mut();
        assert_eq!(guard.len(), 1);
        assert_eq!(guard[0].sku, "a");
    }
    assert!(!shop.is_modified());
    assert_eq!(pending(&shop), (vec![], vec![]));
}

#[tokio::test]
async fn take_returns_value_and_removes_the_field() {
    let env = Env::new();
    let shop = loaded(&env).await;
    let cart = shop.take_cart();
    assert_eq!(
        cart,
        vec![Item {
            sku: "a".into(),
            qty: 1
        }]
    );
    assert!(shop.cart().is_empty());
    assert_eq!(pending(&shop), (vec![], vec!["shop.cart".into()]));
    let id = env.commit(&shop).await;
    assert!(!env.record(&id).await.fields.contains_key("shop.cart"));
}

#[tokio::test]
async fn take_of_a_missing_field_gives_default_and_writes_nothing() {
    let env = Env::new();
    let shop = loaded(&env).await;
    assert_eq!(shop.take_flash(), None);
    assert_eq!(shop.take_language(), "en");
    assert!(!shop.is_modified());
}

#[tokio::test]
async fn reset_removes_only_that_field() {
    let env = Env::new();
    let shop = loaded(&env).await;
    shop.reset_user_id();
    assert_eq!(*shop.user_id(), None);
    assert_eq!(pending(&shop), (vec![], vec!["shop.user_id".into()]));
    let id = env.commit(&shop).await;
    let again: Session<Shop> = env.load(&id).await.typed();
    assert_eq!(*again.user_id(), None);
    assert_eq!(*again.theme(), "dark");
}

#[tokio::test]
async fn clear_removes_every_field_but_keeps_the_session() {
    let env = Env::new();
    let shop = loaded(&env).await;
    shop.clear();
    let (set, removed) = pending(&shop);
    assert!(set.is_empty());
    assert_eq!(removed, ["shop.cart", "shop.theme", "shop.user_id"]);
    let id = env.commit(&shop).await;
    let again: Session<Shop> = env.load(&id).await.typed();
    assert!(again.is_empty());
    assert_eq!(*again.user_id(), None);
}

#[tokio::test]
async fn set_all_and_take_all_move_the_whole_struct() {
    let env = Env::new();
    let shop = loaded(&env).await;
    let mut whole = shop.take_all();
    assert_eq!(whole.user_id, Some(7));
    assert_eq!(whole.language, "en");
    assert!(whole.scratch.is_empty(), "skipped field takes its default");
    assert!(shop.is_empty());
    whole.user_id = Some(8);
    whole.scratch = vec![1, 2, 3];
    shop.set_all(whole);
    let (set, _) = pending(&shop);
    assert_eq!(
        set.len(),
        7,
        "every stored field, not the skipped one: {set:?}"
    );
    assert_eq!(*shop.user_id(), Some(8));
}

#[tokio::test]
async fn flash_expires_alone_after_its_max_age() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_flash(Some("saved!".into()));
    shop.set_user_id(Some(1));
    let id = env.commit(&handle).await;
    assert!(env.record(&id).await.deadlines.contains_key("shop.flash"));

    env.advance(Duration::from_secs(4 * 60));
    let shop: Session<Shop> = env.load(&id).await.typed();
    assert_eq!(shop.flash().as_deref(), Some("saved!"));

    // Reading did not renew it: 6 minutes after the write it is gone, and
    // only it.
    env.advance(Duration::from_secs(2 * 60));
    let shop: Session<Shop> = env.load(&id).await.typed();
    assert_eq!(*shop.flash(), None);
    assert_eq!(*shop.user_id(), Some(1));
}

#[tokio::test]
async fn rewriting_a_flash_renews_its_deadline() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_flash(Some("one".into()));
    let id = env.commit(&handle).await;
    env.advance(Duration::from_secs(4 * 60));
    let shop: Session<Shop> = env.load(&id).await.typed();
    shop.set_flash(Some("two".into()));
    env.commit(&shop).await;
    env.advance(Duration::from_secs(4 * 60));
    let shop: Session<Shop> = env.load(&id).await.typed();
    assert_eq!(shop.flash().as_deref(), Some("two"));
}

#[tokio::test]
async fn expired_field_in_a_live_handle_reads_as_default() {
    let env = Env::new();
    let handle = env.sessions.create();
    let shop: Session<Shop> = handle.typed();
    shop.set_flash(Some("soon gone".into()));
    env.commit(&handle).await;
    env.advance(Duration::from_secs(5 * 60 + 1));
    assert_eq!(*shop.flash(), None);
}

/// Getters hold no lock: reading a field inside another accessor's
/// argument works (it used to deadlock), and a `Ref` is a snapshot.
#[tokio::test]
async fn getter_in_setter_argument_does_not_block() {
    let env = Env::new();
    let shop = loaded(&env).await;
    shop.set_user_id(shop.user_id().map(|n| n + 1));
    assert_eq!(*shop.user_id(), Some(8));

    let before = shop.cart();
    shop.cart_mut().push(Item {
        sku: "b".into(),
        qty: 2,
    });
    assert_eq!(before.len(), 1, "an existing Ref keeps the value it read");
    assert_eq!(shop.cart().len(), 2);
    assert_eq!(pending(&shop).0.len(), 2);
}

/// A plain value (here an `Option<u64>`) is read as a copy, not shared:
/// its `Ref` is a snapshot all the same, `Ref::into_arc` still gives the
/// value read, reading does not dirty, and the last write is what is saved.
#[tokio::test]
async fn plain_values_are_read_as_copies_and_stay_snapshots() {
    let env = Env::new();
    let shop = loaded(&env).await;
    let before = shop.user_id();
    assert!(!shop.is_modified(), "a read does not dirty");
    shop.set_user_id(Some(100));
    assert_eq!(*before, Some(7), "a live Ref is a snapshot");
    let kept = session_core::session::Ref::into_arc(shop.user_id());
    *shop.user_id_mut() = Some(101);
    assert_eq!(*kept, Some(100));
    assert_eq!(*shop.user_id(), Some(101));
    let id = env.commit(&shop).await;
    let again: Session<Shop> = env.load(&id).await.typed();
    assert_eq!(*again.user_id(), Some(101));
}
