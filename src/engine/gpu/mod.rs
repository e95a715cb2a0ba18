//! The device layer: adapter discovery and choice ([`adapter`]), the device created once and
//! passed to every kernel ([`context`]), dispatch arithmetic ([`dispatch`]) and the windowed
//! kernel runner with its transfer strategies ([`runner`]).

pub mod adapter;
pub mod context;
pub mod dispatch;
pub mod runner;

pub use adapter::{AdapterSummary, DeviceChoice};
pub use context::{GpuContext, GpuOptions, Transfer};
