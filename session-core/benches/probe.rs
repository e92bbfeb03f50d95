//! Runs one case of the core benches `n` times, for instruction counts
//! under callgrind, which stay exact on a busy machine (criterion's
//! timings do not):
//!
//! ```text
//! cargo bench -p session-core --bench probe --no-run
//! valgrind --tool=callgrind target/release/deps/probe-<hash> <case> 200
//! valgrind --tool=callgrind target/release/deps/probe-<hash> <case> 1200
//! ```
//!
//! The cost of one iteration is the difference of the two totals divided
//! by 1000. `probe phases 1` prints wall-clock nanoseconds per phase of
//! the whole-session round trip instead.
//!
//! Cases: `whole` (the `interleaved` bench's `whole/text/200B`, ours) and
//! `floor` (its floor); `whole_sealed` and `floor_sealed` (the same for
//! `whole_sealed/text/200B`); `whole_numeric` and `floor_numeric` (the same for
//! `whole/numeric/200B`); `derive`, `derive_lent`, `derive_bytes` (issue 3's
//! every-field case: server path from bytes, from a lent record, cookie
//! path) and `serde` (their floor); the phases
//! of `whole` alone: `to_bytes`, `sign`, `verify`, `from_bytes`
//! (with the drop), `read` (from_bytes, every field read, drop),
//! `floor_decode`, its floor (serde of the whole struct, drop), and
//! `floor_encode`, the floor of `to_bytes` (serde of the whole struct);
//! `seal` and `open`, the envelope phases of `whole_sealed`.
//! `probe phases_sealed 1` times each phase of `whole_sealed` beside the
//! floor's own in alternating rounds and prints the median of each and
//! of their ratio: which phase the whole-session gap comes from.

