//! Issue 4's ratios (224 B by default) measured in alternating rounds, for a
//! machine whose speed drifts (criterion times each variant in its own
//! stretch of seconds, so drift between stretches lands in the ratios).
//!
//! Each round times every case below for the same number of requests, one
//! after the other; the ratios are taken within the round (a peer's added
//! time over its framework's no-session baseline, divided by ours), and
//! the 25th, 50th and 75th percentile over all rounds are printed.
//!
//! ```text
//! cd benches/peers
//! cargo run --release --example interleaved [rounds] [requests per round] [payload bytes]
//! ```
//!
//! The payload size is one that `Payload::of_size` makes (224, 1024, 2200
//! or 3500); the cookie cases need it to fit in a cookie.

use actix_session::config::CookieContentSecurity;
use peer_bench::{
    actix_peers,
    axum_harness::{AxumCase, AxumService},
    axum_peers::{self, tower_sessions_memory},
    ours,
    payload::Payload,
};

/// Times `n` requests of an axum case, in seconds.
fn time_axum<S: AxumService>(rt: &tokio::runtime::Runtime, case: &AxumCase<S>, n: u32) -> f64 {
    rt.block_on(case.timed(u64::from(n))).as_secs_f64()
}

/// The 25th, 50th and 75th percentile of `v`.
fn quartiles(mut v: Vec<f64>) -> [f64; 3] {
    v.sort_by(f64::total_cmp);
    let at = |q: usize| v[(v.len() - 1) * q / 100];
    [at(25), at(50), at(75)]
}

fn main() {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let rounds = args.first().copied().unwrap_or(60);
    let n = args.get(1).copied().unwrap_or(2000);
    let size = args.get(2).copied().unwrap_or(224);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let sys = actix_rt::System::new();
    let payload = Payload::of_size(size as usize);

    let base = axum_peers::baseline(&payload);
    let noop = axum_peers::noop_layer(&payload);
    let memory = rt.block_on(ours::memory(&payload));
    let around = rt.block_on(ours::memory_around_router(&payload));
    let tower = rt.block_on(tower_sessions_memory::case(&payload));
    let signed = rt.block_on(ours::signed(&payload)).expect("fits");
    let encrypted = rt.block_on(ours::encrypted(&payload)).expect("fits");
    let base_u = base.with_path("/untouched");
    let noop_u = noop.with_path("/untouched");
    let memory_u = memory.with_path("/untouched");
    let around_u = around.with_path("/untouched");
    let actix_base = sys.block_on(actix_peers::baseline(&payload));
    let actix = sys
        .block_on(actix_peers::cookie_session(
            &payload,
            CookieContentSecurity::Private,
        ))
        .expect("fits");
    let time_actix = |n: u32| -> [f64; 2] {
        let n = u64::from(n);
        sys.block_on(async {
            let base = actix_base.timed(n).await.as_secs_f64();
            [base, actix.timed(n).await.as_secs_f64()]
        })
    };

    // Warm every case up once.
    let warm = n / 4;
    let _ = (
        time_axum(&rt, &base, warm),
        time_axum(&rt, &memory, warm),
        time_axum(&rt, &tower, warm),
        time_actix(warm),
    );

    // The issue's targets: at 224 B, and at 2.2 KB (where lazy per-field
    // decoding pays).
    let (memory_target, cookie_target) = if size >= 2200 {
        ("5", "4")
    } else {
        ("3", "2.5")
    };
    let names = [
        format!("memory vs tower-sessions, Router::layer (target ≥ {memory_target})"),
        "memory vs tower-sessions, around the Router".to_owned(),
        format!("signed cookie vs actix-session private (target ≥ {cookie_target})"),
        format!("encrypted cookie vs actix-session private (target ≥ {cookie_target})"),
        "untouched, Router::layer / no session (target ≤ 1.15)".to_owned(),
        "untouched, around the Router / no session".to_owned(),
        "untouched, no-op layer / no session".to_owned(),
    ];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut added_us: Vec<Vec<f64>> = vec![Vec::new(); 6];
    for _ in 0..rounds {
        let t_base = time_axum(&rt, &base, n);
        let t_memory = time_axum(&rt, &memory, n);
        let t_around = time_axum(&rt, &around, n);
        let t_tower = time_axum(&rt, &tower, n);
        let t_signed = time_axum(&rt, &signed, n);
        let t_encrypted = time_axum(&rt, &encrypted, n);
        let [t_actix_base, t_actix] = time_actix(n);
        let t_base_u = time_axum(&rt, &base_u, n);
        let t_memory_u = time_axum(&rt, &memory_u, n);
        let t_around_u = time_axum(&rt, &around_u, n);
        let t_noop_u = time_axum(&rt, &noop_u, n);

        let tower_added = t_tower - t_base;
        let actix_added = t_actix - t_actix_base;
        let ours_added = [
            t_memory - t_base,
            t_around - t_base,
            t_signed - t_base,
            t_encrypted - t_base,
        ];
        ratios[0].push(tower_added / ours_added[0]);
        ratios[1].push(tower_added / ours_added[1]);
        ratios[2].push(actix_added / ours_added[2]);
        ratios[3].push(actix_added / ours_added[3]);
        ratios[4].push(t_memory_u / t_base_u);
        ratios[5].push(t_around_u / t_base_u);
        ratios[6].push(t_noop_u / t_base_u);
        let per_request = |t: f64| t / f64::from(n) * 1e6;
        for (i, t) in ours_added
            .iter()
            .chain([&tower_added, &actix_added])
            .enumerate()
        {
            added_us[i].push(per_request(*t));
        }
    }

    println!("{size} B, {rounds} rounds of {n} requests per case");
    println!("ratio (median of per-round ratios, p25–p75 in brackets):");
    for (name, r) in names.iter().zip(ratios) {
        let [p25, p50, p75] = quartiles(r);
        println!("  {name}: {p50:.2} [{p25:.2}–{p75:.2}]");
    }
    println!("added µs per request over the framework's no-session baseline (median):");
    let added_names = [
        "ours memory, Router::layer",
        "ours memory, around the Router",
        "ours signed cookie",
        "ours encrypted cookie",
        "tower-sessions MemoryStore",
        "actix-session private cookie",
    ];
    for (name, a) in added_names.iter().zip(added_us) {
        println!("  {name}: {:.2}", quartiles(a)[1]);
    }
}
