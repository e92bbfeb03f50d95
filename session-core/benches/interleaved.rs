//! Ratios that criterion's sequential medians cannot settle on a shared
//! machine: ours and the floor run alternately, in short rounds of the
//! same length, and the ratio is taken within each round, so drift in the
//! machine's speed (other tenants, frequency) cancels out. Prints the
//! 25th, 50th and 75th percentile of the per-round ratios (ours / floor;
//! above 1 means ours is slower).
//!
//! * `whole/<set>/<size>`: the issue 2 whole-session round trip (sign and
//!   verify, compression off), as `roundtrip`'s `sign_verify` group;
//!   `whole_sealed/<set>/<size>`: the same sealed and opened (`seal_open`).
//!   Each is followed by a second line, `required floor / floor`: the
//!   floor with only what issue 2 requires of every token added, still by
//!   hand on the whole struct (issued-at and expiry in the authenticated
//!   header, purpose and cookie name bound, the MAC over the base64 text
//!   checked before decoding (A11), the expiry checked; sealed: the header
//!   as associated data and the times sealed with the payload). It reads
//!   how much of a whole-session ratio the requirements themselves cost,
//!   and how much our per-field design does (ours / required floor is the
//!   quotient of the two lines).
//! * `derive_2kb/all_fields`: the issue 3 case, as `derive`'s
//!   `derived/all_fields` against `serde_whole/all_fields` (a server
//!   store: `Record` in, `Changes` out).
//! * `derive_2kb/all_fields_bytes`: the same, bytes in and bytes out, as a
//!   cookie store runs it (`derived_bytes/all_fields`).
//! * `derive_2kb/all_fields_lent`: a record lent by the store (the memory
//!   store's path), `Changes` out (`derived_lent/all_fields`).
//!
//! ```text
//! cargo bench -p session-core --bench interleaved
//! ```

// A plain `main`: the ratio is the result, not a timing.
#![allow(missing_docs, clippy::print_stdout)]

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::profile::{
    Profile, config, load, load_bytes, load_lent, sample, save_bytes, save_changes, stored_record,
    touch_all, touch_every,
};
use common::{Dataset, Floor, Numeric, Text, config_with, filled_state, ours_whole};
use session_core::envelope::{Compression, Times};
use session_core::id::Id;
use session_core::store::Record;

const ROUNDS: usize = 200;
const PER_ROUND: usize = 300;

/// Runs `ours` and `floor` alternately and prints the per-round ratios.
fn compare(name: &str, ours: impl FnMut(), floor: impl FnMut()) {
    compare_as(name, "ours / floor", ours, floor);
}

/// As [`compare`], the ratio printed as `label`.
fn compare_as(name: &str, label: &str, mut ours: impl FnMut(), mut floor: impl FnMut()) {
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            f();
        }
        t.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|_| time(&mut ours) / time(&mut floor))
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: usize| ratios[(ratios.len() - 1) * q / 100];
    println!(
        "{name}: {label} p25 {:.2}  median {:.2}  p75 {:.2}",
        at(25),
        at(50),
        at(75)
    );
}

/// The whole-session round trip, signed (`sealed == false`) or sealed.
fn whole<D: Dataset>(name: &str, d: &D, sealed: bool) {
    let (config, now) = config_with(Compression::OFF);
    let times = Times::unbounded(now);
    let floor = Floor::new();
    let mut state = filled_state(&config, d);
    compare(
        name,
        || {
            black_box(ours_whole::<D>(&config, &mut state, times, sealed));
        },
        || {
            black_box(floor.whole::<D>(black_box(d), sealed));
        },
    );
    // What issue 2 requires of every token, by hand, against the bare
    // floor: the share of the ratio above that no design can avoid.
    let now_ms = now.unix_millis() as u64;
    compare_as(
        name,
        "required floor / floor",
        || {
            black_box(floor.whole_required::<D>(black_box(d), sealed, now_ms));
        },
        || {
            black_box(floor.whole::<D>(black_box(d), sealed));
        },
    );
}

fn main() {
    for (sealed, mode) in [(false, "whole"), (true, "whole_sealed")] {
        whole(&format!("{mode}/text/200B"), &Text::sample(0, 0), sealed);
        whole(
            &format!("{mode}/numeric/200B"),
            &Numeric::sample(2, 0, 1),
            sealed,
        );
        whole(&format!("{mode}/text/2KB"), &Text::sample(16, 14), sealed);
        whole(
            &format!("{mode}/numeric/2KB"),
            &Numeric::sample(12, 16, 8),
            sealed,
        );
    }

    let config = config();
    let id = Id::generate();
    let plain = serde_json::to_vec(&sample()).expect("json");
    let record = stored_record(&config);
    let serde_whole = || {
        let mut p: Profile = serde_json::from_slice(black_box(&plain)).expect("decode");
        touch_all(&mut p);
        black_box(serde_json::to_vec(&p).expect("encode"));
    };
    compare(
        "derive_2kb/all_fields",
        || {
            let s = load(&config, id, black_box(&record));
            touch_every(&s);
            black_box(save_changes(&s));
        },
        serde_whole,
    );
    let lent = Record::from_bytes(record.clone()).expect("a record");
    compare(
        "derive_2kb/all_fields_lent",
        || {
            let s = load_lent(&config, id, black_box(&lent));
            touch_every(&s);
            black_box(save_changes(&s));
        },
        serde_whole,
    );
    compare(
        "derive_2kb/all_fields_bytes",
        || {
            let s = load_bytes(&config, black_box(&record));
            touch_every(&s);
            black_box(save_bytes(&s));
        },
        serde_whole,
    );
}
