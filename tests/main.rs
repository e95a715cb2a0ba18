//! The one integration-test binary: a module per area, one shared device (`common::gpu_or_skip`),
//! one harness. `cargo test --release --locked` runs it; `cargo test --test main -- cli::`
//! runs one area.

mod common;

mod architecture;
mod calibration;
mod catalogue;
mod cf_stacks;
mod cli;
mod climatology;
mod cog;
mod compression;
mod conformance;
mod crs;
mod gpu_vs_cpu;
mod int16;
mod io_geotiff;
mod jp2;
mod lst;
mod outputs;
mod products;
mod properties;
mod quicklook;
mod rank;
mod readme;
mod reliability;
mod remote;
mod remote_bench;
mod remote_s3;
mod series;
mod shaders;
mod smooth;
mod spi;
mod spill;
mod stac;
