//! The device layer: adapter discovery and choice ([`adapter`]), the device created once and
//! passed to every kernel ([`context`]), dispatch arithmetic and pass encoding ([`dispatch`]),
//! the windowed kernel runner ([`runner`]) with its buffers and transfer strategies
//! (`transfer`) and benchmark timings (`timing`).

pub mod adapter;
pub mod context;
pub mod dispatch;
pub mod runner;
pub mod series;
pub mod smooth;
pub mod spi;
mod timing;
mod transfer;

pub use adapter::{AdapterSummary, DeviceChoice};
pub use context::{GpuContext, GpuOptions, Transfer};
