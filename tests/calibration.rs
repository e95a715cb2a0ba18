//! Calibration follows the data: a file's declared Scale/Offset (GDAL metadata) is applied
//! without flags, per-band `@SCALE,OFFSET` mixes calibrations in one job, reflectance indices
//! on digital numbers are warned about, a climatology records how its inputs were read and
//! `anomaly` reads the observation the same way, and an observation inside its own baseline is
//! said.

use std::path::{Path, PathBuf};

use crate::common::{self, asset, climidx, fails, gdal_tool, ok, read_f32, run_ok, tempdir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `gdal_translate` copies of the sample bands with `-a_scale/-a_offset` (and `-units`), as
/// product COGs carry them; `None` without GDAL (the test then skips, or fails in CI).
fn declared_copies(dir: &Path, test: &str) -> Option<[PathBuf; 3]> {
    let gdal = gdal_tool("gdal_translate", test)?;
    Some(["B02", "B04", "B08"].map(|b| {
        let out = dir.join(format!("{b}_scaled.tif"));
        run_ok(std::process::Command::new(&gdal).args([
            "-q",
            "-a_scale",
            "0.0001",
            "-a_offset",
            "-0.1",
            s(&asset(&format!("sample/{b}.tif"))),
            s(&out),
        ]));
        out
    }))
}

/// The NDVI climatology of the shipped stack (`--scale 0.0001`), per month or whole, over a
/// baseline or every year.
fn ndvi_climatology(out: &Path, per_month: bool, baseline: Option<&str>) {
    let mut args = vec!["climatology", "--manifest", "assets/stack/ndvi_stack.csv"];
    if per_month {
        args.extend(["--period", "month"]);
    }
    if let Some(b) = baseline {
        args.extend(["--baseline", b]);
    }
    args.extend(["--scale", "0.0001", "-o", s(out), "--device", "cpu"]);
    ok(&args);
}

fn bands_equal(a: &Path, b: &Path) {
    let (a, b) = (read_f32(a), read_f32(b));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.len(), y.len());
        for (i, (p, q)) in x.iter().zip(y).enumerate() {
            assert_eq!(p.to_bits(), q.to_bits(), "pixel {i}: {p} vs {q}");
        }
    }
}

