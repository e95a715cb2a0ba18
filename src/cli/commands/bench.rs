//! `climidx bench`: run [`crate::cli::bench`] on every adapter this machine has and print the table.

use std::fmt::Write as _;

use crate::cli::args::BenchArgs;
use crate::cli::bench::{self, BenchConfig, Report};
use crate::engine::gpu::{adapter, AdapterSummary, DeviceChoice, GpuContext};
use crate::error::{Error, Result};
use crate::kernels::{self, Family};

pub fn run(a: &BenchArgs) -> Result<()> {
    let quick = std::env::var_os("CLIMIDX_BENCH_QUICK").is_some();
    let size = a.size.unwrap_or(if quick { 2048 } else { 10980 });
    if size == 0 || a.rounds == 0 {
        return Err(Error::Usage(
            "--size and --rounds must be at least 1".into(),
        ));
    }
    let all: Vec<String>;
    let names: &[String] = if a.index.iter().any(|n| n == "all") {
        all = kernels::INDICES
            .iter()
            .filter(|d| d.family == Family::Vegetation)
            .map(|d| d.name.to_string())
            .collect();
        &all
    } else {
        &a.index
    };
    // Built-in kernels, catalogue entries and formulas alike.
    let (descs, _) = crate::kernels::resolve::resolve(names, None, &[])?;
    if let Some(d) = descs.iter().find(|d| d.family == Family::Anomaly) {
        return Err(Error::Usage(format!(
            "--index {}: anomaly indices are not benchmarked here; see `bench --climatology`",
            d.name
        )));
    }
    let (workdir, temporary) = match &a.workdir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("climidx-bench-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&workdir).map_err(|e| Error::output(&workdir, e.to_string()))?;
    if let Some(years) = a.climatology {
        let r = climatology(size, years, &workdir, a);
        if temporary {
            let _ = std::fs::remove_dir_all(&workdir);
        }
        return r;
    }

    // Every adapter kind this machine has: hardware GPU, then software.
    let instance = adapter::instance();
    let adapters = if a.cpu_only {
        Vec::new()
    } else {
        adapter::enumerate(&instance)
    };
    let summaries: Vec<AdapterSummary> = adapters.iter().map(AdapterSummary::of).collect();
    let mut contexts: Vec<(String, GpuContext)> = Vec::new();
    for (label, choice) in [
        ("gpu", DeviceChoice::Gpu),
        ("software", DeviceChoice::Software),
    ] {
        if let Ok(Some(i)) = adapter::pick(&summaries, choice, None) {
            contexts.push((
                format!("{label}: {}", summaries[i].name),
                GpuContext::new(adapters[i].clone())?,
            ));
        }
    }
    let gpus: Vec<(String, &GpuContext)> = contexts.iter().map(|(l, c)| (l.clone(), c)).collect();
    let cfg = BenchConfig {
        size,
        rounds: a.rounds,
        indices: descs,
        peers: a.peers,
        workdir: workdir.clone(),
        input: a.input.clone(),
        file_modes: !a.no_file,
    };
    eprintln!(
        "climidx bench: {size}x{size}, {} round(s) after a warm-up; this takes a while",
        a.rounds
    );
    let report = bench::run(&cfg, &gpus);
    if temporary {
        let _ = std::fs::remove_dir_all(&workdir);
    }
    let report = report?;
    let names: Vec<&str> = cfg.indices.iter().map(|d| d.name.as_ref()).collect();
    print!("{}", table(&report, &names.join(",")));
    if let Some(p) = &a.json {
        std::fs::write(p, json(&report, &names.join(",")))
            .map_err(|e| Error::output(p, e.to_string()))?;
    }
    Ok(())
}

fn fmt_diff(d: Option<f64>) -> String {
    match d {
        Some(d) if d.is_infinite() => "nodata differs".into(),
        Some(d) => format!("{d:.1e}"),
        None => "-".into(),
    }
}

/// The human-readable report.
pub fn table(r: &Report, indices: &str) -> String {
    let mut s = String::new();
    let side = (r.pixels as f64).sqrt() as u64;
    let _ = writeln!(
        s,
        "climidx {} bench: {indices}, {side}x{side} ({:.1} Mpix)",
        env!("CARGO_PKG_VERSION"),
        r.pixels as f64 / 1e6
    );
    let _ = writeln!(s, "machine: {}", r.machine);
    for d in &r.devices {
        let _ = writeln!(s, "adapter {d}");
    }
    let _ = writeln!(
        s,
        "\n{:<44} {:<10} {:>8} {:>19} {:>9} {:>7} {:>6} {:>8} {:>14}",
        "path", "mode", "median s", "[min..max]", "Mpix/s", "GB/s", "%bw", "vs cpu", "max|diff|"
    );
    for row in &r.rows {
        let cpu = r.rows.iter().find(|x| {
            x.mode == row.mode && x.path.starts_with("cpu (") && !x.path.contains("1 thread")
        });
        let vs = cpu
            .map(|c| format!("{:.2}x", c.median / row.median))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "{:<44} {:<10} {:>8.3} {:>19} {:>9.0} {:>7.2} {:>5.0}% {:>8} {:>14}",
            row.path,
            row.mode,
            row.median,
            format!("[{:.3}..{:.3}]", row.min, row.max),
            row.mpix_s,
            row.gb_s,
            100.0 * row.bandwidth_fraction,
            vs,
            fmt_diff(row.max_abs_diff)
        );
    }
    // Ratio of each climidx file path to the fastest peer.
    let peers: Vec<_> = r
        .rows
        .iter()
        .filter(|x| x.mode == "file" && !x.path.starts_with("cpu") && !x.path.contains(':'))
        .collect();
    if let Some(best) = peers.iter().min_by(|a, b| a.median.total_cmp(&b.median)) {
        let _ = writeln!(
            s,
            "\nfile to file against the fastest peer ({}, {:.3} s):",
            best.path, best.median
        );
        for row in r
            .rows
            .iter()
            .filter(|x| x.mode == "file" && (x.path.starts_with("cpu") || x.path.contains(':')))
        {
            let _ = writeln!(
                s,
                "  {:<44} {:.2}x faster",
                row.path,
                best.median / row.median
            );
        }
    }
    if !r.outputs.is_empty() {
        let _ = writeln!(
            s,
            "\noutputs against gdal_calc.py writing the same kind of file (alternated, medians; \
             worst: the smallest ratio of one round):\n{:<10} {:<10} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8} {:>8}",
            "input", "codec", "climidx s", "MB", "gdal s", "MB", "faster", "worst", "size"
        );
        for o in &r.outputs {
            let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map(f).unwrap_or("-".into());
            let _ = writeln!(
                s,
                "{:<10} {:<10} {:>10.3} {:>10.1} {:>10} {:>10} {:>9} {:>8} {:>8}",
                o.input,
                o.codec,
                o.climidx_s,
                o.climidx_bytes as f64 / 1e6,
                opt(o.gdal_s, &|v| format!("{v:.3}")),
                opt(o.gdal_bytes.map(|b| b as f64 / 1e6), &|v| format!("{v:.1}")),
                opt(o.speedup(), &|v| format!("{v:.2}x")),
                opt(o.worst_round, &|v| format!("{v:.2}x")),
                opt(o.size_diff_pct(), &|v| format!("{v:+.1}%")),
            );
        }
    }
    for n in &r.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "null".into()
    }
}

