//! Time stacks as inputs: dates from file names or a manifest ([`dates`]), and the inputs
//! grouped into calendar periods ([`manifest`]).

pub mod dates;
pub mod manifest;

pub use dates::{Date, Period};
pub use manifest::{PeriodGroup, StackInput};
