//! `climidx anomaly --kind percentile-rank`: arguments → [`RankJob`] → [`run_rank`]. The
//! baseline inputs of the observation's period come from `climatology.json`
//! ([`baseline_of`]); the observation is read as for every other anomaly kind.

use serde_json::json;

use crate::cli::args::AnomalyArgs;
use crate::cli::report::Done;
use crate::engine::jobs::climatology::Manifest;
use crate::engine::jobs::rank::{baseline_of, period_label, run_rank, RankJob};
use crate::engine::Backend;
use crate::error::{Error, Result};
use crate::io::stack::Date;

pub fn run(a: &AnomalyArgs, manifest: &Manifest, date: Option<Date>) -> Result<Done> {
    if a.out.stats.is_some() || a.out.quicklook.is_some() {
        return Err(Error::Usage(
            "--stats and --quicklook are not offered with --kind percentile-rank; run `climidx quicklook` on its output".into(),
        ));
    }
    let kind = crate::cli::config::parse_rank_kind(a.rank_kind.as_deref().unwrap_or("rank"))?;
    let group = manifest.group_for(&a.climatology, date)?;
    let (baseline, calibration) = baseline_of(manifest, &a.climatology, group)?;
    let recorded = manifest.calibration.clone();
    let band = recorded.as_ref().map_or(1, |c| c.band);
    let observation = super::anomaly::observation(a, manifest, date)?;
    let (out_nodata, window_pixels) = crate::cli::config::parse_common(&a.out)?;
    let mut metadata = vec![(
        "CLIMIDX_CLIMATOLOGY".to_string(),
        a.climatology.display().to_string(),
    )];
    if let Some(d) = date {
        metadata.push(("CLIMIDX_DATE".to_string(), d.to_string()));
    }
    let job = RankJob {
        baseline,
        band,
        calibration,
        recorded,
        observation,
        folder: manifest.folder_for(&a.climatology, date)?,
        kind,
        min_count: a.min_count.unwrap_or(manifest.min_count),
        output: a.output.clone(),
        out_nodata,
        metadata,
        overwrite: a.out.overwrite,
        window_pixels,
        mem_limit: a.out.mem_limit << 20,
        spill: a.spill.policy(),
        compression: a.out.compress,
        tile: a.out.tile_size,
        pyramid: crate::cli::config::pyramid(&a.out)?,
    };
    let ctx = super::open_device(&a.device)?;
    let backend = Backend::of(ctx.as_ref());
    let r = run_rank(&job, backend, &super::control())?;
    let summary = format!(
        "wrote {}: {}×{}, percentile rank ({}) among {} baseline inputs of {}, {}, {:.2} s",
        job.output.display(),
        r.width,
        r.height,
        kind.name(),
        r.baseline,
        period_label(&job.baseline.key),
        r.device,
        r.total.as_secs_f64()
    );
    let report = json!({
        "command": "anomaly",
        "kind": "percentile-rank",
        "rank_kind": kind.name(),
        "output": job.output.display().to_string(),
        "width": r.width,
        "height": r.height,
        "period": job.baseline.key,
        "baseline_inputs": r.baseline,
        "min_count": job.min_count,
        "baseline_calibration": r.calibration.describe(),
        "observation": job.observation.path.display().to_string(),
        "observation_calibration": r.observation,
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
