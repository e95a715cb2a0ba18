//! climidx — a GPU-accelerated climate and spectral index engine.
//!
//! The data path, one layer per folder, each importing only the layers below it:
//!
//! ```text
//! cli      args → validated config → thin commands (clap, progress bars, signals; `cli` feature)
//!  └─ engine   jobs (index, climatology) → one read/compute/write pipeline → GPU or CPU backend
//!      └─ io       raster sources and sinks (GeoTIFF), products, stacks, quicklooks
//!          └─ kernels  pixel vocabulary, host↔WGSL ABI, index registry, formulas, CPU twins, WGSL
//! ```
//!
//! [`kernels`] is the science: every index and statistic as a plain Rust reference and the WGSL
//! composed from the same registry. [`io`] reads and writes rasters window by window behind
//! [`io::RasterSource`] / [`io::RasterSink`]. [`engine`] plans windows from the device's limits,
//! streams them through [`engine::pipeline`] and runs each on [`engine::gpu`] or the CPU twin,
//! with a [`engine::Control`] (cancel token, progress hook) passed in by the caller.

pub mod choice;
pub mod engine;
pub mod error;
pub mod hugepages;
pub mod io;
pub mod kernels;

#[cfg(feature = "cli")]
pub mod cli;

pub use error::{Error, Result};
