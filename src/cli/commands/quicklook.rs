//! `climidx quicklook`: a PNG of one band of a GeoTIFF.

use crate::cli::args::QuicklookArgs;
use crate::cli::report::Done;
use crate::error::{Error, Result};
use crate::io::quicklook::{render, QuicklookOptions};

pub fn run(a: &QuicklookArgs) -> Result<Done> {
    crate::cli::usage::check_png("-o", &a.output)?;
    let t0 = std::time::Instant::now();
    if a.max_size == 0 {
        return Err(Error::Usage("--max-size must be at least 1".into()));
    }
    let range = a
        .range
        .as_deref()
        .map(|r| crate::cli::config::parse_range("--range", r))
        .transpose()?;
    let opts = QuicklookOptions {
        band: a.band,
        colormap: a.colormap,
        range,
        legend: a.legend,
        max_size: a.max_size,
    };
    let q = render(&a.input, &a.output, &opts, a.overwrite)?;
    Ok(crate::cli::report::quicklook(
        &a.input,
        &a.output,
        &q,
        t0.elapsed(),
        a.json,
    ))
}
