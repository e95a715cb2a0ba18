//! `climidx climatology`: arguments → [`ClimatologyJob`] → [`run_climatology`].

use crate::cli::args::ClimatologyArgs;
use crate::cli::report::Done;
use crate::engine::jobs::climatology::{run_climatology, ClimatologyJob};
use crate::engine::Backend;
use crate::error::{Error, Result};
use crate::io::stack::dates::{check_pattern, parse_baseline};
use crate::io::stack::manifest as stack;

pub fn run(a: &ClimatologyArgs) -> Result<Done> {
    crate::cli::usage::check_folder_output(&a.output)?;
    if a.inputs.is_empty() && a.manifest.is_none() {
        return Err(Error::Usage(
            "no input rasters: give RASTER... or --manifest stack.csv".into(),
        ));
    }
    a.cal.check()?;
    if a.out.stats.is_some() || a.out.quicklook.is_some() {
        return Err(Error::Usage(
            "--stats and --quicklook apply to index outputs; run `climidx quicklook` on a statistic".into(),
        ));
    }
    if let Some(p) = &a.date_pattern {
        check_pattern(p)?;
    }
    let baseline = a.baseline.as_deref().map(parse_baseline).transpose()?;
    let needs_dates = a.period.is_some() || baseline.is_some();
    let inputs = crate::cli::stack_inputs::collect(
        &a.inputs,
        a.manifest.as_deref(),
        a.date_pattern.as_deref(),
        needs_dates,
    )?;
    let groups = stack::group(inputs, a.period, baseline)?;
    let (out_nodata, window_pixels) = crate::cli::config::parse_common(&a.out)?;
    let job = ClimatologyJob {
        groups,
        period: a.period,
        baseline,
        date_pattern: a.date_pattern.clone(),
        band: a.band,
        calibration: a.cal.engine(),
        min_count: a.min_count,
        ddof: a.ddof,
        out_dir: a.output.clone(),
        out_nodata,
        overwrite: a.out.overwrite,
        window_pixels,
        mem_limit: a.out.mem_limit << 20,
        compression: a.out.compress,
        tile: a.out.tile_size,
    };
    job.validate()?;
    let ctx = super::open_device(&a.device)?;
    let backend = match &ctx {
        Some(c) => Backend::Gpu(c),
        None => Backend::Cpu,
    };
    let r = run_climatology(&job, backend, &super::control())?;
    log::info!(
        "{} inputs, {} windows of {} rows on {}: {:.1} Mpix·inputs/s",
        r.inputs,
        r.windows,
        r.rows_per_window,
        r.device,
        r.mpix_years_per_s()
    );
    Ok(crate::cli::report::climatology(&job, &r, a.out.json))
}
