//! climidx — a GPU-accelerated climate and spectral index engine.
//!
//! Raster bands are read from GeoTIFF in windows ([`io`]), shipped packed to a WGSL kernel
//! generated from the index registry ([`indices`], [`shaders`]) on a device created once
//! ([`gpu::GpuContext`]), or run through the native CPU reference ([`cpu`]) with the same
//! nodata policy, and written back as georeferenced float32 GeoTIFF ([`io::writer`]).
//! [`engine`] ties these together.

pub mod bench;
pub mod bench_climatology;
pub mod bench_peers;
pub mod cancel;
pub mod catalogue;
pub mod cli;
pub mod cpu;
pub mod engine;
pub mod error;
pub mod expr;
pub mod gpu;
pub mod indices;
pub mod io;
pub mod products;
pub mod progress;
pub mod quicklook;
pub mod shaders;
pub mod temporal;

pub use error::{Error, Result};
