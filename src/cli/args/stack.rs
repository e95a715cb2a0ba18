//! The stack inputs every stack-taking command (`climatology`, `trend`) takes the same way:
//! rasters, a manifest, and how dates are read from file names. Collected into dated inputs by
//! [`crate::cli::config::stack_inputs`].

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct StackArgs {
    /// Input rasters (one band each is used, see --band).
    #[arg(value_name = "RASTER")]
    pub inputs: Vec<PathBuf>,
    /// CSV of `path,date` lines (dates YYYY-MM-DD or YYYYMMDD) instead of or besides RASTER.
    #[arg(long, value_name = "CSV")]
    pub manifest: Option<PathBuf>,
    /// How dates are read from file names: %Y %m %d %j and * (default: the first YYYYMMDD or
    /// YYYY-MM-DD in the name).
    #[arg(long, value_name = "PATTERN")]
    pub date_pattern: Option<String>,
}
