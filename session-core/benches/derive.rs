//! `#[derive(Session)]` against the floor of plain serde (issue 3,
//! "Performance"): load + read + write + save of a ~2 KB struct.
//!
//! * `serde_whole/*`: bytes → `serde_json::from_slice::<Profile>` → change →
//!   `serde_json::to_vec`, the whole struct each way.
//! * `derived/*`: the stored record's bytes → `Record::from_bytes` (raw JSON
//!   per field, nothing decoded) → `State` → typed accessors → `changes()`,
//!   which is what `Sessions::commit` hands a server store for a session it
//!   already holds: only the touched fields, encoded.
//! * `derived_full/*`: the same, but saved as the whole record's bytes
//!   (`to_record().to_bytes()`), as for a new or cycled session or a cookie
//!   store. Unchanged fields are copied as raw bytes, not re-encoded.
//!
//! `one_field` reads and writes one field; `all_fields` reads and writes
//! every field. Run: `cargo bench -p session-core --bench derive`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;

use bytes::Bytes;

use criterion::{Criterion, criterion_main};
use serde::{Deserialize, Serialize};
use session_core::clock::{FakeClock, Timestamp};
use session_core::id::Id;
use session_core::session::Handle;
use session_core::state::State;
use session_core::store::{Changes, Record};
use session_core::{Config, Session};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Item {
    sku: String,
    qty: u32,
    price_cents: u64,
}

/// About 2 KB of JSON, in eight fields of different shapes.
#[derive(Debug, Clone, Default, Session, Serialize, Deserialize)]
#[session(namespace = "p")]
struct Profile {
    user_id: Option<u64>,
    name: String,
    email: String,
    roles: Vec<String>,
    cart: Vec<Item>,
    history: Vec<String>,
    prefs: BTreeMap<String, String>,
    counter: u64,
}

fn sample() -> Profile {
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

fn config() -> Arc<Config> {
    let clock = FakeClock::new(Timestamp::from_unix_seconds(1_700_000_000));
    Arc::new(Config::new().with_clock(Arc::new(clock)))
}

/// The stored form of `sample()` as a derived session would write it.
fn stored_record(config: &Arc<Config>) -> Bytes {
    let handle = Handle::empty(Arc::clone(config));
    handle.typed::<Profile>().set_all(sample());
    let record = handle.lock().to_record().expect("encodes");
    Bytes::from(record.to_bytes())
}

fn load(config: &Arc<Config>, id: Id, bytes: &Bytes) -> Session<Profile> {
    // A store hands over its buffer (a clone of a shared one costs a
    // reference count, as borrowing the JSON costs serde nothing).
    let record = Record::from_bytes(bytes.clone()).expect("record");
    let state = State::from_record(Arc::clone(config), Some(id), record);
    Handle::new(state).typed()
}

/// What a server store is given for a session it already holds.
fn save_changes(session: &Session<Profile>) -> Changes {
    session.lock().changes().expect("encodes")
}

/// The whole record as bytes.
fn save_full(session: &Session<Profile>) -> Vec<u8> {
    session.lock().to_record().expect("encodes").to_bytes()
}

fn touch_one(s: &Session<Profile>) {
    let n = *s.counter();
    s.set_counter(black_box(n) + 1);
}

fn touch_every(s: &Session<Profile>) {
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

fn bench(c: &mut Criterion) {
    let config = config();
    let id = Id::generate();
    let plain = serde_json::to_vec(&sample()).expect("json");
    let record = stored_record(&config);
    eprintln!(
        "plain struct JSON: {} bytes; stored record: {} bytes",
        plain.len(),
        record.len()
    );

    let mut g = c.benchmark_group("derive_2kb");
    g.bench_function("serde_whole/one_field", |b| {
        b.iter(|| {
            let mut p: Profile = serde_json::from_slice(black_box(&plain)).expect("decode");
            p.counter = black_box(p.counter) + 1;
            serde_json::to_vec(&p).expect("encode")
        })
    });
    g.bench_function("derived/one_field", |b| {
        b.iter(|| {
            let s = load(&config, id, black_box(&record));
            touch_one(&s);
            save_changes(&s)
        })
    });
    g.bench_function("derived_full/one_field", |b| {
        b.iter(|| {
            let s = load(&config, id, black_box(&record));
            touch_one(&s);
            save_full(&s)
        })
    });
    g.bench_function("serde_whole/all_fields", |b| {
        b.iter(|| {
            let mut p: Profile = serde_json::from_slice(black_box(&plain)).expect("decode");
            touch_all(&mut p);
            serde_json::to_vec(&p).expect("encode")
        })
    });
    g.bench_function("derived/all_fields", |b| {
        b.iter(|| {
            let s = load(&config, id, black_box(&record));
            touch_every(&s);
            save_changes(&s)
        })
    });
    g.bench_function("derived_full/all_fields", |b| {
        b.iter(|| {
            let s = load(&config, id, black_box(&record));
            touch_every(&s);
            save_full(&s)
        })
    });
    g.finish();
}

fn touch_all(p: &mut Profile) {
    p.user_id = p.user_id.map(|u| u + 1);
    p.name.push('!');
    p.email.push('!');
    p.roles.push("x".into());
    p.cart[0].qty += 1;
    p.history.push("/".into());
    p.prefs.insert("k".into(), "v".into());
    p.counter += 1;
}

// `criterion_group!` defines an undocumented `pub fn benches`.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
use group::benches;
criterion_main!(benches);
