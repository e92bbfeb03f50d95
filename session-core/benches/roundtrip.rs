//! Whole-session and one-field round trips through our stack, each beside
//! the floor (serde_json of the whole struct + HMAC-SHA256 or AES-256-GCM +
//! base64, by hand). Issue 2 targets: whole-session round trip within 1.3×
//! of the floor; one-field round trip of the ~2 KB session at least 2×
//! faster than the floor.
//!
//! Two datasets, each at ~200 B and ~2 KB of JSON: `text` (string-heavy:
//! serde is cheap, the floor is mostly HMAC/AES and base64) and `numeric`
//! (prices, ids, small nested structs, options, maps: serde dominates, as in
//! the issue's own measurements). The `serde` group times the floor's
//! whole-struct decode and encode alone, to show that calibration.
//!
//! ```text
//! cargo bench -p session-core --bench roundtrip -- --warm-up-time 1 --measurement-time 3
//! ```

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

use common::{
    COOKIE, Dataset, Floor, Numeric, Text, USER_ID, VISITS, codec, config, config_with,
    filled_state, ours_whole, record_bytes,
};
use session_core::Handle;
use session_core::clock::Timestamp;
use session_core::config::Config;
use session_core::envelope::{Compression, DEFAULT_COMPRESS_THRESHOLD, Times};
use session_core::state::State;

/// One dataset in its two sizes: (size name, value).
type Sizes<D> = [(&'static str, D); 2];

fn text() -> Sizes<Text> {
    [("200B", Text::sample(0, 0)), ("2KB", Text::sample(16, 14))]
}

fn numeric() -> Sizes<Numeric> {
    [
        ("200B", Numeric::sample(2, 0, 1)),
        ("2KB", Numeric::sample(12, 16, 8)),
    ]
}

fn record_json<D: Dataset>(config: &Arc<Config>, d: &D) -> bytes::Bytes {
    record_bytes(config, &mut filled_state(config, d))
}

/// The floor's serde cost alone: whole-struct decode and encode, beside
/// HMAC-SHA256 of the same JSON. The issue measured decode ≈ 2.6× and
/// encode ≈ 1.4× the HMAC at 224 B, ≈ 6.3× and ≈ 2.5× at 2.2 KB; the ratios
/// hold under the machine's shifting load where absolute times do not.
fn serde_group<D: Dataset>(c: &mut Criterion, set: &str, sizes: &Sizes<D>) {
    let floor = Floor::new();
    for (size, d) in sizes {
        let json = serde_json::to_vec(d).expect("json");
        eprintln!("{set}/{size}: struct JSON {} B", json.len());
        let mut g = c.benchmark_group(format!("serde/{set}/{size}"));
        g.bench_function("decode", |b| {
            b.iter(|| serde_json::from_slice::<D>(black_box(&json)).expect("decodes"))
        });
        g.bench_function("encode", |b| {
            b.iter(|| serde_json::to_vec(black_box(d)).expect("encodes"))
        });
        g.bench_function("hmac", |b| b.iter(|| floor.mac(black_box(&json))));
        g.finish();
    }
}

fn serde(c: &mut Criterion) {
    serde_group(c, "text", &text());
    serde_group(c, "numeric", &numeric());
}

/// The configs compared: "ours" never deflates, like the floor; "ours_deflate"
/// is the default codec of the signed cookie store, which deflates each
/// field from `DEFAULT_FIELD_COMPRESS_THRESHOLD` bytes and the payload from
/// `DEFAULT_COMPRESS_THRESHOLD` bytes (benched for the large sessions).
fn configs(record_len: usize) -> Vec<(&'static str, Arc<Config>)> {
    let mut out = vec![("ours", config_with(Compression::OFF).0)];
    if record_len >= DEFAULT_COMPRESS_THRESHOLD {
        out.push(("ours_deflate", config().0));
    }
    out
}

fn whole_group<D: Dataset>(c: &mut Criterion, set: &str, sizes: &Sizes<D>) {
    let (_, now) = config();
    let times = Times::unbounded(now);
    let floor = Floor::new();
    for (size, d) in sizes {
        let record_len = record_json(&config_with(Compression::OFF).0, d).len();
        let floor_len = serde_json::to_vec(d).expect("json").len();
        eprintln!("{set}/{size}: record {record_len} B, floor struct JSON {floor_len} B");
        for sealed in [false, true] {
            let group = if sealed { "seal_open" } else { "sign_verify" };
            let mut g = c.benchmark_group(format!("{group}/{set}/{size}"));
            for (name, config) in configs(record_len) {
                let mut state = filled_state(&config, d);
                g.bench_function(name, |b| {
                    b.iter(|| ours_whole::<D>(&config, black_box(&mut state), times, sealed))
                });
            }
            g.bench_function("floor", |b| {
                b.iter(|| floor.whole::<D>(black_box(d), sealed))
            });
            g.finish();
        }
    }
}

fn whole(c: &mut Criterion) {
    whole_group(c, "text", &text());
    whole_group(c, "numeric", &numeric());
}

/// Load from a signed token, read `user_id`, write `visits`, make the new
/// token. Only `user_id` and `visits` meet serde; the other fields travel as
/// raw bytes.
fn ours_one_field(config: &Arc<Config>, token: &str, now: Timestamp) -> String {
    let codec = codec(config);
    let opened = codec.verify(&COOKIE, token, now).expect("verifies");
    let state = State::from_bytes(Arc::clone(config), None, opened.payload).expect("a record");
    let handle = Handle::new(state);
    let user = *handle.get(&USER_ID, || 0u64);
    handle.set(&VISITS, (user % 1000) as u32 + 1);
    let json = record_bytes(config, &mut handle.lock());
    codec.sign(&COOKIE, opened.times, &json)
}

fn floor_one_field<D: Dataset>(floor: &Floor, token: &str) -> String {
    let mut data: D = floor.verify(token).expect("verifies");
    data.set_visits((data.user_id() % 1000) as u32 + 1);
    floor.sign(&data)
}

fn one_field_group<D: Dataset>(c: &mut Criterion, set: &str, sizes: &Sizes<D>) {
    let (_, now) = config();
    let times = Times::unbounded(now);
    let floor = Floor::new();
    for (size, d) in sizes {
        let record_len = record_json(&config_with(Compression::OFF).0, d).len();
        let floor_token = floor.sign(d);
        let mut g = c.benchmark_group(format!("one_field/{set}/{size}"));
        for (name, config) in configs(record_len) {
            let json = record_json(&config, d);
            let token = codec(&config).sign(&COOKIE, times, &json);
            eprintln!(
                "{set}/{size}: signed token {} B ({name}), {} B (floor)",
                token.len(),
                floor_token.len()
            );
            g.bench_function(name, |b| {
                b.iter(|| ours_one_field(&config, black_box(&token), now))
            });
        }
        g.bench_function("floor", |b| {
            b.iter(|| floor_one_field::<D>(&floor, black_box(&floor_token)))
        });
        g.finish();
    }
}

fn one_field(c: &mut Criterion) {
    one_field_group(c, "text", &text());
    one_field_group(c, "numeric", &numeric());
}

criterion_group!(benches, serde, whole, one_field);
criterion_main!(benches);
