//! Where deflate starts to pay: for session-record JSON of 256 B .. 8 KB,
//! the cost of signing and verifying with compression forced on (the
//! thread-local reused deflater, plus inflate on verify) against
//! compression off, and the bytes it saves (printed before the run).
//! `DEFAULT_COMPRESS_THRESHOLD` in `envelope.rs` cites these figures.
//!
//! ```text
//! cargo bench -p session-core --bench compress -- --warm-up-time 1 --measurement-time 3
//! ```

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

use common::{Text, config, filled_state};
use session_core::envelope::{Codec, Compression, Context, Times};
use session_core::key::Key;

const COOKIE: Context<'static> = Context::cookie("id");
const SIZES: &[usize] = &[256, 512, 768, 1024, 1536, 2048, 4096, 8192];

/// A session record's JSON of at least `target` bytes (more cart lines and
/// visited pages as it grows).
fn payload(target: usize) -> Vec<u8> {
    let (config, _) = config();
    for n in 0.. {
        let json = filled_state(&config, &Text::sample(n, n))
            .to_record()
            .expect("encodes")
            .to_json();
        if json.len() >= target {
            return json;
        }
    }
    unreachable!("the loop returns once the record is large enough")
}

fn codecs() -> (Codec, Codec) {
    let key = Key::from_secret(common::SECRET).expect("strong");
    let limits = |c: Codec| c.with_max_token_len(64 * 1024);
    let on = limits(Codec::new(key.clone()).with_compression(Compression {
        threshold: 0,
        ..Compression::default()
    }));
    let off = limits(Codec::new(key).with_compression(Compression::OFF));
    (on, off)
}

fn compress(c: &mut Criterion) {
    let (_, now) = config();
    let times = Times::unbounded(now);
    let (on, off) = codecs();
    let payloads: Vec<(usize, Vec<u8>)> = SIZES.iter().map(|&s| (s, payload(s))).collect();
    for (size, json) in &payloads {
        let plain = off.sign(&COOKIE, times, json).len();
        let packed = on.sign(&COOKIE, times, json).len();
        eprintln!(
            "{size}: JSON {} B, token {plain} B plain, {packed} B deflated, saves {} B ({:.0}%)",
            json.len(),
            plain as isize - packed as isize,
            100.0 * (plain as f64 - packed as f64) / plain as f64
        );
    }

    let mut g = c.benchmark_group("sign_verify");
    for (size, json) in &payloads {
        for (name, codec) in [("deflate", &on), ("plain", &off)] {
            g.bench_with_input(BenchmarkId::new(name, size), json, |b, json| {
                b.iter(|| {
                    let token = codec.sign(&COOKIE, times, black_box(json));
                    codec.verify(&COOKIE, &token, now).expect("verifies")
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, compress);
criterion_main!(benches);
