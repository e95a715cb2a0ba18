//! Climate stacks from NetCDF and Zarr (assets/cf/, written by tests/fixtures/make_cf_stacks.py
//! with xarray and netCDF4): the climatology of the NetCDF-4, Zarr v2 (blosc) and Zarr v3
//! (zstd, south-up) copies of the NDVI stack equals the GeoTIFF stack's, bit for bit, on the
//! same grid and CRS; the precipitation stack (noleap calendar, scale/offset, two fill values,
//! ascending latitude) matches what xarray computes; anomalies of a stack member equal the
//! GeoTIFF's; bad stacks are refused in one line.

use crate::common;

use std::path::Path;

use climidx::io::raster::RasterInfo;
use common::{asset, fails, ok, read_f32, tempdir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn info(p: &Path) -> RasterInfo {
    climidx::io::open(p).unwrap().info().clone()
}

const STATS: [&str; 5] = ["count", "mean", "std", "min", "max"];

fn assert_same_climatology(a: &Path, b: &Path, what: &str) {
    for m in ["06", "07"] {
        for st in STATS {
            let (fa, fb) = (
                a.join(m).join(format!("{st}.tif")),
                b.join(m).join(format!("{st}.tif")),
            );
            let (va, vb) = (read_f32(&fa), read_f32(&fb));
            let bits = |v: &Vec<Vec<f32>>| v[0].iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&va), bits(&vb), "{what}: {m}/{st}.tif differs");
            let (ia, ib) = (info(&fa), info(&fb));
            assert_eq!((ia.width, ia.height), (ib.width, ib.height));
            assert_eq!(ia.geo.geotransform(), ib.geo.geotransform(), "{what}: grid");
            assert_eq!(ia.geo.mismatch(&ib.geo), None, "{what}: CRS");
        }
    }
}

#[test]
fn cf_stacks_give_the_geotiff_stacks_climatology() {
    let dir = tempdir("cf-ndvi");
    let tif = dir.join("tif");
    ok(&[
        "climatology",
        "--manifest",
        s(&asset("stack/ndvi_stack.csv")),
        "--baseline",
        "2001-2008",
        "--period",
        "month",
        "--scale",
        "0.0001",
        "-o",
        s(&tif),
        "--device",
        "cpu",
    ]);
    let nc = format!("{}:ndvi", s(&asset("cf/ndvi_stack.nc")));
    let v2 = asset("cf/ndvi_stack_v2.zarr");
    let v3 = format!("{}:ndvi", s(&asset("cf/ndvi_stack_v3.zarr")));
    for (name, input) in [("nc", nc.as_str()), ("v2", s(&v2)), ("v3", v3.as_str())] {
        let out = dir.join(name);
        ok(&[
            "climatology",
            input,
            "--period",
            "month",
            "-o",
            s(&out),
            "--device",
            "cpu",
            "--window-pixels",
            "500",
        ]);
        assert_same_climatology(&tif, &out, name);
        // The calibration came from the file and is recorded.
        let j: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("climatology.json")).unwrap())
                .unwrap();
        let c = &j["calibration"];
        assert_eq!(c["source"], "file metadata", "{j}");
        assert!((c["scale"].as_f64().unwrap() - 1e-4).abs() < 1e-9, "{j}");
        assert_eq!(c["nodata"], -3000.0, "{j}");
        let inputs: Vec<&str> = j["groups"][0]["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["date"].as_str().unwrap())
            .collect();
        assert_eq!(inputs.len(), 8);
        assert_eq!(inputs[0], "2001-06-15");
    }
    // The flipped (south-up) Zarr v3 store on the software adapter in many windows.
    if common::software_or_skip("cf stack climatology on the software adapter") {
        let out = dir.join("v3_sw");
        ok(&[
            "climatology",
            &v3,
            "--period",
            "month",
            "-o",
            s(&out),
            "--device",
            "software",
            "--window-pixels",
            "300",
        ]);
        for m in ["06", "07"] {
            for st in STATS {
                let a = read_f32(&tif.join(m).join(format!("{st}.tif")));
                let b = read_f32(&out.join(m).join(format!("{st}.tif")));
                for (x, y) in a[0].iter().zip(&b[0]) {
                    assert!(
                        (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-6 * x.abs().max(1.0),
                        "{m}/{st}: {x} vs {y}"
                    );
                }
            }
        }
    }
}

