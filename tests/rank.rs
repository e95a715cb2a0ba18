//! `anomaly --kind percentile-rank` against scipy.stats.percentileofscore
//! (tests/fixtures/make_rank_refs.py → tests/fixtures/rank/refs.csv) on the shipped stack
//! (assets/stack, period 07 of 2001–2008, gaps in the baseline, nodata observations): every
//! `--rank-kind`, an observation tied with itself in its baseline, `--min-count`, through the
//! CLI on the CPU and the software GPU in many windows; and the refusals (a baseline input
//! missing or changed, an old climatology.json, options of other kinds).

use crate::common;

use std::path::{Path, PathBuf};

use common::{fails, read_f32, repo, tempdir};

const PX: usize = 48 * 40;

/// refs.csv: column name → one value per pixel (NaN = nodata).
fn refs() -> Vec<(String, Vec<f64>)> {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/rank/refs.csv")).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let cols: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut out: Vec<(String, Vec<f64>)> = cols.into_iter().map(|c| (c, Vec::new())).collect();
    for l in lines {
        for (v, c) in l.split(',').zip(out.iter_mut()) {
            c.1.push(v.parse().unwrap());
        }
    }
    assert_eq!(out[0].1.len(), PX);
    out
}

fn col<'a>(refs: &'a [(String, Vec<f64>)], name: &str) -> &'a [f64] {
    &refs.iter().find(|c| c.0 == name).unwrap().1
}

/// The README's monthly climatology of assets/stack, built in `dir`.
fn climatology(dir: &Path) -> PathBuf {
    let clim = dir.join("clim_m");
    common::ok(&[
        "climatology",
        "--manifest",
        "assets/stack/ndvi_stack.csv",
        "--period",
        "month",
        "--baseline",
        "2001-2008",
        "--scale",
        "0.0001",
        "-o",
        &clim.display().to_string(),
        "-q",
    ]);
    clim
}

fn rank(obs: &str, clim: &Path, out: &Path, extra: &[&str]) -> String {
    let (c, o) = (clim.display().to_string(), out.display().to_string());
    let mut args = vec![
        "anomaly",
        obs,
        "--climatology",
        &c,
        "--kind",
        "percentile-rank",
        "-o",
        &o,
    ];
    args.extend(extra);
    let r = common::climidx(&args);
    let err = String::from_utf8_lossy(&r.stderr).into_owned();
    assert!(r.status.success(), "{args:?}: {err}");
    err
}

/// Every pixel of `file` within 1e-4 of `want` (NaN where `want` is NaN or n < min_count).
fn assert_ranks(file: &Path, want: &[f64], n: &[f64], min_count: f64) {
    let got = &read_f32(file)[0];
    let mut checked = 0;
    for (p, (g, w)) in got.iter().zip(want).enumerate() {
        if w.is_nan() || n[p] < min_count {
            assert!(
                g.is_nan(),
                "{}: pixel {p} = {g}, expected nodata",
                file.display()
            );
        } else {
            assert!(
                (*g as f64 - w).abs() <= 1e-4,
                "{}: pixel {p} = {g}, expected {w}",
                file.display()
            );
            checked += 1;
        }
    }
    // (with --min-count 8 only the ~300 pixels without gaps remain)
    assert!(
        checked > PX / 10,
        "{}: only {checked} pixels",
        file.display()
    );
}

#[test]
fn percentile_rank_matches_scipy_on_cpu_and_gpu() {
    let dir = tempdir("rank-scipy");
    let clim = climatology(&dir);
    let refs = refs();
    let n = col(&refs, "n");
    let mut devices = vec!["cpu"];
    if common::software_or_skip("percentile rank on the software adapter") {
        devices.push("software");
    }
    for device in devices {
        // 100 px per window: 2 rows, 20 windows.
        let dev = ["--device", device, "--window-pixels", "100"];
        for kind in ["rank", "weak", "strict", "mean"] {
            let out = dir.join(format!("{kind}_{device}.tif"));
            let mut extra = dev.to_vec();
            extra.extend(["--rank-kind", kind]);
            rank("assets/stack/ndvi_20240716.tif", &clim, &out, &extra);
            // the climatology's --min-count (2)
            assert_ranks(&out, col(&refs, kind), n, 2.0);
        }
        // The default kind is scipy's "rank"; --min-count 8 leaves pixels with gaps nodata.
        let out = dir.join(format!("min8_{device}.tif"));
        let mut extra = dev.to_vec();
        extra.extend(["--min-count", "8"]);
        rank("assets/stack/ndvi_20240716.tif", &clim, &out, &extra);
        assert_ranks(&out, col(&refs, "rank"), n, 8.0);
        // One of the baseline inputs as the observation: a tie at every pixel, and said.
        for kind in ["rank", "mean"] {
            let out = dir.join(format!("self_{kind}_{device}.tif"));
            let mut extra = dev.to_vec();
            extra.extend(["--rank-kind", kind]);
            let err = rank("assets/stack/ndvi_20050715.tif", &clim, &out, &extra);
            assert!(err.contains("inside its own baseline"), "{err}");
            assert_ranks(&out, col(&refs, &format!("self_{kind}")), n, 2.0);
        }
    }
    // An observation read in other units (DN against a calibrated baseline) ranks 0 or 100
    // everywhere: the far-outside warning of the other kinds says so.
    let err = rank(
        "assets/stack/ndvi_20240716.tif",
        &clim,
        &dir.join("dn.tif"),
        &["--scale", "1"],
    );
    assert!(
        err.contains("lies far outside its climatology at 1405 of 1405"),
        "{err}"
    );
}

