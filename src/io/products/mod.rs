//! Knowledge of distributed products: where their bands are, how DNs become physical values.

pub mod landsat;
pub mod masks;
pub mod mtl;
pub mod presets;
pub mod stac;
