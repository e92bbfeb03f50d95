#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "cookie")]
pub mod cookie;
#[cfg(feature = "memory")]
pub mod memory;
#[cfg(feature = "cookie")]
pub mod revocation;
