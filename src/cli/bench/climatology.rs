//! `climidx bench --climatology YEARS`: the climatology of a generated stack of YEARS rasters,
//! timed end to end (the `climidx climatology` command run as a child process, so that its
//! peak resident memory is its own) on every device path, with Mpix·years/s, peak RSS and the
//! largest difference of mean and std to the CPU path's.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::io::geotiff::reader::GeoTiffReader;
use crate::kernels::samples::PackedBand;

/// One measured path.
#[derive(Clone, Debug)]
pub struct ClimRow {
    pub device: String,
    pub seconds: f64,
    pub mpix_years_s: f64,
    pub peak_rss_mib: f64,
    pub max_abs_diff: Option<f64>,
}

/// Write `years` uint16 rasters of `size`×`size` (NDVI × 10000 + 10000, nodata 0, ~10 % gaps)
/// into `dir`; returns their paths.
pub fn write_stack(dir: &Path, size: u32, years: u32) -> Result<Vec<PathBuf>> {
    let n = size as usize * size as usize;
    let mut data = vec![0u16; n];
    let mut paths = Vec::new();
    for y in 0..years {
        let mut s = 0x9E37_79B9_7F4A_7C15u64 ^ (y as u64 + 1);
        for v in data.iter_mut() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            *v = if s.is_multiple_of(10) {
                0
            } else {
                10_000 + (s >> 40) as u16 % 9000
            };
        }
        let p = dir.join(format!("stack_{:04}0701.tif", 2001 + y));
        let f = File::create(&p).map_err(|e| Error::output(&p, e.to_string()))?;
        let mut enc = tiff::encoder::TiffEncoder::new_big(BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| Error::output(&p, e.to_string()))?;
        let mut img = enc
            .new_image::<tiff::encoder::colortype::Gray16>(size, size)
            .map_err(|e| Error::output(&p, e.to_string()))?;
        img.encoder()
            .write_tag(tiff::tags::Tag::GdalNodata, "0")
            .map_err(|e| Error::output(&p, e.to_string()))?;
        img.rows_per_strip(64)
            .map_err(|e| Error::output(&p, e.to_string()))?;
        img.write_data(&data)
            .map_err(|e| Error::output(&p, e.to_string()))?;
        paths.push(p);
    }
    Ok(paths)
}

/// Run the `climidx` executable `exe` with `args`, polling its peak RSS (VmHWM) until it exits.
fn run_child(exe: &Path, args: &[String]) -> Result<(Duration, f64)> {
    let t = Instant::now();
    let mut child = Command::new(exe)
        .args(args)
        .spawn()
        .map_err(|e| Error::Internal(format!("cannot run {}: {e}", exe.display())))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut hwm_kib = 0f64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            if let Some(v) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
            {
                hwm_kib = hwm_kib.max(v);
            }
        }
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Error::Internal(e.to_string())),
        }
    };
    if !status.success() {
        return Err(Error::Internal(format!(
            "climidx {} failed ({status})",
            args.join(" ")
        )));
    }
    Ok((t.elapsed(), hwm_kib / 1024.0))
}

fn read_f32(path: &Path) -> Result<Vec<f32>> {
    let mut r = GeoTiffReader::open(path)?;
    let info = r.info().clone();
    let mut p = vec![PackedBand::new(info.dtype)];
    r.read_window(info.full(), &[0], &[None], &mut p)?;
    Ok(bytemuck::cast_slice(&p[0].words).to_vec())
}

fn max_diff(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| match (x.is_nan(), y.is_nan()) {
            (true, true) => 0.0,
            (false, false) => (x - y).abs() as f64,
            _ => f64::INFINITY,
        })
        .fold(0.0, f64::max)
}

/// Measure `devices` (`--device` values with a label) on the stack in `dir`.
pub fn run(
    exe: &Path,
    inputs: &[PathBuf],
    size: u32,
    dir: &Path,
    devices: &[(String, String)],
) -> Result<Vec<ClimRow>> {
    let mut rows = Vec::new();
    let mut reference: Option<(Vec<f32>, Vec<f32>)> = None;
    for (label, device) in devices {
        let out = dir.join(format!("clim-{device}"));
        let mut args = vec!["climatology".to_string()];
        args.extend(inputs.iter().map(|p| p.display().to_string()));
        args.extend(
            [
                "-o",
                &out.display().to_string(),
                "--device",
                device,
                "--overwrite",
                "-q",
            ]
            .map(String::from),
        );
        args.push("--scale".into());
        args.push("0.0001".into());
        // Uncompressed strips: the figures measure the climatology, not the deflate encoder.
        args.extend(["--compress", "none", "--tile-size", "0"].map(String::from));
        let (t, rss) = run_child(exe, &args)?;
        let mean = read_f32(&out.join("mean.tif"))?;
        let std = read_f32(&out.join("std.tif"))?;
        let diff = match &reference {
            None => {
                reference = Some((mean, std));
                None
            }
            Some((m0, s0)) => Some(max_diff(m0, &mean).max(max_diff(s0, &std))),
        };
        let _ = std::fs::remove_dir_all(&out);
        rows.push(ClimRow {
            device: label.clone(),
            seconds: t.as_secs_f64(),
            mpix_years_s: size as f64 * size as f64 * inputs.len() as f64 / t.as_secs_f64() / 1e6,
            peak_rss_mib: rss,
            max_abs_diff: diff,
        });
    }
    Ok(rows)
}

/// The human-readable report.
pub fn table(rows: &[ClimRow], size: u32, years: usize, machine: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "climidx {} climatology bench: {years} rasters of {size}x{size} uint16 ({:.1} Gpix·years), count/mean/std/min/max",
        env!("CARGO_PKG_VERSION"),
        size as f64 * size as f64 * years as f64 / 1e9
    );
    let _ = writeln!(s, "machine: {machine}");
    let _ = writeln!(
        s,
        "\n{:>9} {:>14} {:>13} {:>8} {:>12}  device",
        "seconds", "Mpix·years/s", "peak RSS MiB", "vs cpu", "max|diff|"
    );
    let cpu = rows.first().map(|r| r.seconds);
    for r in rows {
        let _ = writeln!(
            s,
            "{:>9.2} {:>14.0} {:>13.0} {:>8} {:>12}  {}",
            r.seconds,
            r.mpix_years_s,
            r.peak_rss_mib,
            cpu.map(|c| format!("{:.2}x", c / r.seconds))
                .unwrap_or_default(),
            r.max_abs_diff
                .map(|d| format!("{d:.1e}"))
                .unwrap_or_else(|| "-".into()),
            r.device
        );
    }
    s
}
