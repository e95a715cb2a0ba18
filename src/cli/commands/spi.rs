//! `climidx spi`: arguments → [`SpiJob`] → [`run_spi`].

use serde_json::json;

use crate::cli::args::SpiArgs;
use crate::cli::config::stack_inputs;
use crate::cli::report::Done;
use crate::engine::jobs::spi::{run_spi, SpiJob};
use crate::engine::Backend;
use crate::error::{Error, Result};
use crate::io::stack::dates::parse_baseline;
use crate::io::stack::manifest as stack;

/// `2020-07` → (2020, 7).
fn parse_month(s: &str) -> Result<(i32, u32)> {
    let bad = || Error::Usage(format!("--months {s:?}: expected YYYY-MM, e.g. 2020-07"));
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if y.to_string().len() != 4 || !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok((y, m))
}

pub fn run(a: &SpiArgs) -> Result<Done> {
    crate::cli::usage::check_folder_output(&a.output)?;
    a.cal.check()?;
    if a.out.stats.is_some() || a.out.quicklook.is_some() {
        return Err(Error::Usage(
            "--stats and --quicklook apply to index outputs; run `climidx quicklook` on an spi*.tif"
                .into(),
        ));
    }
    let years = parse_baseline(&a.calibration).map_err(|_| {
        Error::Usage(format!(
            "--calibration {:?}: expected YYYY-YYYY, e.g. 1991-2020",
            a.calibration
        ))
    })?;
    let months = if a.months.is_empty() {
        None
    } else {
        Some(
            a.months
                .iter()
                .map(|s| parse_month(s))
                .collect::<Result<Vec<_>>>()?,
        )
    };
    if a.stack.smooth.is_some() {
        return Err(Error::Usage(
            "--smooth applies to climatology and trend; smooth precipitation totals before spi with another tool".into(),
        ));
    }
    let inputs = stack_inputs(&a.stack, true, a.band, &a.cal)?;
    let mut groups = stack::group(inputs, None, None)?;
    let stack = groups
        .pop()
        .ok_or_else(|| Error::Usage("no input rasters".into()))?;
    let (out_nodata, window_pixels) = crate::cli::config::parse_common(&a.out)?;
    crate::cli::output_type::float32_only(&a.out, "climidx spi")?;
    let job = SpiJob {
        stack,
        band: a.band,
        calibration: a.cal.engine(),
        scales: a.scale_months.clone(),
        years,
        min_years: a.min_years,
        months,
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
    let r = run_spi(&job, backend, &super::control())?;
    let summary = format!(
        "wrote {}: {} SPI files (scales {:?}), {}×{}, {} months, {}, {:.2} s",
        job.out_dir.display(),
        r.outputs.len(),
        job.scales,
        r.width,
        r.height,
        r.inputs,
        r.device,
        r.total.as_secs_f64()
    );
    let report = json!({
        "command": "spi",
        "output": job.out_dir.display().to_string(),
        "files": r.outputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "width": r.width,
        "height": r.height,
        "inputs": r.inputs,
        "scales": job.scales,
        "calibration_years": [years.0, years.1],
        "calibration": r.calibration.describe(),
        "device": r.device,
        "windows": r.windows,
        "rows_per_window": r.rows_per_window,
        "seconds": { "total": r.total.as_secs_f64() },
    });
    Ok(Done {
        summary,
        report,
        json: a.out.json,
    })
}
