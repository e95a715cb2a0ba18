//! `climidx trend`: arguments → [`TrendJob`] → [`run_trend`].

use serde_json::json;

use crate::cli::args::TrendArgs;
use crate::cli::config::stack_inputs;
use crate::cli::report::Done;
use crate::engine::jobs::trend::{run_trend, TrendJob};
use crate::engine::Backend;
use crate::error::{Error, Result};
use crate::io::stack::dates::parse_baseline;
use crate::io::stack::manifest as stack;

pub fn run(a: &TrendArgs) -> Result<Done> {
    crate::cli::usage::check_folder_output(&a.output)?;
    a.cal.check()?;
    if a.out.stats.is_some() || a.out.quicklook.is_some() {
        return Err(Error::Usage(
            "--stats and --quicklook apply to index outputs; run `climidx quicklook` on slope.tif"
                .into(),
        ));
    }
    let baseline = a.baseline.as_deref().map(parse_baseline).transpose()?;
    let smooth = crate::cli::config::smoother(&a.stack)?;
    let inputs = stack_inputs(&a.stack, true, a.band, &a.cal)?;
    let mut groups = stack::group(inputs, None, baseline)?;
    let stack = groups
        .pop()
        .ok_or_else(|| Error::Usage("no input rasters (after the --baseline filter)".into()))?;
    let (out_nodata, window_pixels) = crate::cli::config::parse_common(&a.out)?;
    crate::cli::output_type::float32_only(&a.out, "climidx trend")?;
    let job = TrendJob {
        stack,
        band: a.band,
        calibration: a.cal.engine(),
        alpha: a.alpha,
        smooth,
        max_inputs: a.max_inputs,
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
    let r = run_trend(&job, backend, &super::control())?;
    let summary = format!(
        "wrote {}: {} trend outputs, {}×{}, {} inputs, {}, {:.2} s",
        job.out_dir.display(),
        r.outputs.len(),
        r.width,
        r.height,
        r.inputs,
        r.device,
        r.total.as_secs_f64()
    );
    let report = json!({
        "command": "trend",
        "output": job.out_dir.display().to_string(),
        "files": r.outputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "width": r.width,
        "height": r.height,
        "inputs": r.inputs,
        "calibration": r.calibration.describe(),
        "smooth": job.smooth.map(|s| s.name()),
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