#[test]
fn percentile_rank_refuses_a_baseline_it_cannot_trust() {
    let dir = tempdir("rank-refuse");
    // A copy of the stack, so that its inputs can be removed and changed.
    let stack = dir.join("stack");
    std::fs::create_dir_all(&stack).unwrap();
    for e in std::fs::read_dir(repo().join("assets/stack")).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("ndvi_")
        {
            std::fs::copy(&p, stack.join(p.file_name().unwrap())).unwrap();
        }
    }
    let clim = dir.join("clim");
    common::ok(&[
        "climatology",
        "--manifest",
        &stack.join("ndvi_stack.csv").display().to_string(),
        "--period",
        "month",
        "--baseline",
        "2001-2008",
        "--scale",
        "0.0001",
        "-o",
        &clim.display().to_string(),
        "-q",
    ]);
    let obs = stack.join("ndvi_20240716.tif").display().to_string();
    let (c, out) = (
        clim.display().to_string(),
        dir.join("r.tif").display().to_string(),
    );
    let args = |extra: &'static [&'static str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "anomaly",
            &obs,
            "--climatology",
            &c,
            "--kind",
            "percentile-rank",
            "-o",
            &out,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run_fails = |extra: &'static [&'static str], code: i32, needle: &str| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, code, needle)
    };
    // Options checked before anything is read.
    run_fails(
        &["--rank-kind", "median"],
        2,
        "--rank-kind \"median\" is not one of rank, weak, strict, mean",
    );
    run_fails(
        &["--stats", "s.json"],
        2,
        "not offered with --kind percentile-rank",
    );
    let z = [
        "anomaly",
        &obs,
        "--climatology",
        &c,
        "--kind",
        "zscore",
        "--rank-kind",
        "weak",
        "-o",
        &out,
    ];
    fails(&z, 2, "apply to --kind percentile-rank only");
    // An observation on another grid.
    let other = [
        "anomaly",
        "assets/sample/B04.tif",
        "--date",
        "2024-07-16",
        "--climatology",
        &c,
        "--kind",
        "percentile-rank",
        "-o",
        &out,
    ];
    fails(
        &other,
        3,
        "the observation must be on the climatology's grid",
    );
    // A baseline input whose content changed (size and modification time).
    let changed = stack.join("ndvi_20030715.tif");
    std::fs::copy(stack.join("ndvi_20030615.tif"), &changed).unwrap();
    run_fails(&[], 3, "changed since");
    // A baseline input that is gone.
    std::fs::remove_file(&changed).unwrap();
    let err = run_fails(&[], 3, "is missing; restore it or rebuild the climatology");
    assert!(err.contains("ndvi_20030715.tif"), "{err}");
    // June does not need the changed input: its rank still runs.
    let june = dir.join("june.tif").display().to_string();
    let j = stack.join("ndvi_20010615.tif").display().to_string();
    common::ok(&[
        "anomaly",
        &j,
        "--climatology",
        &c,
        "--kind",
        "percentile-rank",
        "-o",
        &june,
        "-q",
    ]);
    // A climatology.json of an older climidx (no reading record): refused, naming the fix.
    let m = clim.join("climatology.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&m).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("reading");
    std::fs::write(&m, v.to_string()).unwrap();
    run_fails(
        &[],
        3,
        "run `climidx climatology` again for --kind percentile-rank",
    );
    assert!(!Path::new(&out).exists());
}
