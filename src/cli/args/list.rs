//! Arguments of `climidx list` and `climidx show`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this application domain (vegetation, water, burn, snow, urban, soil, ...).
    #[arg(long)]
    pub domain: Option<String>,
    /// List an Awesome Spectral Indices JSON file (spectral-indices-dict.json) instead.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Index name.
    pub name: String,
    /// Look the name up in an Awesome Spectral Indices JSON file.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}
