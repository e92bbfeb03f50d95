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
//! * `derived_lent/*`: a `Record` the store keeps and lends
//!   (`State::from_record_ref`, as the memory store's `load_with` does) →
//!   accessors → `changes()`.
//!
//! * `derived_bytes/*`: bytes in and bytes out with no `Record` between
//!   (`State::from_bytes`, `State::to_bytes`), as a cookie store runs it
//!   around its envelope.
//!
//! `one_field` reads and writes one field; `all_fields` reads and writes
//! every field. Run: `cargo bench -p session-core --bench derive`.

mod common;

use std::hint::black_box;

use common::profile::{
    Profile, config, load, load_bytes, load_lent, sample, save_bytes, save_changes, save_full,
    stored_record, touch_all, touch_every, touch_one,
};
use criterion::{Criterion, criterion_main};
use session_core::Session;
use session_core::id::Id;
use session_core::store::Record;

fn bench(c: &mut Criterion) {
    let config = config();
    let id = Id::generate();
    let plain = serde_json::to_vec(&sample()).expect("json");
    let record = stored_record(&config);
    let lent = Record::from_bytes(record.clone()).expect("a record");
    eprintln!(
        "plain struct JSON: {} bytes; stored record: {} bytes",
        plain.len(),
        record.len()
    );

    // (case, the serde side's edit, the same edit through the accessors)
    type SerdeEdit = fn(&mut Profile);
    type DerivedEdit = fn(&Session<Profile>);
    let cases: [(&str, SerdeEdit, DerivedEdit); 2] = [
        (
            "one_field",
            |p| p.counter = black_box(p.counter) + 1,
            touch_one,
        ),
        ("all_fields", touch_all, touch_every),
    ];
    let mut g = c.benchmark_group("derive_2kb");
    for (case, serde_edit, edit) in cases {
        g.bench_function(format!("serde_whole/{case}"), |b| {
            b.iter(|| {
                let mut p: Profile = serde_json::from_slice(black_box(&plain)).expect("decode");
                serde_edit(&mut p);
                serde_json::to_vec(&p).expect("encode")
            })
        });
        g.bench_function(format!("derived/{case}"), |b| {
            b.iter(|| {
                let s = load(&config, id, black_box(&record));
                edit(&s);
                save_changes(&s)
            })
        });
        g.bench_function(format!("derived_full/{case}"), |b| {
            b.iter(|| {
                let s = load(&config, id, black_box(&record));
                edit(&s);
                save_full(&s)
            })
        });
        g.bench_function(format!("derived_lent/{case}"), |b| {
            b.iter(|| {
                let s = load_lent(&config, id, black_box(&lent));
                edit(&s);
                save_changes(&s)
            })
        });
        g.bench_function(format!("derived_bytes/{case}"), |b| {
            b.iter(|| {
                let s = load_bytes(&config, black_box(&record));
                edit(&s);
                save_bytes(&s)
            })
        });
    }
    g.finish();
}

// `criterion_group!` defines an undocumented `pub fn benches`.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
use group::benches;
criterion_main!(benches);
