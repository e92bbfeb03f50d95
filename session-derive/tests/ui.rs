//! Compile-time behaviour of `#[derive(Session)]`: every misuse is one
//! clear error on the offending token (tests/ui/fail, one mistake per file,
//! with the exact `.stderr`), and the supported forms compile and run
//! (tests/ui/pass).

use std::process::Command;

/// The toolchain that produced the committed `.stderr` files. Compiler
/// messages change between releases, so the compile-fail half runs only on
/// this one (stable Rust has no way to pin a test to a toolchain). To
/// refresh after a toolchain upgrade: `TRYBUILD=overwrite cargo test -p
/// session-derive --test ui`, then read every changed `.stderr`.
const PINNED_RUSTC: &str = "rustc 1.95.";

fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    Command::new(rustc)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    let version = rustc_version();
    if version.starts_with(PINNED_RUSTC) {
        t.compile_fail("tests/ui/fail/*.rs");
    } else {
        eprintln!(
            "skipping compile-fail UI tests: .stderr files were made with {PINNED_RUSTC}*, this is {version}"
        );
    }
}
