//! Jobs: what a command asks for, checked, then run through [`super::pipeline`]. Each job
//! opens its sources, plans the windows ([`super::plan`]), and hands the pipeline a reader, a
//! window kernel and a writer.

pub mod climatology;
pub mod climatology_smooth;
pub mod index;
pub mod inputs;
pub mod manifest;
pub mod plausibility;
pub mod provenance;
pub mod rank;
pub mod series;
pub mod series_inputs;
pub mod spi;
pub mod spill;
pub mod stack;
pub mod trend;
