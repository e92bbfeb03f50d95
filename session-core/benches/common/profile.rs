//! The `#[derive(Session)]` fixture shared by the `derive` and
//! `interleaved` benches: a ~2 KB struct of eight fields, its stored
//! record, and the load / touch / save steps each side runs.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use session_core::clock::{FakeClock, Timestamp};
use session_core::id::Id;
use session_core::session::Handle;
use session_core::state::State;
use session_core::store::{Changes, Record};
use session_core::{Config, Session};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Item {
    pub(crate) sku: String,
    pub(crate) qty: u32,
    pub(crate) price_cents: u64,
}

/// About 2 KB of JSON, in eight fields of different shapes.
#[derive(Debug, Clone, Default, Session, Serialize, Deserialize)]
#[session(namespace = "p")]
pub(crate) struct Profile {
    pub(crate) user_id: Option<u64>,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) roles: Vec<String>,
    pub(crate) cart: Vec<Item>,
    pub(crate) history: Vec<String>,
    pub(crate) prefs: BTreeMap<String, String>,
    pub(crate) counter: u64,
}

pub(crate) fn sample() -> Profile {
    Profile {
        user_id: Some(123_456_789),
        name: "Ada Lovelace-Byron of Ockham".into(),
        email: "ada.lovelace@analytical-engine.example.org".into(),
        roles: ["admin", "editor", "billing", "support", "beta"]
            .map(String::from)
            .to_vec(),
        cart: (0..10)
            .map(|i| Item {
                sku: format!("SKU-{i:08}-BLUE-XL"),
                qty: i + 1,
                price_cents: 1999 + u64::from(i) * 100,
            })
            .collect(),
        history: (0..22)
            .map(|i| format!("/products/category-{i}/item-{}", i * 7919))
            .collect(),
        prefs: (0..10)
            .map(|i| {
                (
                    format!("preference_key_{i}"),
                    format!("value-{i}-{}", "x".repeat(12)),
                )
            })
            .collect(),
        counter: 41,
    }
}

pub(crate) fn config() -> Arc<Config> {
    let clock = FakeClock::new(Timestamp::from_unix_seconds(1_700_000_000));
    Arc::new(Config::new().with_clock(Arc::new(clock)))
}

/// The stored form of `sample()` as a derived session would write it.
pub(crate) fn stored_record(config: &Arc<Config>) -> Bytes {
    let handle = Handle::empty(Arc::clone(config));
    handle.typed::<Profile>().set_all(sample());
    let record = handle.lock().to_record().expect("encodes");
    Bytes::from(record.to_bytes())
}

pub(crate) fn load(config: &Arc<Config>, id: Id, bytes: &Bytes) -> Session<Profile> {
    // A store hands over its buffer (a clone of a shared one costs a
    // reference count, as borrowing the JSON costs serde nothing).
    let record = Record::from_bytes(bytes.clone()).expect("record");
    let state = State::from_record(Arc::clone(config), Some(id), record);
    Handle::new(state).typed()
}

/// A session over a record the store keeps in memory and lends, as the
/// memory store does (`Store::load_with`): field bytes shared, not parsed.
pub(crate) fn load_lent(config: &Arc<Config>, id: Id, record: &Record) -> Session<Profile> {
    let state = State::from_record_ref(Arc::clone(config), Some(id), record);
    Handle::new(state).typed()
}

/// A session read straight from a whole record's bytes, as a cookie store
/// does once the envelope checks out: no `Record` in between.
pub(crate) fn load_bytes(config: &Arc<Config>, bytes: &Bytes) -> Session<Profile> {
    let state = State::from_bytes(Arc::clone(config), None, bytes.clone()).expect("record");
    Handle::new(state).typed()
}

/// The whole record written straight from the state, as a cookie store
/// does before signing or sealing it.
pub(crate) fn save_bytes(session: &Session<Profile>) -> Bytes {
    session.lock().to_bytes().expect("encodes")
}

/// What a server store is given for a session it already holds.
pub(crate) fn save_changes(session: &Session<Profile>) -> Changes {
    session.lock().changes().expect("encodes")
}

/// The whole record as bytes.
pub(crate) fn save_full(session: &Session<Profile>) -> Vec<u8> {
    session.lock().to_record().expect("encodes").to_bytes()
}

pub(crate) fn touch_one(s: &Session<Profile>) {
    let n = *s.counter();
    s.set_counter(black_box(n) + 1);
}

pub(crate) fn touch_every(s: &Session<Profile>) {
    // Bind first: a `Ref` holds the session's lock until the statement ends.
    let user_id = s.user_id().map(|u| u + 1);
    *s.user_id_mut() = user_id;
    s.name_mut().push('!');
    s.email_mut().push('!');
    s.roles_mut().push("x".into());
    s.cart_mut()[0].qty += 1;
    s.history_mut().push("/".into());
    s.prefs_mut().insert("k".into(), "v".into());
    *s.counter_mut() += 1;
}

/// The serde side's edit: the same change to every field as
/// [`touch_every`].
pub(crate) fn touch_all(p: &mut Profile) {
    p.user_id = p.user_id.map(|u| u + 1);
    p.name.push('!');
    p.email.push('!');
    p.roles.push("x".into());
    p.cart[0].qty += 1;
    p.history.push("/".into());
    p.prefs.insert("k".into(), "v".into());
    p.counter += 1;
}
