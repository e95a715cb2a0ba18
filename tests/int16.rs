//! Scaled int16 outputs (`--output-type int16 --output-scale S --output-offset O`): the stored
//! integers, GDAL's type, scale, offset and nodata as GDAL reports them, values within S/2 of
//! the float32 output, misfits written as nodata and counted, climidx reading the file back
//! with its scale, overviews, and the refusals.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{asset, climidx, fails, gdal_tool, ok, read_f32, run_ok, tempdir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The stored int16 samples of band `b` (1-based) as GDAL reads them, unscaled (ENVI raw).
fn gdal_raw_i16(translate: &Path, file: &Path, b: u32) -> Vec<i16> {
    let raw = file.with_extension(format!("b{b}.raw"));
    run_ok(
        Command::new(translate)
            .args(["-q", "-of", "ENVI", "-b", &b.to_string()])
            .arg(file)
            .arg(&raw),
    );
    let bytes = std::fs::read(&raw).unwrap();
    bytes
        .chunks(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect()
}

fn bands() -> Vec<String> {
    [("blue", "B02"), ("red", "B04"), ("nir", "B08")]
        .iter()
        .flat_map(|(r, f)| {
            [
                "-b".to_string(),
                format!("{r}={}", s(&asset(&format!("sample/{f}.tif")))),
            ]
        })
        .collect()
}

fn index(out: &Path, names: &[&str], extra: &[&str]) -> std::process::Output {
    let b = bands();
    let mut args: Vec<&str> = vec!["index"];
    args.extend(names);
    args.extend(b.iter().map(|x| x.as_str()));
    args.extend(["--scale", "0.0001", "-o", s(out)]);
    args.extend(extra);
    climidx(&args)
}

#[test]
fn int16_output_is_what_gdal_reads_within_half_a_step() {
    let (Some(info), Some(translate)) = (
        gdal_tool("gdalinfo", "int16 output"),
        gdal_tool("gdal_translate", "int16 output"),
    ) else {
        return;
    };
    let dir = tempdir("int16");
    let (f, q) = (dir.join("f.tif"), dir.join("q.tif"));
    assert!(index(&f, &["ndvi", "evi"], &[]).status.success());
    let (scale, offset) = (0.0001, -0.5);
    let o = index(
        &q,
        &["ndvi", "evi"],
        &[
            "--output-type",
            "int16",
            "--output-scale",
            "0.0001",
            "--output-offset",
            "-0.5",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let js: serde_json::Value =
        serde_json::from_str(&run_ok(Command::new(&info).arg("-json").arg(&q))).unwrap();
    let floats = read_f32(&f);
    for (b, band) in js["bands"].as_array().unwrap().iter().enumerate() {
        assert_eq!(band["type"], "Int16", "{band}");
        assert_eq!(band["scale"].as_f64(), Some(scale));
        assert_eq!(band["offset"].as_f64(), Some(offset));
        assert_eq!(band["noDataValue"].as_f64(), Some(-32768.0));
        assert_eq!(band["unit"], "1");
        let raw = gdal_raw_i16(&translate, &q, b as u32 + 1);
        assert_eq!(raw.len(), floats[b].len());
        let mut valid = 0;
        for (i, (&r, &v)) in raw.iter().zip(&floats[b]).enumerate() {
            if v.is_nan() {
                assert_eq!(r, -32768, "band {b} pixel {i}: nodata");
                continue;
            }
            valid += 1;
            let back = r as f64 * scale + offset;
            assert!(
                (back - v as f64).abs() <= scale / 2.0 + 1e-9,
                "band {b} pixel {i}: stored {r} reads {back}, value {v}"
            );
        }
        assert!(valid > 7000, "{valid}");
    }
    // climidx reads its own int16 file back with the scale and offset (calibration follows).
    let back = dir.join("back.tif");
    ok(&[
        "index",
        "N*1",
        "-b",
        &format!("nir={}:1", s(&q)),
        "-o",
        s(&back),
    ]);
    for (x, y) in read_f32(&back)[0].iter().zip(&floats[0]) {
        assert_eq!(x.is_nan(), y.is_nan());
        if !y.is_nan() {
            assert!(((x - y) as f64).abs() <= scale / 2.0 + 1e-6, "{x} {y}");
        }
    }
}

#[test]
fn int16_misfits_become_nodata_and_are_counted() {
    let Some(translate) = gdal_tool("gdal_translate", "int16 misfits") else {
        return;
    };
    let dir = tempdir("int16-misfit");
    let (f, q) = (dir.join("f.tif"), dir.join("q.tif"));
    assert!(index(&f, &["evi"], &[]).status.success());
    let scale = 0.00002;
    let o = index(
        &q,
        &["evi"],
        &["--output-type", "int16", "--output-scale", "0.00002"],
    );
    assert!(o.status.success());
    let floats = &read_f32(&f)[0];
    let misfits = floats
        .iter()
        .filter(|v| !v.is_nan() && ((**v as f64) / scale).round().abs() >= 32768.0)
        .count();
    assert!(misfits > 100, "{misfits}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{misfits} valid values outside")),
        "{err}"
    );
    let raw = gdal_raw_i16(&translate, &q, 1);
    let nodata = raw.iter().filter(|&&r| r == -32768).count();
    let invalid = floats.iter().filter(|v| v.is_nan()).count();
    assert_eq!(nodata, invalid + misfits);
}

#[test]
fn int16_cog_has_int16_overviews_and_bad_options_are_refused() {
    let dir = tempdir("int16-cog");
    let q = dir.join("q.tif");
    let o = index(
        &q,
        &["ndvi"],
        &[
            "--output-type",
            "int16",
            "--output-scale",
            "0.0001",
            "--cog",
            "--tile-size",
            "32",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    if let Some(info) = gdal_tool("gdalinfo", "int16 cog") {
        let out = run_ok(Command::new(&info).arg(&q));
        assert!(out.contains("LAYOUT=COG"), "{out}");
        assert!(out.contains("Type=Int16"), "{out}");
        assert!(out.contains("Overviews: 48x40"), "{out}");
        assert!(out.contains("Offset: 0,   Scale:0.0001"), "{out}");
    }
    let r = format!("red={}", s(&asset("sample/B04.tif")));
    let n = format!("nir={}", s(&asset("sample/B08.tif")));
    let x = dir.join("x.tif");
    let base = ["index", "ndvi", "-b", &r, "-b", &n, "-o", s(&x)];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter()
            .chain(extra)
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
    };
    for (extra, needle) in [
        (&["--output-type", "int16"][..], "needs --output-scale"),
        (
            &["--output-scale", "0.1"][..],
            "apply to --output-type int16",
        ),
        (
            &["--output-type", "int16", "--output-scale", "0"][..],
            "positive",
        ),
        (
            &[
                "--output-type",
                "int16",
                "--output-scale",
                "1",
                "--out-nodata",
                "1e6",
            ][..],
            "cannot be stored as int16",
        ),
    ] {
        let a = with(extra);
        let a: Vec<&str> = a.iter().map(|s| s.as_str()).collect();
        fails(&a, 2, needle);
    }
    assert!(!x.exists());
    let stack: Vec<String> = ["bt_20010615", "bt_20020615", "bt_20030615"]
        .iter()
        .map(|f| s(&asset(&format!("stack/{f}.tif"))).to_string())
        .collect();
    let trend_out = dir.join("trend");
    let mut a: Vec<&str> = vec!["trend"];
    a.extend(stack.iter().map(|x| x.as_str()));
    a.extend(["-o", s(&trend_out), "--output-type", "int16"]);
    a.extend(["--output-scale", "0.001"]);
    fails(&a, 2, "float32 outputs only");
}
