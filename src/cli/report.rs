//! What a command that writes files says when it is done: one summary line on standard error
//! (unless `-q`) and, with `--json`, one JSON object on one line of standard output.
//!
//! ```text
//! wrote vi.tif: 96×80, 2 bands (ndvi, evi), native CPU (2 threads), 0.01 s
//! wrote clim/: 2 periods × 5 statistics, 96×80, 18 inputs, native CPU (2 threads), 0.05 s
//! wrote ndvi.png: 96×80 PNG of band 1 (ndvi) of ndvi.tif, colormap vegetation, range [-1, 1], 0.01 s
//! ```

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::choice::Choice;
use crate::engine::jobs::climatology::{ClimatologyJob, ClimatologyReport, MANIFEST};
use crate::engine::{IndexJob, JobReport};
use crate::io::quicklook::QuicklookReport;
use crate::kernels::climatology::STATS;

/// The end of a run: its summary line and its report.
#[derive(Clone, Debug)]
pub struct Done {
    pub summary: String,
    pub report: Value,
    /// Print the report (`--json`).
    pub json: bool,
}

impl Done {
    /// The report on standard output when asked for, the summary on standard error unless
    /// `quiet`.
    pub fn print(&self, quiet: bool) {
        if self.json {
            println!("{}", self.report);
        }
        if !quiet {
            eprintln!("{}", self.summary);
        }
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn path(p: &Path) -> Value {
    Value::String(p.display().to_string())
}

/// A nodata value as JSON: a number, or `"nan"` (JSON has no NaN).
fn nodata(v: f64) -> Value {
    match serde_json::Number::from_f64(v) {
        Some(n) => Value::Number(n),
        None => Value::String(format!("{v}").to_ascii_lowercase()),
    }
}

/// An f32 as the number it prints as (`0.0001`, not the f64 `9.999999747378752e-05`).
fn num(v: f32) -> Value {
    format!("{v}")
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e6
}

/// `index`, `expr`, `lst`, `anomaly` and `vhi`: one multi-band GeoTIFF (and its statistics
/// and quicklook when asked).
pub fn index(command: &str, job: &IndexJob, r: &JobReport, json: bool) -> Done {
    let names: Vec<&str> = job.indices.iter().map(|d| d.name.as_ref()).collect();
    let mut summary = format!(
        "wrote {}: {}×{}, {} ({}), {}, {:.2} s",
        r.output.display(),
        r.width,
        r.height,
        plural(names.len(), "band"),
        names.join(", "),
        r.device,
        r.total.as_secs_f64()
    );
    if let Some((p, _)) = &job.stats {
        summary += &format!("; statistics {}", p.display());
    }
    if let Some(q) = &job.quicklook {
        summary += &format!("; quicklook {}", q.display());
    }
    let metadata: Map<String, Value> = job
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let report = json!({
        "command": command,
        "output": path(&r.output),
        "width": r.width,
        "height": r.height,
        "bands": names.iter().enumerate()
            .map(|(i, n)| json!({ "band": i + 1, "name": n }))
            .collect::<Vec<_>>(),
        "inputs": r.inputs.iter().map(|i| json!({
            "role": i.role.name(),
            "path": path(&i.path),
            "band": i.band,
            "scale": num(i.scale),
            "offset": num(i.offset),
            "calibration": i.calibration,
        })).collect::<Vec<_>>(),
        "nodata": nodata(job.out_nodata),
        "device": r.device,
        "windows": r.windows,
        "rows_per_window": r.rows_per_window,
        "seconds": {
            "read": secs(r.read),
            "compute": secs(r.compute),
            "write": secs(r.write),
            "total": secs(r.total),
        },
        "stats": job.stats.as_ref().map(|(p, _)| path(p)),
        "quicklook": job.quicklook.as_deref().map(path),
        "metadata": metadata,
    });
    Done {
        summary,
        report,
        json,
    }
}

/// `climatology`: a folder of statistics per period, and `climatology.json`.
pub fn climatology(job: &ClimatologyJob, r: &ClimatologyReport, json: bool) -> Done {
    let groups: Vec<_> = job.groups.iter().filter(|g| !g.inputs.is_empty()).collect();
    let what = match job.period {
        Some(_) => format!(
            "{} × {}",
            plural(groups.len(), "period"),
            plural(STATS.len(), "statistic")
        ),
        None => plural(STATS.len(), "statistic"),
    };
    let summary = format!(
        "wrote {}: {what}, {}×{}, {}, {}, {:.2} s",
        job.out_dir.display(),
        r.width,
        r.height,
        plural(r.inputs, "input"),
        r.device,
        r.total.as_secs_f64()
    );
    let report = json!({
        "command": "climatology",
        "output": path(&job.out_dir),
        "manifest": path(&job.out_dir.join(MANIFEST)),
        "width": r.width,
        "height": r.height,
        "inputs": r.inputs,
        "period": job.period.map(|p| p.name()),
        "baseline": job.baseline,
        "smooth": job.smooth.map(|s| s.name()),
        "periods": groups.iter().map(|g| json!({
            "key": g.key,
            "folder": path(&job.out_dir.join(&g.key)),
            "inputs": g.inputs.len(),
        })).collect::<Vec<_>>(),
        "statistics": STATS,
        "calibration": {
            "band": r.calibration.band,
            "scale": num(r.calibration.scale),
            "offset": num(r.calibration.offset),
            "source": r.calibration.source,
            "nodata": r.calibration.nodata.map(nodata),
            "unit": r.calibration.unit,
            "uniform": r.calibration.uniform,
        },
        "nodata": nodata(job.out_nodata),
        "device": r.device,
        "windows": r.windows,
        "rows_per_window": r.rows_per_window,
        "seconds": { "total": secs(r.total) },
    });
    Done {
        summary,
        report,
        json,
    }
}

/// `quicklook`: one PNG.
pub fn quicklook(
    input: &Path,
    output: &Path,
    q: &QuicklookReport,
    took: Duration,
    json: bool,
) -> Done {
    let band = match &q.band_name {
        Some(n) => format!("band {} ({n})", q.band),
        None => format!("band {}", q.band),
    };
    let what = match (q.rgb, q.stretch, q.colormap, q.range) {
        (Some(b), Some(st), _, _) => format!(
            "RGB PNG of bands {},{},{} of {}, 2–98 % stretch {}",
            b[0],
            b[1],
            b[2],
            input.display(),
            st.iter()
                .map(|(lo, hi)| format!("[{lo}, {hi}]"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        (_, _, Some(c), Some((lo, hi))) => format!(
            "PNG of {band} of {}, colormap {}, range [{lo}, {hi}]",
            input.display(),
            c.word()
        ),
        _ => format!("PNG of {band} of {}", input.display()),
    };
    let summary = format!(
        "wrote {}: {}×{} {what}, {:.2} s",
        output.display(),
        q.width,
        q.height,
        took.as_secs_f64()
    );
    let report = json!({
        "command": "quicklook",
        "output": path(output),
        "input": path(input),
        "band": q.band,
        "band_name": q.band_name,
        "width": q.width,
        "height": q.height,
        "scale": q.scale,
        "colormap": q.colormap.map(|c| c.word()),
        "range": q.range.map(|r| [num(r.0), num(r.1)]),
        "rgb": q.rgb,
        "stretch": q.stretch.map(|s| s.map(|(lo, hi)| [num(lo), num(hi)])),
        "seconds": { "total": secs(took) },
    });
    Done {
        summary,
        report,
        json,
    }
}
