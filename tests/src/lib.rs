#![doc = include_str!("../../README.md")]
//!
//! ---
//!
//! This crate holds the cross-crate test suites (and compiles the
//! workspace README's examples as doctests). The conformance suite is a set
//! of generic `async fn`s over [`session_core::store::Store`], stamped out
//! for every backend in `tests/`.

pub mod conformance;
pub mod faults;
pub mod http;
pub mod schemas;
