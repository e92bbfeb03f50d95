//! Compile-time behaviour of `#[derive(Session)]`: every misuse is one
//! clear, spanned error (tests/ui/fail, with the exact `.stderr`), and the
//! supported forms compile and run (tests/ui/pass).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
