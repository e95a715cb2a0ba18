//! Provenance written into every output: the climidx version, what was computed (indices with
//! their formulas and constants), from which bands with which calibration, on which device.

use std::collections::HashMap;

use super::climatology::{ClimatologyJob, StackCalibration};
use super::index::IndexJob;
use super::inputs::CalFrom;
use crate::io::stack::PeriodGroup;
use crate::io::BandSource;
use crate::kernels::abi::BandParams;
use crate::kernels::vocab::{Role, ROLE_SLOTS};

/// GDAL_METADATA items of an index job's output.
pub fn index_metadata(
    job: &IndexJob,
    needed: &[Role],
    bands: &[Option<BandParams>; ROLE_SLOTS],
    cal_from: &[CalFrom; ROLE_SLOTS],
    device: &str,
) -> Vec<(String, String)> {
    let by_role: HashMap<Role, &BandSource> = job.bands.iter().map(|b| (b.role, b)).collect();
    let mut metadata = vec![
        (
            "CLIMIDX_VERSION".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        (
            "CLIMIDX_INDICES".to_string(),
            job.indices
                .iter()
                .map(|d| d.name.as_ref())
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("CLIMIDX_DEVICE".to_string(), device.to_string()),
    ];
    let band_list: Vec<String> = needed
        .iter()
        .map(|r| {
            let b = by_role[r];
            let p = bands[r.slot()].expect("every needed role has parameters");
            format!(
                "{}={}:{} (value = DN*{} + {}, calibration: {})",
                r.name(),
                b.path.display(),
                b.band,
                p.scale,
                p.offset,
                cal_from[r.slot()].describe()
            )
        })
        .collect();
    metadata.push(("CLIMIDX_BANDS".to_string(), band_list.join("; ")));
    metadata.extend(job.metadata.iter().cloned());
    for (d, k) in job.indices.iter().zip(&job.constants) {
        let consts: Vec<String> = d
            .constants
            .iter()
            .zip(k)
            .map(|(c, v)| format!("{}={v}", c.name))
            .collect();
        metadata.push((
            format!("CLIMIDX_FORMULA_{}", d.name.to_uppercase()),
            format!("{} {}", d.formula, consts.join(" "))
                .trim()
                .to_string(),
        ));
    }
    metadata
}

/// GDAL_METADATA items of the statistics of one climatology period.
pub fn climatology_metadata(
    job: &ClimatologyJob,
    g: &PeriodGroup,
    cal: &StackCalibration,
) -> Vec<(String, String)> {
    let mut metadata = vec![
        (
            "CLIMIDX_VERSION".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        (
            "CLIMIDX_CLIMATOLOGY_INPUTS".to_string(),
            g.inputs.len().to_string(),
        ),
        ("CLIMIDX_DDOF".to_string(), job.ddof.to_string()),
        ("CLIMIDX_MIN_COUNT".to_string(), job.min_count.to_string()),
    ];
    if let Some(p) = job.period {
        metadata.push((
            "CLIMIDX_PERIOD".to_string(),
            format!("{} {}", p.name(), g.key),
        ));
    }
    if let Some((a, b)) = job.baseline {
        metadata.push(("CLIMIDX_BASELINE".to_string(), format!("{a}-{b}")));
    }
    if let Some(s) = &job.smooth {
        metadata.push(("CLIMIDX_SMOOTH".to_string(), smooth_note(s)));
    }
    metadata.push(("CLIMIDX_INPUT_CALIBRATION".to_string(), cal.describe()));
    if let Some(u) = &cal.unit {
        metadata.push(("CLIMIDX_UNIT".to_string(), u.clone()));
    }
    metadata
}

/// What `--smooth` did, for the outputs' metadata.
pub fn smooth_note(s: &crate::kernels::smooth::Smoother) -> String {
    use crate::kernels::smooth::Smoother;
    match s {
        Smoother::SavGol { window, order } => format!(
            "{}: Savitzky-Golay, degree {order} over {window} samples (sample index), gap-aware; inputs smoothed along the whole stack in date order",
            s.name()
        ),
        Smoother::Median4253H => format!(
            "{}: running medians 4, 2, 5, 3 and Hanning (Velleman 1980), interior gaps interpolated; inputs smoothed along the whole stack in date order",
            s.name()
        ),
    }
}
