//! Runs one case `n` times, for instruction counts under callgrind
//! (`valgrind --tool=callgrind`), which stay exact on a busy machine:
//! `icount <case> <rw|untouched> <n>`; the cost per request is the
//! difference between two `n` divided by their difference.

use peer_bench::{
    axum_peers::{self, tower_sessions_memory},
    ours,
    payload::Payload,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (case, path, n) = (&args[1], &args[2], args[3].parse::<u64>().expect("n"));
    let path: &'static str = if path == "rw" { "/rw" } else { "/untouched" };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    let payload = Payload::of_size(224);
    rt.block_on(async {
        macro_rules! run {
            ($case:expr) => {{
                $case.with_path(path).timed(n).await;
            }};
        }
        match case.as_str() {
            "baseline" => run!(axum_peers::baseline(&payload)),
            "noop" => run!(axum_peers::noop_layer(&payload)),
            "ours" => run!(ours::memory(&payload).await),
            "ours_around" => run!(ours::memory_around_router(&payload).await),
            "tower" => run!(tower_sessions_memory::case(&payload).await),
            "signed" => run!(ours::signed(&payload).await.expect("fits")),
            "encrypted" => run!(ours::encrypted(&payload).await.expect("fits")),
            other => panic!("unknown case {other}"),
        }
    });
}
