//! Per-request cost of session layers, in process. See BENCHMARKS.md.
//!
//! Each benchmark times `iters` requests in a row inside one `block_on`
//! (`iter_custom`), so no executor start-up is measured: axum on a tokio
//! current-thread runtime through `Router::oneshot`, actix on its own
//! `System` through `actix_web::test::call_service`.

use std::{fmt::Write as _, time::Duration};

use actix_session::config::CookieContentSecurity;
use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use peer_bench::{
    actix_peers,
    axum_harness::{AxumCase, AxumService},
    axum_peers::{self, axum_extra_private, tower_sessions_cookie, tower_sessions_memory},
    ours,
    payload::{Payload, SIZES},
};

/// Sizes at which the untouched request is measured.
const UNTOUCHED_SIZES: [usize; 2] = [224, 2200];

struct Ctx {
    tokio: tokio::runtime::Runtime,
    actix: actix_rt::SystemRunner,
    /// `variant<TAB>payload<TAB>cookie header bytes`, written next to
    /// criterion's results for the report script.
    sizes: String,
}

impl Ctx {
    fn bench_axum<S>(
        &mut self,
        g: &mut BenchmarkGroup<'_, WallTime>,
        name: &str,
        size: usize,
        case: &AxumCase<S>,
    ) where
        S: AxumService,
    {
        writeln!(self.sizes, "{name}\t{size}\t{}", case.cookie_len()).expect("string");
        let rt = &self.tokio;
        g.bench_function(name, |b| {
            b.iter_custom(|iters| rt.block_on(case.timed(iters)))
        });
    }
}

impl Ctx {
    /// Checks that an untouched request sets no cookie and reaches the
    /// handler, then times it.
    fn untouched<S>(
        &mut self,
        g: &mut BenchmarkGroup<'_, WallTime>,
        name: &str,
        size: usize,
        case: &AxumCase<S>,
    ) where
        S: AxumService,
    {
        let probe = self.tokio.block_on(case.probe());
        assert!(
            probe.set_cookies.is_empty() && probe.body == axum_peers::UNTOUCHED,
            "{name}: {probe:?}"
        );
        self.bench_axum(g, name, size, case);
    }
}

macro_rules! bench_actix {
    ($ctx:expr, $g:expr, $name:expr, $size:expr, $case:expr) => {{
        let case = $case;
        writeln!($ctx.sizes, "{}\t{}\t{}", $name, $size, case.cookie_len()).expect("string");
        let sys = &$ctx.actix;
        $g.bench_function($name, |b| {
            b.iter_custom(|iters| sys.block_on(case.timed(iters)))
        });
    }};
}

fn sessions(c: &mut Criterion) {
    let mut ctx = Ctx {
        tokio: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio"),
        actix: actix_rt::System::new(),
        sizes: String::new(),
    };
    for size in SIZES {
        let payload = Payload::of_size(size);
        let mut g = c.benchmark_group(format!("rw_{size}"));

        let base = axum_peers::baseline(&payload);
        ctx.bench_axum(&mut g, "axum_baseline", size, &base);
        ctx.bench_axum(
            &mut g,
            "axum_noop_layer",
            size,
            &axum_peers::noop_layer(&payload),
        );
        let case = ctx.tokio.block_on(ours::memory(&payload));
        ctx.bench_axum(&mut g, "ours_memory", size, &case);
        // Labelled apart: not the `Router::layer` setup every other layered
        // variant (and the no-op floor) uses.
        let case = ctx.tokio.block_on(ours::memory_around_router(&payload));
        ctx.bench_axum(&mut g, "ours_memory_layer_around_router", size, &case);
        let case = ctx.tokio.block_on(tower_sessions_memory::case(&payload));
        ctx.bench_axum(&mut g, "tower_sessions_memory", size, &case);
        for (name, case) in [
            (
                "ours_cookie_signed",
                ctx.tokio.block_on(ours::signed(&payload)),
            ),
            (
                "ours_cookie_signed_nodeflate",
                ctx.tokio.block_on(ours::signed_uncompressed(&payload)),
            ),
            (
                "ours_cookie_encrypted",
                ctx.tokio.block_on(ours::encrypted(&payload)),
            ),
            (
                "tower_sessions_cookie_signed",
                ctx.tokio.block_on(tower_sessions_cookie::signed(&payload)),
            ),
            (
                "tower_sessions_cookie_private",
                ctx.tokio.block_on(tower_sessions_cookie::private(&payload)),
            ),
            // axum-extra has no size check: past 4096 B it sends a cookie
            // browsers drop; measured anyway, flagged in the report.
            (
                "axum_extra_private_jar",
                Some(ctx.tokio.block_on(axum_extra_private::case(&payload))),
            ),
        ] {
            match case {
                Some(case) => ctx.bench_axum(&mut g, name, size, &case),
                None => {
                    eprintln!("{name} at {size} B: session refused (over the store's 4096 B limit)")
                }
            }
        }

        let base = ctx.actix.block_on(actix_peers::baseline(&payload));
        bench_actix!(ctx, g, "actix_baseline", size, base);
        for (name, security) in [
            (
                "actix_session_cookie_private",
                CookieContentSecurity::Private,
            ),
            ("actix_session_cookie_signed", CookieContentSecurity::Signed),
        ] {
            match ctx
                .actix
                .block_on(actix_peers::cookie_session(&payload, security))
            {
                Some(case) => bench_actix!(ctx, g, name, size, case),
                None => eprintln!(
                    "{name} at {size} B: session refused (over actix-session's 4064 B limit)"
                ),
            }
        }
        g.finish();
    }

    for size in UNTOUCHED_SIZES {
        let payload = Payload::of_size(size);
        let mut g = c.benchmark_group(format!("untouched_{size}"));
        let base = axum_peers::baseline(&payload).with_path("/untouched");
        ctx.bench_axum(&mut g, "axum_baseline", size, &base);
        let noop = axum_peers::noop_layer(&payload).with_path("/untouched");
        ctx.bench_axum(&mut g, "axum_noop_layer", size, &noop);
        let cases = [
            ("ours_memory", ctx.tokio.block_on(ours::memory(&payload))),
            (
                "ours_cookie_signed",
                ctx.tokio.block_on(ours::signed(&payload)).expect("fits"),
            ),
        ];
        for (name, case) in cases {
            ctx.untouched(&mut g, name, size, &case.with_path("/untouched"));
        }
        let case = ctx
            .tokio
            .block_on(ours::memory_around_router(&payload))
            .with_path("/untouched");
        ctx.untouched(&mut g, "ours_memory_layer_around_router", size, &case);
        let case = ctx
            .tokio
            .block_on(tower_sessions_memory::case(&payload))
            .with_path("/untouched");
        ctx.untouched(&mut g, "tower_sessions_memory", size, &case);
        g.finish();
    }

    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let path = format!("{dir}/criterion/cookie_sizes.tsv");
    if let Err(e) = std::fs::write(&path, &ctx.sizes) {
        eprintln!("could not write {path}: {e}");
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    targets = sessions
}
criterion_main!(benches);
