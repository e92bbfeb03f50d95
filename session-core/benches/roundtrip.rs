//! Whole-session and one-field round trips through our stack, each beside
//! the floor (serde_json of the whole struct + HMAC-SHA256 or AES-256-GCM +
//! base64, by hand). Issue 2 targets: whole-session round trip within 1.3×
//! of the floor; one-field round trip of the ~2 KB session at least 2×
//! faster than the floor.
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

use common::{Data, Floor, USER_ID, VISITS, config, config_with, filled_state, read_all};
use session_core::Handle;
use session_core::config::Config;
use session_core::envelope::{Codec, Compression, Context, DEFAULT_COMPRESS_THRESHOLD, Times};
use session_core::state::State;
use session_core::store::Record;

const COOKIE: Context<'static> = Context::cookie("id");

struct Case {
    name: &'static str,
    data: Data,
}

fn cases() -> [Case; 2] {
    [
        Case {
            name: "200B",
            data: Data::sample(0, 0),
        },
        Case {
            name: "2KB",
            data: Data::sample(16, 14),
        },
    ]
}

fn codec(config: &Config) -> &Codec {
    config.codec().expect("bench config has keys")
}

/// Our stack, one way and back: State → Record → JSON → envelope → JSON →
/// Record → State, then every field decoded.
fn ours_whole(
    config: &Arc<Config>,
    state: &mut State,
    times: Times,
    sealed: bool,
) -> (State, usize) {
    let codec = codec(config);
    let json = state.to_record().expect("encodes").to_json();
    let opened = if sealed {
        let token = codec.seal(&COOKIE, times, &json);
        codec.open(&COOKIE, &token, times.issued_at)
    } else {
        let token = codec.sign(&COOKIE, times, &json);
        codec.verify(&COOKIE, &token, times.issued_at)
    }
    .expect("round trip");
    let record = Record::from_json(&opened.payload).expect("a record");
    let mut back = State::from_record(Arc::clone(config), None, record);
    let n = read_all(&mut back);
    (back, n)
}

/// The configs compared: "ours" never deflates, like the floor; "ours_deflate"
/// is the default codec, which deflates payloads from
/// `DEFAULT_COMPRESS_THRESHOLD` bytes (benched only where that applies).
fn configs(record_len: usize) -> Vec<(&'static str, Arc<Config>)> {
    let mut out = vec![("ours", config_with(Compression::OFF).0)];
    if record_len >= DEFAULT_COMPRESS_THRESHOLD {
        out.push(("ours_deflate", config().0));
    }
    out
}

fn whole(c: &mut Criterion) {
    let (config, now) = config();
    let times = Times::unbounded(now);
    let floor = Floor::new();
    for case in cases() {
        let mut state = filled_state(&config, &case.data);
        let record_len = state.to_record().expect("encodes").to_json().len();
        let floor_len = serde_json::to_vec(&case.data).expect("json").len();
        eprintln!(
            "{}: record JSON {record_len} B, floor struct JSON {floor_len} B",
            case.name
        );
        for sealed in [false, true] {
            let group = if sealed { "seal_open" } else { "sign_verify" };
            let mut g = c.benchmark_group(format!("{group}/{}", case.name));
            for (name, config) in configs(record_len) {
                let mut state = filled_state(&config, &case.data);
                g.bench_function(name, |b| {
                    b.iter(|| ours_whole(&config, black_box(&mut state), times, sealed))
                });
            }
            g.bench_function("floor", |b| {
                if sealed {
                    b.iter(|| floor.open(&floor.seal(black_box(&case.data))).expect("ok"))
                } else {
                    b.iter(|| {
                        floor
                            .verify(&floor.sign(black_box(&case.data)))
                            .expect("ok")
                    })
                }
            });
            g.finish();
        }
    }
}

/// Load from a signed token, read `user_id`, write `visits`, make the new
/// token. Only `user_id` and `visits` meet serde; the other fields travel as
/// raw bytes.
fn ours_one_field(
    config: &Arc<Config>,
    token: &str,
    now: session_core::clock::Timestamp,
) -> String {
    let codec = codec(config);
    let opened = codec.verify(&COOKIE, token, now).expect("verifies");
    let record = Record::from_json(&opened.payload).expect("a record");
    let handle = Handle::new(State::from_record(Arc::clone(config), None, record));
    let user = *handle.get(&USER_ID, || 0u64);
    handle.set(&VISITS, (user % 1000) as u32 + 1);
    let json = handle.lock().to_record().expect("encodes").to_json();
    codec.sign(&COOKIE, opened.times, &json)
}

fn floor_one_field(floor: &Floor, token: &str) -> String {
    let mut data = floor.verify(token).expect("verifies");
    data.visits = (data.user_id % 1000) as u32 + 1;
    floor.sign(&data)
}

fn one_field(c: &mut Criterion) {
    let (config, now) = config();
    let times = Times::unbounded(now);
    let floor = Floor::new();
    for case in cases() {
        let record_len = filled_state(&config, &case.data)
            .to_record()
            .expect("encodes")
            .to_json()
            .len();
        let floor_token = floor.sign(&case.data);
        let mut g = c.benchmark_group(format!("one_field/{}", case.name));
        for (name, config) in configs(record_len) {
            let json = filled_state(&config, &case.data)
                .to_record()
                .expect("encodes")
                .to_json();
            let token = codec(&config).sign(&COOKIE, times, &json);
            eprintln!(
                "{}: signed token {} B ({name}), {} B (floor)",
                case.name,
                token.len(),
                floor_token.len()
            );
            g.bench_function(name, |b| {
                b.iter(|| ours_one_field(&config, black_box(&token), now))
            });
        }
        g.bench_function("floor", |b| {
            b.iter(|| floor_one_field(&floor, black_box(&floor_token)))
        });
        g.finish();
    }
}

criterion_group!(benches, whole, one_field);
criterion_main!(benches);