#[test]
fn a_files_declared_scale_and_offset_are_applied() {
    let dir = tempdir("cal-declared");
    let Some([b02, b04, b08]) =
        declared_copies(&dir, "a_files_declared_scale_and_offset_are_applied")
    else {
        return;
    };
    // The copies declare value = DN*0.0001 - 0.1; the same calibration given as flags on the
    // originals must give the same bits.
    let declared = dir.join("declared.tif");
    ok(&[
        "index",
        "ndvi",
        "evi",
        "--band",
        &format!("blue={}", s(&b02)),
        "--band",
        &format!("red={}", s(&b04)),
        "--band",
        &format!("nir={}", s(&b08)),
        "-o",
        s(&declared),
        "--device",
        "cpu",
    ]);
    let flags = dir.join("flags.tif");
    ok(&[
        "index",
        "ndvi",
        "evi",
        "--band",
        "blue=assets/sample/B02.tif",
        "--band",
        "red=assets/sample/B04.tif",
        "--band",
        "nir=assets/sample/B08.tif",
        "--scale",
        "0.0001",
        "--offset",
        "-0.1",
        "-o",
        s(&flags),
        "--device",
        "cpu",
    ]);
    bands_equal(&declared, &flags);
    // Per-band calibration wins over the file's: identity for red leaves a different NDVI.
    let per_band = dir.join("per_band.tif");
    let o = climidx(&[
        "index",
        "ndvi",
        "--band",
        &format!("red={}@1,0", s(&b04)),
        "--band",
        &format!("nir={}", s(&b08)),
        "-o",
        s(&per_band),
        "--device",
        "cpu",
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the file declares value = DN*0.0001 + -0.1"),
        "{err}"
    );
    assert_ne!(read_f32(&per_band)[0], read_f32(&flags)[0]);
    // The provenance says where each band's calibration came from.
    let info = climidx::io::geotiff::GeoTiffReader::open(&declared).unwrap();
    let bands = info.info().metadata_item("CLIMIDX_BANDS").unwrap();
    assert!(bands.contains("calibration: file metadata"), "{bands}");
}

#[test]
fn per_band_calibration_mixes_units_in_one_job() {
    // An observation in DNs beside a climatology in physical units: z-score with the value's
    // calibration on the value alone equals the z-score of `anomaly` with --scale.
    let dir = tempdir("cal-per-band");
    let clim = dir.join("clim");
    ndvi_climatology(&clim, false, Some("2001-2008"));
    let obs = "assets/stack/ndvi_20240716.tif";
    let z1 = dir.join("z1.tif");
    ok(&[
        "index",
        "zscore",
        "--band",
        &format!("value={obs}@0.0001"),
        "--band",
        &format!("mean={}", s(&clim.join("mean.tif"))),
        "--band",
        &format!("std={}", s(&clim.join("std.tif"))),
        "-o",
        s(&z1),
        "--device",
        "cpu",
    ]);
    let z2 = dir.join("z2.tif");
    ok(&[
        "anomaly",
        obs,
        "--climatology",
        s(&clim),
        "--kind",
        "zscore",
        "--scale",
        "0.0001",
        "-o",
        s(&z2),
        "--device",
        "cpu",
    ]);
    bands_equal(&z1, &z2);
    fails(
        &[
            "index",
            "ndvi",
            "--band",
            "red=assets/sample/B04.tif@0",
            "--band",
            "nir=assets/sample/B08.tif",
            "-o",
            s(&dir.join("x.tif")),
        ],
        2,
        "SCALE[,OFFSET]",
    );
}

#[test]
fn reflectance_indices_on_digital_numbers_are_warned_about() {
    let dir = tempdir("cal-dn-warning");
    let args = |out: &Path, scale: Option<&str>| {
        let mut a: Vec<String> = [
            "index",
            "evi",
            "--band",
            "blue=assets/sample/B02.tif",
            "--band",
            "red=assets/sample/B04.tif",
            "--band",
            "nir=assets/sample/B08.tif",
            "-o",
            s(out),
            "--device",
            "cpu",
        ]
        .map(String::from)
        .to_vec();
        if let Some(sc) = scale {
            a.extend(["--scale".to_string(), sc.to_string()]);
        }
        a
    };
    let dn = args(&dir.join("dn.tif"), None);
    let o = climidx(&dn.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "a warning, not a refusal");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("looks like digital numbers"), "{err}");
    assert_eq!(
        err.matches("looks like digital numbers").count(),
        3,
        "once per band: {err}"
    );
    let refl = args(&dir.join("refl.tif"), Some("0.0001"));
    let o = climidx(&refl.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("digital numbers"), "{err}");
    // A warning never changes the result: the DN output is what the formula gives on DNs.
    let (b, r, n) = (
        common::read_band_f64(&asset("sample/B02.tif"), 1.0, false),
        common::read_band_f64(&asset("sample/B04.tif"), 1.0, false),
        common::read_band_f64(&asset("sample/B08.tif"), 1.0, false),
    );
    let got = &read_f32(&dir.join("dn.tif"))[0];
    let mut checked = 0;
    for i in (0..got.len()).filter(|&i| b[i] > 0.0 && r[i] > 0.0 && n[i] > 0.0) {
        let want = 2.5 * (n[i] - r[i]) / (n[i] + 6.0 * r[i] - 7.5 * b[i] + 1.0);
        assert!(
            (got[i] as f64 - want).abs() < 1e-4 * want.abs().max(1.0),
            "{} vs {want}",
            got[i]
        );
        checked += 1;
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn anomaly_reads_the_observation_as_the_climatology_read_its_inputs() {
    let dir = tempdir("cal-anomaly");
    let clim = dir.join("clim");
    ndvi_climatology(&clim, true, Some("2001-2008"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(clim.join("climatology.json")).unwrap())
            .unwrap();
    let cal = &manifest["calibration"];
    assert_eq!(cal["scale"].as_f64().unwrap() as f32, 0.0001);
    assert_eq!(cal["offset"].as_f64().unwrap(), 0.0);
    assert_eq!(cal["source"], "--scale/--offset");
    assert_eq!(cal["band"], 1);
    let mean = climidx::io::geotiff::GeoTiffReader::open(&clim.join("07/mean.tif")).unwrap();
    let item = mean
        .info()
        .metadata_item("CLIMIDX_INPUT_CALIBRATION")
        .unwrap();
    assert!(item.starts_with("value = DN*0.0001 + 0"), "{item}");
    // VCI with and without repeating --scale: the same bits.
    let obs = "assets/stack/ndvi_20240716.tif";
    let with = dir.join("vci_with.tif");
    ok(&[
        "anomaly",
        obs,
        "--climatology",
        s(&clim),
        "--kind",
        "vci",
        "--scale",
        "0.0001",
        "-o",
        s(&with),
        "--device",
        "cpu",
    ]);
    let without = dir.join("vci_without.tif");
    ok(&[
        "anomaly",
        obs,
        "--climatology",
        s(&clim),
        "--kind",
        "vci",
        "-o",
        s(&without),
        "--device",
        "cpu",
    ]);
    bands_equal(&with, &without);
    let out = climidx::io::geotiff::GeoTiffReader::open(&without).unwrap();
    let bands = out.info().metadata_item("CLIMIDX_BANDS").unwrap();
    assert!(
        bands.contains("(value = DN*0.0001 + 0, calibration: climatology record)"),
        "{bands}"
    );
    // Read in the wrong units (identity on a DN observation), the result is what was asked
    // for, and a warning says it lies far outside the climatology.
    let wrong = dir.join("vci_wrong.tif");
    let o = climidx(&[
        "anomaly",
        obs,
        "--climatology",
        s(&clim),
        "--kind",
        "vci",
        "--scale",
        "1",
        "-o",
        s(&wrong),
        "--device",
        "cpu",
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("far outside its climatology"), "{err}");
    let o = climidx(&[
        "anomaly",
        obs,
        "--climatology",
        s(&clim),
        "--kind",
        "zscore",
        "-o",
        s(&dir.join("z_ok.tif")),
        "--device",
        "cpu",
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("far outside"), "{err}");
    let v = &read_f32(&without)[0];
    let valid: Vec<f32> = v.iter().copied().filter(|x| x.is_finite()).collect();
    assert!(!valid.is_empty());
    // Without the recorded calibration VCI reached ±10^7; read as the inputs were it is a few
    // hundred at most (outside 0–100 only where 2024 leaves the baseline's range).
    assert!(
        valid.iter().all(|x| x.abs() < 1e4),
        "{:?}",
        valid.iter().fold(0f32, |m, x| m.max(x.abs()))
    );
}

#[test]
fn an_observation_inside_its_own_baseline_is_said() {
    let dir = tempdir("cal-inside-baseline");
    let clim = dir.join("clim");
    // The whole stack, the 2024 observation included.
    ndvi_climatology(&clim, true, None);
    let csv = std::fs::read_to_string(asset("stack/ndvi_stack.csv")).unwrap();
    let inside = csv.contains("20240716");
    let o = climidx(&[
        "anomaly",
        "assets/stack/ndvi_20240716.tif",
        "--climatology",
        s(&clim),
        "--kind",
        "zscore",
        "-o",
        s(&dir.join("z.tif")),
        "--device",
        "cpu",
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.contains("inside its own baseline"), inside, "{err}");
    // With a baseline that leaves 2024 out, nothing is said.
    let clim2 = dir.join("clim2");
    ndvi_climatology(&clim2, true, Some("2001-2008"));
    let o = climidx(&[
        "anomaly",
        "assets/stack/ndvi_20240716.tif",
        "--climatology",
        s(&clim2),
        "--kind",
        "zscore",
        "-o",
        s(&dir.join("z2.tif")),
        "--device",
        "cpu",
    ]);
    assert!(o.status.success());
    assert!(!String::from_utf8_lossy(&o.stderr).contains("inside its own baseline"));
}
