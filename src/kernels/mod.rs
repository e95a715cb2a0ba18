//! The science, free of files and devices: the pixel vocabulary ([`vocab`], [`samples`]), the
//! host↔WGSL ABI ([`abi`]), the index registry ([`registry`]) with the catalogue and the formula
//! compiler, the CPU twins of every kernel family, and the one place that composes WGSL
//! ([`wgsl`]).

pub mod abi;
pub mod anomaly;
pub mod batch;
pub mod catalogue;
pub mod climatology;
pub mod cpu;
pub mod expr;
pub mod gamma;
pub mod indices;
pub mod order;
pub mod percentile;
pub mod rank;
pub mod registry;
pub mod resolve;
pub mod samples;
pub mod series;
pub mod simd;
pub mod smooth;
pub mod spi;
pub mod stats;
pub mod suggest;
pub mod thermal;
pub mod trend;
pub mod vegetation;
pub mod vocab;
pub mod wgsl;

pub use indices::*;
pub use registry::*;
pub use vocab::*;
