//! Time stacks: per-pixel climatologies ([`climatology`]) over calendar periods ([`dates`]),
//! with the statistics kernels and their CPU specification in [`stats`]. Anomalies against a
//! climatology are ordinary indices of the `anomaly` family ([`crate::indices::anomaly`]).

pub mod climatology;
pub mod dates;
pub mod stack;
pub mod stats;

pub use climatology::{
    run_climatology, ClimatologyJob, ClimatologyReport, Manifest, PeriodGroup, StackInput,
};
pub use dates::{Date, Period};