#[test]
fn cf_stack_member_anomaly_equals_the_geotiffs() {
    let dir = tempdir("cf-anomaly");
    let nc = format!("{}:ndvi", s(&asset("cf/ndvi_stack.nc")));
    let clim = dir.join("clim");
    ok(&[
        "climatology",
        &nc,
        "--period",
        "month",
        "-o",
        s(&clim),
        "--device",
        "cpu",
    ]);
    let tclim = dir.join("tclim");
    ok(&[
        "climatology",
        "--manifest",
        s(&asset("stack/ndvi_stack.csv")),
        "--baseline",
        "2001-2008",
        "--period",
        "month",
        "--scale",
        "0.0001",
        "-o",
        s(&tclim),
        "--device",
        "cpu",
    ]);
    let member = format!("{nc}@2005-07-15");
    let a = dir.join("z_nc.tif");
    ok(&[
        "anomaly",
        &member,
        "--climatology",
        s(&clim),
        "--kind",
        "zscore",
        "-o",
        s(&a),
        "--device",
        "cpu",
    ]);
    let b = dir.join("z_tif.tif");
    ok(&[
        "anomaly",
        s(&asset("stack/ndvi_20050715.tif")),
        "--climatology",
        s(&tclim),
        "--kind",
        "zscore",
        "--scale",
        "0.0001",
        "-o",
        s(&b),
        "--device",
        "cpu",
    ]);
    let (va, vb) = (read_f32(&a), read_f32(&b));
    let valid = va[0].iter().filter(|x| x.is_finite()).count();
    assert!(valid > 1000, "{valid} valid z-scores");
    assert_eq!(
        va[0].iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        vb[0].iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    // A date the stack lacks is said.
    fails(
        &[
            "anomaly",
            &format!("{nc}@2005-07-16"),
            "--climatology",
            s(&clim),
            "--kind",
            "zscore",
            "-o",
            s(&dir.join("x.tif")),
        ],
        3,
        "no time step on 2005-07-16",
    );
}

#[test]
fn cf_precipitation_stack_matches_xarray() {
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(asset("cf/reference.json")).unwrap())
            .unwrap();
    let dir = tempdir("cf-precip");
    let out = dir.join("clim");
    let nc = format!("{}:pr", s(&asset("cf/precip_latlon.nc")));
    ok(&[
        "climatology",
        &nc,
        "--period",
        "month",
        "--min-count",
        "1",
        "-o",
        s(&out),
        "--device",
        "cpu",
    ]);
    let r = &reference["precip_latlon.nc"]["month"];
    let mut compared = 0;
    for m in 1..=12 {
        let key = format!("{m:02}");
        for st in STATS {
            let f = out.join(&key).join(format!("{st}.tif"));
            let got = read_f32(&f);
            let want = r[&key][st].as_array().unwrap();
            assert_eq!(got[0].len(), want.len());
            for (k, (g, w)) in got[0].iter().zip(want).enumerate() {
                if st == "count" {
                    assert_eq!(g.to_bits() as u64, w.as_u64().unwrap(), "{key}/count[{k}]");
                    continue;
                }
                match w.as_f64() {
                    None => assert!(g.is_nan(), "{key}/{st}[{k}]: {g}, xarray: none"),
                    Some(w) => {
                        // min/max are exact float32 values; mean and std within the
                        // climatology's documented bound, 2e-7 x |value| x n (values < 300, n <= 6).
                        let tol = match st {
                            "min" | "max" => 1e-6 * w.abs().max(1.0),
                            _ => 2e-7 * 300.0 * 6.0,
                        };
                        assert!(
                            (*g as f64 - w).abs() <= tol,
                            "{key}/{st}[{k}]: {g} vs xarray {w}"
                        );
                        compared += 1;
                    }
                }
            }
        }
    }
    assert!(compared > 2500, "{compared} values compared");
    // North-up lat/lon grid on WGS 84, as GDAL reads it.
    let i = info(&out.join("01/mean.tif"));
    let gt = i.geo.geotransform().unwrap().to_gdal();
    assert_eq!(gt, [-3.0, 0.25, 0.0, 41.75, 0.0, -0.25]);
    if let Some(gdalinfo) = common::gdal_tool("gdalinfo", "cf stack CRS through GDAL") {
        let j = common::run_ok(
            std::process::Command::new(gdalinfo).args(["-json", s(&out.join("01/mean.tif"))]),
        );
        assert!(
            j.contains("\"ID[\\\"EPSG\\\",4326]") || j.contains("4326"),
            "{j}"
        );
    }
    // The dates are xarray's (noleap calendar, hours since an origin).
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("climatology.json")).unwrap())
            .unwrap();
    let mut ours: Vec<String> = j["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| {
            g["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["date"].as_str().unwrap().to_string())
        })
        .collect();
    ours.sort();
    let theirs: Vec<String> = reference["precip_latlon.nc"]["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn cf_stack_dates_match_xarray_for_every_format() {
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(asset("cf/reference.json")).unwrap())
            .unwrap();
    for (name, var) in [
        ("ndvi_stack.nc", "ndvi"),
        ("ndvi_stack_v2.zarr", "ndvi"),
        ("ndvi_stack_v3.zarr", "ndvi"),
        ("precip_latlon.nc", "pr"),
    ] {
        let spec = format!("{}:{var}", s(&asset(&format!("cf/{name}"))));
        let members = climidx::io::cf::members(Path::new(&spec)).unwrap().unwrap();
        let dates: Vec<String> = members.iter().map(|(_, d)| d.to_string()).collect();
        let want: Vec<String> = reference[name]["dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect();
        assert_eq!(dates, want, "{name}");
        let shape = &reference[name]["shape"];
        let i = info(&members[0].0);
        assert_eq!(
            (i.height as u64, i.width as u64),
            (shape[1].as_u64().unwrap(), shape[2].as_u64().unwrap())
        );
    }
}

#[test]
fn cf_bad_stacks_are_refused_in_one_line() {
    let dir = tempdir("cf-bad");
    let out = dir.join("o");
    let cf = |f: &str| s(&asset(&format!("cf/{f}"))).to_string();
    let cases = [
        (format!("{}:pr", cf("no_time.nc")), "no time axis"),
        (
            format!("{}:pr", cf("dup_time.nc")),
            "both fall on 1990-02-15",
        ),
        (
            format!("{}:pr", cf("precip_360day.nc")),
            "calendar \"360_day\" is not supported",
        ),
        (
            format!("{}:rain", cf("precip_latlon.nc")),
            "has no variable \"rain\"",
        ),
        (cf("no_time.nc"), "holds no variable(time, y, x)"),
    ];
    for (input, needle) in &cases {
        fails(
            &["climatology", input, "--period", "month", "-o", s(&out)],
            3,
            needle,
        );
        assert!(!out.exists(), "{input}: output written");
    }
}