// A plain `main` that prints.
#![allow(missing_docs, clippy::print_stdout)]

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use common::profile::{
    Profile, config, load, load_bytes, load_lent, sample, save_bytes, save_changes, stored_record,
    touch_all, touch_every,
};
use common::{
    COOKIE, Dataset, Floor, Numeric, Text, config_with, filled_state, ours_whole, record_bytes,
};
use session_core::clock::Timestamp;
use session_core::envelope::{Compression, Times};
use session_core::id::Id;
use session_core::state::State;
use session_core::store::Record;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(case), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse().ok())) else {
        eprintln!("usage: probe <case> <n>");
        std::process::exit(2);
    };
    // The whole-session round trip (issue 2, 200 B, text).
    let d = Text::sample(0, 0);
    let (cfg, now) = config_with(Compression::OFF);
    let codec = cfg.codec().expect("bench config has keys").clone();
    let times = Times::unbounded(now);
    let floor = Floor::new();
    let mut state = filled_state(&cfg, &d);
    let record = state.to_bytes().expect("encodes");
    let token = codec.sign(&COOKIE, times, &record);
    let payload = codec
        .verify(&COOKIE, &token, now)
        .expect("verifies")
        .payload;
    // The derive case (issue 3, 2 KB).
    let pconfig = config();
    let id = Id::generate();
    let plain = serde_json::to_vec(&sample()).expect("json");
    let stored = stored_record(&pconfig);
    // The numeric 200 B session of the same round trip.
    let dn = Numeric::sample(2, 0, 1);
    let mut numeric = filled_state(&cfg, &dn);
    let read = || {
        let mut back =
            State::from_bytes(Arc::clone(&cfg), None, payload.clone()).expect("a record");
        black_box(Text::read_all(&mut back));
    };
    let mut run: Box<dyn FnMut()> = match case.as_str() {
        "whole" => Box::new(|| {
            black_box(ours_whole::<Text>(&cfg, &mut state, times, false));
        }),
        "floor" => Box::new(|| {
            black_box(floor.whole::<Text>(black_box(&d), false));
        }),
        "whole_sealed" => Box::new(|| {
            black_box(ours_whole::<Text>(&cfg, &mut state, times, true));
        }),
        "floor_sealed" => Box::new(|| {
            black_box(floor.whole::<Text>(black_box(&d), true));
        }),
        "whole_numeric" => Box::new(|| {
            black_box(ours_whole::<Numeric>(&cfg, &mut numeric, times, false));
        }),
        "floor_numeric" => Box::new(|| {
            black_box(floor.whole::<Numeric>(black_box(&dn), false));
        }),
        "to_bytes" => Box::new(|| {
            black_box(state.to_bytes().expect("encodes"));
        }),
        "sign" => Box::new(|| {
            black_box(codec.sign(&COOKIE, times, black_box(&record)));
        }),
        "verify" => Box::new(|| {
            black_box(
                codec
                    .verify(&COOKIE, black_box(&token), now)
                    .expect("verifies"),
            );
        }),
        "seal" => Box::new(|| {
            black_box(codec.seal(&COOKIE, times, black_box(&record)));
        }),
        "open" => {
            let sealed = codec.seal(&COOKIE, times, &record);
            Box::new(move || {
                black_box(codec.open(&COOKIE, black_box(&sealed), now).expect("opens"));
            })
        }
        "from_bytes" => Box::new(|| {
            black_box(
                State::from_bytes(Arc::clone(&cfg), None, payload.clone()).expect("a record"),
            );
        }),
        "read" => Box::new(read),
        "floor_encode" => Box::new(|| {
            black_box(serde_json::to_vec(black_box(&d)).expect("json"));
        }),
        "floor_decode" => {
            let json = serde_json::to_vec(&d).expect("json");
            Box::new(move || {
                black_box(serde_json::from_slice::<Text>(black_box(&json)).expect("json"));
            })
        }
        "derive" => Box::new(|| {
            let s = load(&pconfig, id, black_box(&stored));
            touch_every(&s);
            black_box(save_changes(&s));
        }),
        "derive_lent" => {
            let record = Record::from_bytes(stored.clone()).expect("a record");
            Box::new(move || {
                let s = load_lent(&pconfig, id, black_box(&record));
                touch_every(&s);
                black_box(save_changes(&s));
            })
        }
        "derive_bytes" => Box::new(|| {
            let s = load_bytes(&pconfig, black_box(&stored));
            touch_every(&s);
            black_box(save_bytes(&s));
        }),
        "serde" => Box::new(|| {
            let mut p: Profile = serde_json::from_slice(black_box(&plain)).expect("decode");
            touch_all(&mut p);
            black_box(serde_json::to_vec(&p).expect("encode"));
        }),
        "phases_sealed" => {
            phases_sealed(&cfg, &d, &floor);
            return;
        }
        "phases" => {
            let n_record = numeric.to_bytes().expect("encodes");
            let n_token = codec.sign(&COOKIE, times, &n_record);
            println!(
                "numeric: record {} B, token {} B, floor token {} B",
                n_record.len(),
                n_token.len(),
                floor.sign(&dn).len()
            );
            phases(&mut state, &record, &token, &payload, &cfg, &d, &floor);
            return;
        }
        other => {
            eprintln!("unknown case {other}");
            std::process::exit(2);
        }
    };
    for _ in 0..n {
        run();
    }
}

/// Wall-clock nanoseconds per call of each phase (noisy on a shared
/// machine: compare phases within one run).
fn phases(
    state: &mut State,
    record: &[u8],
    token: &str,
    payload: &bytes::Bytes,
    cfg: &Arc<session_core::Config>,
    d: &Text,
    floor: &Floor,
) {
    const N: u32 = 200_000;
    let codec = cfg.codec().expect("bench config has keys");
    let now = state.meta().modified;
    let times = Times::unbounded(now);
    let time = |name: &str, f: &mut dyn FnMut()| {
        for _ in 0..N / 10 {
            f();
        }
        let start = Instant::now();
        for _ in 0..N {
            f();
        }
        let ns = start.elapsed().as_nanos() as f64 / f64::from(N);
        println!("{name}: {ns:.0} ns");
    };
    println!(
        "record {} B, token {} B, floor token {} B",
        record.len(),
        token.len(),
        floor.sign(d).len()
    );
    time("to_bytes", &mut || {
        black_box(state.to_bytes().expect("encodes"));
    });
    time("sign", &mut || {
        black_box(codec.sign(&COOKIE, times, black_box(record)));
    });
    time("verify", &mut || {
        black_box(
            codec
                .verify(&COOKIE, black_box(token), now)
                .expect("verifies"),
        );
    });
    time("from_bytes + drop", &mut || {
        black_box(State::from_bytes(Arc::clone(cfg), None, payload.clone()).expect("a record"));
    });
    time("from_bytes + read every field + drop", &mut || {
        let mut back = State::from_bytes(Arc::clone(cfg), None, payload.clone()).expect("a record");
        black_box(Text::read_all(&mut back));
    });
    let json = serde_json::to_vec(d).expect("json");
    time("floor: serde encode", &mut || {
        black_box(serde_json::to_vec(black_box(d)).expect("json"));
    });
    time("floor: serde decode", &mut || {
        black_box(serde_json::from_slice::<Text>(black_box(&json)).expect("json"));
    });
    time("floor: mac", &mut || {
        black_box(floor.mac(black_box(&json)));
    });
    let floor_token = floor.sign(d);
    time("floor: sign", &mut || {
        black_box(floor.sign(black_box(d)));
    });
    time("floor: verify", &mut || {
        black_box(floor.verify::<Text>(black_box(&floor_token)));
    });
}

