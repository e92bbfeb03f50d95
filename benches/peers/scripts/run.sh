#!/usr/bin/env sh
# Runs the peer benchmark RUNS times (default 1), keeping each run's
# criterion results in $OUT/run-N, then prints the report for all runs.
# Usage (from benches/peers): scripts/run.sh [RUNS] [criterion filter]
set -eu
RUNS=${1:-1}
FILTER=${2:-}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-peer-bench}
OUT=${OUT:-$CARGO_TARGET_DIR/peer-runs}
mkdir -p "$OUT"
cargo bench --bench sessions --no-run
i=1
while [ "$i" -le "$RUNS" ]; do
    rm -rf "$CARGO_TARGET_DIR/criterion"
    cargo bench --bench sessions -- --warm-up-time 1 --measurement-time 2 $FILTER
    rm -rf "$OUT/run-$i"
    cp -r "$CARGO_TARGET_DIR/criterion" "$OUT/run-$i"
    i=$((i + 1))
done
python3 scripts/report.py "$OUT"/run-*
