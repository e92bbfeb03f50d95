//! Shared pieces of the peer benchmark: payloads, the per-framework
//! request drivers, and one module per session implementation.
//! See `BENCHMARKS.md` at the repository root.

pub mod actix_peers;
pub mod axum_harness;
pub mod axum_peers;
pub mod ours;
pub mod payload;
