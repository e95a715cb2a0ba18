//! The engine: jobs ([`jobs`]) plan windows from the device's limits and a memory budget
//! ([`plan`]), stream them through the one read → compute → write [`pipeline`], and run each
//! window on a [`Backend`] ([`gpu`] or the CPU twin, through [`Processor`]). [`memory`] runs the
//! same kernels over bands already in memory. A [`Control`] (cancel token, progress hook) comes
//! with every job; the engine draws nothing and installs no handler.
//!
//! Host memory for one run is bounded by the window: packed input bands + one f32 buffer per
//! output for `window_pixels` pixels (two sets of each in the pipeline), plus each reader's
//! cached block row and the writer's one partial strip. `--mem-limit` (default 256 MiB) bounds
//! the window part.

pub mod accumulator;
pub mod backend;
pub mod control;
pub mod gpu;
pub mod jobs;
pub mod memory;
pub mod pipeline;
pub mod plan;
pub mod series;
pub mod smooth;
pub mod spi;
pub mod summary;

pub use backend::{Backend, Processor};
pub use control::{CancelToken, Control, NoProgress, Progress};
pub use jobs::index::{run_index_job, Calibration, IndexJob, JobReport};
pub use memory::{
    compute_in_memory, compute_into, compute_views, compute_views_with, compute_with,
};
pub use plan::window_capacity;
