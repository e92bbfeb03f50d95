#!/usr/bin/env python3
"""Turn criterion's results for the peer benchmark into the BENCHMARKS.md
tables (markdown on stdout) and, with --plot PATH, a PNG of added time vs
payload size.

Usage: python3 scripts/report.py CRITERION_DIR [--plot docs/added-time.png]
where CRITERION_DIR is $CARGO_TARGET_DIR/criterion of the bench run.
"""
import json
import os
import sys

SIZES = [224, 1024, 2200, 3500]
UNTOUCHED_SIZES = [224, 2200]

# (bench id, label, framework baseline id)
VARIANTS = [
    ("axum_noop_layer", "axum + a no-op tower layer (floor of any layer)", "axum_baseline"),
    ("ours_memory", "ours, memory store", "axum_baseline"),
    ("tower_sessions_memory", "tower-sessions MemoryStore", "axum_baseline"),
    ("ours_cookie_signed", "ours, signed cookie", "axum_baseline"),
    ("ours_cookie_signed_nodeflate", "ours, signed cookie, compression off", "axum_baseline"),
    ("ours_cookie_encrypted", "ours, encrypted cookie", "axum_baseline"),
    ("tower_sessions_cookie_signed", "tower-sessions-cookie-store signed", "axum_baseline"),
    ("tower_sessions_cookie_private", "tower-sessions-cookie-store private", "axum_baseline"),
    ("axum_extra_private_jar", "axum-extra PrivateCookieJar (typed)", "axum_baseline"),
    ("actix_session_cookie_private", "actix-session cookie, private (default)", "actix_baseline"),
    ("actix_session_cookie_signed", "actix-session cookie, signed", "actix_baseline"),
]
UNTOUCHED = [
    ("ours_memory", "ours, memory store"),
    ("ours_cookie_signed", "ours, signed cookie"),
    ("axum_noop_layer", "axum + a no-op tower layer"),
    ("tower_sessions_memory", "tower-sessions MemoryStore"),
]
# (ours, peer, size, target ratio peer_added / ours_added)
TARGETS = [
    ("ours_cookie_signed", "actix_session_cookie_private", 224, 2.5),
    ("ours_cookie_encrypted", "actix_session_cookie_private", 224, 2.5),
    ("ours_cookie_signed", "actix_session_cookie_private", 2200, 4.0),
    ("ours_cookie_encrypted", "actix_session_cookie_private", 2200, 4.0),
    ("ours_memory", "tower_sessions_memory", 224, 3.0),
    ("ours_memory", "tower_sessions_memory", 2200, 5.0),
]


def median_ns(root, group, bench):
    path = os.path.join(root, group, bench, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def cookie_sizes(root):
    sizes = {}
    try:
        with open(os.path.join(root, "cookie_sizes.tsv")) as f:
            for line in f:
                name, size, length = line.split("\t")
                sizes[(name, int(size))] = int(length)
    except FileNotFoundError:
        pass
    return sizes


def us(ns):
    return "—" if ns is None else f"{ns / 1000:.2f}"


def added(root, group, bench, base):
    m, b = median_ns(root, group, bench), median_ns(root, group, base)
    return None if m is None or b is None else m - b


def main():
    args = sys.argv[1:]
    plot = None
    if "--plot" in args:
        i = args.index("--plot")
        plot = args[i + 1]
        del args[i : i + 2]
    root = args[0]
    cookies = cookie_sizes(root)

    print("### Read one field, write one field (median µs per request; added = over the framework's no-session baseline)\n")
    head = "| variant | " + " | ".join(f"{s} B median | {s} B added" for s in SIZES) + " |"
    print(head)
    print("|" + "---|" * (1 + 2 * len(SIZES)))
    for base, label in [("axum_baseline", "axum, no session"), ("actix_baseline", "actix-web, no session")]:
        cells = [f"{us(median_ns(root, f'rw_{s}', base))} | —" for s in SIZES]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for bench, label, base in VARIANTS:
        cells = []
        for s in SIZES:
            g = f"rw_{s}"
            cells.append(f"{us(median_ns(root, g, bench))} | {us(added(root, g, bench, base))}")
        print(f"| {label} | " + " | ".join(cells) + " |")

    print("\n### Request that never touches the session (median µs)\n")
    print("| variant | " + " | ".join(f"{s} B median | ratio to baseline" for s in UNTOUCHED_SIZES) + " |")
    print("|" + "---|" * (1 + 2 * len(UNTOUCHED_SIZES)))
    for bench, label in [("axum_baseline", "axum, no session")] + UNTOUCHED:
        cells = []
        for s in UNTOUCHED_SIZES:
            g = f"untouched_{s}"
            m, b = median_ns(root, g, bench), median_ns(root, g, "axum_baseline")
            ratio = "—" if m is None or b is None else f"{m / b:.2f}×"
            cells.append(f"{us(m)} | {ratio}")
        print(f"| {label} | " + " | ".join(cells) + " |")

    print("\n### Targets (ratio = peer's added time / ours)\n")
    print("| ours | peer | payload | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for ours, peer, size, target in TARGETS:
        g = f"rw_{size}"
        a = added(root, g, ours, "axum_baseline")
        p = added(root, g, peer, "actix_baseline" if peer.startswith("actix") else "axum_baseline")
        if a is None or p is None or a <= 0:
            ratio, met = "—", "?"
        else:
            ratio, met = f"{p / a:.2f}×", "yes" if p / a >= target else "**no**"
        print(f"| {ours} | {peer} | {size} B | {ratio} | ≥ {target}× | {met} |")
    for s in UNTOUCHED_SIZES:
        g = f"untouched_{s}"
        b = median_ns(root, g, "axum_baseline")
        for bench, _ in UNTOUCHED[:2]:
            m = median_ns(root, g, bench)
            if m is not None and b:
                met = "yes" if m / b <= 1.15 else "**no**"
                print(f"| {bench} untouched | axum, no session | {s} B | {m / b:.2f}× | ≤ 1.15× | {met} |")

    if cookies:
        print("\n### Cookie header sent per request (bytes)\n")
        print("| variant | " + " | ".join(f"{s} B" for s in SIZES) + " |")
        print("|" + "---|" * (1 + len(SIZES)))
        for bench, label, _ in VARIANTS:
            cells = [str(cookies.get((bench, s), "refused")) for s in SIZES]
            print(f"| {label} | " + " | ".join(cells) + " |")

    if plot:
        draw(root, plot)


def draw(root, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.5))
    for bench, label, base in VARIANTS:
        if bench == "axum_noop_layer":
            continue
        xs, ys = [], []
        for s in SIZES:
            a = added(root, f"rw_{s}", bench, base)
            if a is not None:
                xs.append(s)
                ys.append(a / 1000)
        style = "-o" if bench.startswith("ours") else "--s"
        ax.plot(xs, ys, style, label=label, linewidth=2 if bench.startswith("ours") else 1.2)
    ax.set_xlabel("session payload (JSON bytes)")
    ax.set_ylabel("added time per request over no-session baseline (µs, median)")
    ax.set_title("Read one field + write one field, in process (lower is better)")
    ax.set_xticks(SIZES)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
