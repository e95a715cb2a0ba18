//! `climidx climatology`: arguments → [`ClimatologyJob`] → [`run_climatology`].

use crate::cli::args::ClimatologyArgs;
use crate::cli::config::{parse_quantile_method, stack_inputs};
use crate::cli::report::Done;
use crate::engine::jobs::climatology::{run_climatology, ClimatologyJob};
use crate::engine::Backend;
use crate::error::{Error, Result};
use crate::io::stack::dates::parse_baseline;
use crate::io::stack::manifest as stack;

pub fn run(a: &ClimatologyArgs) -> Result<Done> {
    crate::cli::usage::check_folder_output(&a.output)?;
    a.cal.check()?;
    if a.out.stats.is_some() || a.out.quicklook.is_some() {
        return Err(Error::Usage(
            "--stats and --quicklook apply to index outputs; run `climidx quicklook` on a statistic".into(),
        ));
    }
    let baseline = a.baseline.as_deref().map(parse_baseline).transpose()?;
    let smooth = crate::cli::config::smoother(&a.stack)?;
    let inputs = stack_inputs(
        &a.stack,
        a.period.is_some() || baseline.is_some() || smooth.is_some(),
        a.band,
        &a.cal,
    )?;
    let groups = stack::group(inputs, a.period, baseline)?;
    let (out_nodata, window_pixels) = crate::cli::config::parse_common(&a.out)?;
    crate::cli::output_type::float32_only(&a.out, "climidx climatology")?;
    let job = ClimatologyJob {
        groups,
        period: a.period,
        baseline,
        date_pattern: a.stack.date_pattern.clone(),
        percentiles: a.percentiles.clone(),
        smooth,
        quantile_method: parse_quantile_method(&a.quantile_method)?,
        band: a.band,
        calibration: a.cal.engine(),
        min_count: a.min_count,
        ddof: a.ddof,
        out_dir: a.output.clone(),
        out_nodata,
        overwrite: a.out.overwrite,
        window_pixels,
        mem_limit: a.out.mem_limit << 20,
        spill: a.stack.spill.policy(),
        compression: a.out.compress,
        tile: a.out.tile_size,
        pyramid: crate::cli::config::pyramid(&a.out)?,
    };
    job.validate()?;
    let ctx = super::open_device(&a.device)?;
    let backend = Backend::of(ctx.as_ref());
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