/// The report as JSON.
pub fn json(r: &Report, indices: &str) -> String {
    let mut s = String::from("{\n");
    let _ = writeln!(
        s,
        "  \"climidx_version\": \"{}\",",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(s, "  \"indices\": \"{}\",", esc(indices));
    let _ = writeln!(s, "  \"pixels\": {},", r.pixels);
    let _ = writeln!(s, "  \"machine\": \"{}\",", esc(&r.machine));
    let _ = writeln!(s, "  \"memory_bandwidth_gb_s\": {},", num(r.bandwidth_gb_s));
    let devs: Vec<String> = r
        .devices
        .iter()
        .map(|d| format!("\"{}\"", esc(d)))
        .collect();
    let _ = writeln!(s, "  \"adapters\": [{}],", devs.join(", "));
    let notes: Vec<String> = r.notes.iter().map(|d| format!("\"{}\"", esc(d))).collect();
    let _ = writeln!(s, "  \"notes\": [{}],", notes.join(", "));
    s.push_str("  \"results\": [\n");
    let rows: Vec<String> = r
        .rows
        .iter()
        .map(|x| {
            format!(
                "    {{\"path\": \"{}\", \"mode\": \"{}\", \"median_s\": {}, \"min_s\": {}, \"max_s\": {}, \"mpix_s\": {}, \"gb_s\": {}, \"bandwidth_fraction\": {}, \"max_abs_diff\": {}}}",
                esc(&x.path),
                x.mode,
                num(x.median),
                num(x.min),
                num(x.max),
                num(x.mpix_s),
                num(x.gb_s),
                num(x.bandwidth_fraction),
                x.max_abs_diff.map(num).unwrap_or_else(|| "null".into())
            )
        })
        .collect();
    s.push_str(&rows.join(",\n"));
    s.push_str("\n  ],\n  \"outputs\": [\n");
    let outs: Vec<String> = r
        .outputs
        .iter()
        .map(|o| {
            let opt = |v: Option<f64>| v.map(num).unwrap_or_else(|| "null".into());
            format!(
                "    {{\"input\": \"{}\", \"codec\": \"{}\", \"climidx_s\": {}, \"climidx_bytes\": {}, \"gdal_calc_s\": {}, \"gdal_calc_bytes\": {}, \"worst_round_speedup\": {}}}",
                esc(&o.input),
                esc(&o.codec),
                num(o.climidx_s),
                o.climidx_bytes,
                opt(o.gdal_s),
                opt(o.gdal_bytes.map(|b| b as f64)),
                opt(o.worst_round)
            )
        })
        .collect();
    s.push_str(&outs.join(",\n"));
    s.push_str("\n  ]\n}\n");
    s
}

/// `bench --climatology YEARS`: generate the stack, then time every device path.
fn climatology(size: u32, years: u32, workdir: &std::path::Path, a: &BenchArgs) -> Result<()> {
    use crate::cli::bench::climatology as bc;
    if years < 2 {
        return Err(Error::Usage(
            "--climatology needs at least 2 rasters".into(),
        ));
    }
    let exe = std::env::current_exe().map_err(|e| Error::Internal(e.to_string()))?;
    eprintln!(
        "climidx bench: writing {years} rasters of {size}x{size} to {}",
        workdir.display()
    );
    let inputs = bc::write_stack(workdir, size, years)?;
    let mut devices = vec![(
        format!("cpu ({} threads)", rayon::current_num_threads()),
        "cpu".to_string(),
    )];
    let instance = adapter::instance();
    let summaries: Vec<AdapterSummary> = adapter::enumerate(&instance)
        .iter()
        .map(AdapterSummary::of)
        .collect();
    for (label, choice, arg) in [
        ("gpu", DeviceChoice::Gpu, "gpu"),
        ("software", DeviceChoice::Software, "software"),
    ] {
        if let Ok(Some(i)) = adapter::pick(&summaries, choice, None) {
            devices.push((
                format!("{label}: {}", summaries[i].one_line()),
                arg.to_string(),
            ));
        }
    }
    let machine = format!(
        "{} ({} threads, {} CPU kernels)",
        crate::cli::bench::cpu_model(),
        rayon::current_num_threads(),
        crate::kernels::simd::level()
    );
    let mut rows = Vec::new();
    for _ in 0..a.rounds.max(1) {
        let r = bc::run(&exe, &inputs, size, workdir, &devices)?;
        if rows.is_empty() {
            rows = r;
        } else {
            // keep the fastest round of each path
            for (old, new) in rows.iter_mut().zip(r) {
                if new.seconds < old.seconds {
                    *old = new;
                }
            }
        }
    }
    for p in &inputs {
        let _ = std::fs::remove_file(p);
    }
    print!("{}", bc::table(&rows, size, inputs.len(), &machine));
    Ok(())
}