/// Each phase of the sealed round trip beside the floor's own, timed in
/// alternating rounds (as the `interleaved` bench does): median
/// nanoseconds per call of each, and their ratio.
fn phases_sealed(cfg: &Arc<session_core::Config>, d: &Text, floor: &Floor) {
    const ROUNDS: usize = 200;
    const PER_ROUND: u32 = 500;
    let codec = cfg.codec().expect("bench config has keys");
    let now = Timestamp::from_unix_seconds(1_800_000_000);
    let times = Times::unbounded(now);
    let mut state = filled_state(cfg, d);
    let record = record_bytes(cfg, &mut state);
    let token = codec.seal(&COOKIE, times, &record);
    let payload = codec.open(&COOKIE, &token, now).expect("opens").payload;
    let json = serde_json::to_vec(d).expect("json");
    let floor_token = floor.seal_bytes(&json);
    let pair = |name: &str, ours: &mut dyn FnMut(), theirs: &mut dyn FnMut()| {
        let time = |f: &mut dyn FnMut()| {
            let t = Instant::now();
            for _ in 0..PER_ROUND {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(PER_ROUND)
        };
        let mut rounds: Vec<(f64, f64)> = (0..ROUNDS).map(|_| (time(ours), time(theirs))).collect();
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let mut a: Vec<f64> = rounds.iter().map(|r| r.0).collect();
        let mut b: Vec<f64> = rounds.iter().map(|r| r.1).collect();
        let mut q: Vec<f64> = rounds.drain(..).map(|r| r.0 / r.1).collect();
        println!(
            "{name}: ours {:.0} ns, floor {:.0} ns, ratio {:.2}",
            median(&mut a),
            median(&mut b),
            median(&mut q)
        );
    };
    pair(
        "encode (to_bytes / serde)",
        &mut || {
            black_box(record_bytes(cfg, &mut state));
        },
        &mut || {
            black_box(serde_json::to_vec(black_box(d)).expect("json"));
        },
    );
    pair(
        "seal",
        &mut || {
            black_box(codec.seal(&COOKIE, times, black_box(&record)));
        },
        &mut || {
            black_box(floor.seal_bytes(black_box(&json)));
        },
    );
    pair(
        "open",
        &mut || {
            black_box(codec.open(&COOKIE, black_box(&token), now).expect("opens"));
        },
        &mut || {
            black_box(floor.open_bytes(black_box(&floor_token)).expect("opens"));
        },
    );
    pair(
        "decode (from_bytes, read all / serde)",
        &mut || {
            let mut back =
                State::from_bytes(Arc::clone(cfg), None, payload.clone()).expect("a record");
            black_box(Text::read_all(&mut back));
        },
        &mut || {
            black_box(serde_json::from_slice::<Text>(black_box(&json)).expect("json"));
        },
    );
    let mut st = filled_state(cfg, d);
    pair(
        "whole",
        &mut || {
            black_box(ours_whole::<Text>(cfg, &mut st, times, true));
        },
        &mut || {
            black_box(floor.whole::<Text>(black_box(d), true));
        },
    );
}
