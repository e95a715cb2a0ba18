//! Peer tools for `climidx bench --peers`: the same NDVI, file to file, with gdal_calc.py,
//! NumPy + rasterio and Orfeo ToolBox when they are installed. Each is timed as a whole
//! process (median of the rounds after a warm-up), and its output is compared with climidx's.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::kernels::IndexDesc;

const RASTERIO_NDVI: &str = r#"
import sys
import numpy as np
import rasterio
with rasterio.open(sys.argv[1]) as src:
    red = src.read(3).astype(np.float32)
    nir = src.read(4).astype(np.float32)
    profile = src.profile
with np.errstate(divide="ignore", invalid="ignore"):
    ndvi = (nir - red) / (nir + red)
ndvi[(red == 0) | (nir == 0)] = np.nan
profile.update(count=1, dtype="float32", nodata=float("nan"))
with rasterio.open(sys.argv[2], "w", **profile) as dst:
    dst.write(ndvi, 1)
"#;

fn python() -> &'static str {
    // Debian's interpreter carries the apt-installed GDAL, NumPy and rasterio bindings.
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

fn works(cmd: &mut Command) -> bool {
    cmd.output().map(|o| o.status.success()).unwrap_or(false)
}

/// Whether `python3 -m osgeo_utils.gdal_calc` can run.
pub fn gdal_calc_available() -> bool {
    works(Command::new(python()).args(["-c", "from osgeo_utils import gdal_calc"]))
}

/// gdal_calc.py computing NDVI from bands 3 and 4 of `input` into `out`, with GDAL creation
/// options `co` (none: GDAL's defaults, uncompressed strips; any: 512-px tiles, as climidx
/// writes, and `NUM_THREADS=ALL_CPUS`). GDAL 3.6's gdal_calc writes every pixel as NaN with
/// `--NoDataValue=nan`, so it gets a finite nodata value.
pub fn gdal_calc_command(input: &Path, out: &Path, co: &[&str]) -> Command {
    let input = input.to_string_lossy();
    let mut c = Command::new(python());
    c.args(["-m", "osgeo_utils.gdal_calc", "--quiet", "--overwrite"])
        .args(["-A", &input, "--A_band=3", "-B", &input, "--B_band=4"])
        .args(["--type=Float32", "--NoDataValue=-9999", "--outfile"])
        .arg(out)
        .arg("--calc=(B.astype(numpy.float32)-A)/(B.astype(numpy.float32)+A)");
    if !co.is_empty() {
        let tiled = [
            "TILED=YES",
            "BLOCKXSIZE=512",
            "BLOCKYSIZE=512",
            "NUM_THREADS=ALL_CPUS",
        ];
        for o in co.iter().chain(&tiled) {
            c.arg(format!("--co={o}"));
        }
    }
    c
}

/// Time `make()` (a fresh command each round); `None` if it fails.
fn time(rounds: usize, make: &dyn Fn() -> Command) -> Option<Vec<Duration>> {
    let mut t = Vec::new();
    for r in 0..=rounds {
        let s = Instant::now();
        let o = make().output().ok()?;
        if !o.status.success() {
            return None;
        }
        if r > 0 {
            t.push(s.elapsed());
        }
    }
    Some(t)
}

/// (name, times, output file) for each peer that ran.
pub fn run_peers(
    input: &Path,
    dir: &Path,
    indices: &[impl Deref<Target = IndexDesc>],
    rounds: usize,
    notes: &mut Vec<String>,
) -> Vec<(String, Vec<Duration>, PathBuf)> {
    let mut res = Vec::new();
    if indices.len() != 1 || indices[0].name != "ndvi" {
        notes.push("peers: only NDVI is compared with peer tools; skipped".into());
        return res;
    }
    let py = python();
    let input_s = input.to_string_lossy().into_owned();

    // gdal_calc.py
    let out = dir.join("peer_gdal_calc.tif");
    if gdal_calc_available() {
        let make = || gdal_calc_command(input, &out, &[]);
        match time(rounds, &make) {
            Some(t) => res.push(("gdal_calc.py (GDAL, NumPy)".to_string(), t, out)),
            None => notes.push("peers: gdal_calc.py failed".into()),
        }
    } else {
        notes.push("peers: gdal_calc.py not installed (apt-get install python3-gdal)".into());
    }

    // NumPy + rasterio
    let out = dir.join("peer_rasterio.tif");
    if works(Command::new(py).args(["-c", "import rasterio, numpy"])) {
        let o = out.to_string_lossy().into_owned();
        let make = || {
            let mut c = Command::new(py);
            c.args(["-c", RASTERIO_NDVI, &input_s, &o]);
            c
        };
        match time(rounds, &make) {
            Some(t) => res.push(("numpy + rasterio".to_string(), t, out)),
            None => notes.push("peers: numpy + rasterio script failed".into()),
        }
    } else {
        notes.push("peers: rasterio not installed (apt-get install python3-rasterio)".into());
    }

    // Orfeo ToolBox
    let out = dir.join("peer_otb.tif");
    let on_path = |exe: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
    };
    if on_path("otbcli_RadiometricIndices") {
        let o = format!("{}?&gdal:co:TILED=YES", out.to_string_lossy());
        let make = || {
            let mut c = Command::new("otbcli_RadiometricIndices");
            c.args([
                "-in",
                &input_s,
                "-channels.red",
                "3",
                "-channels.nir",
                "4",
                "-list",
                "Vegetation:NDVI",
                "-out",
                &o,
                "float",
            ]);
            c
        };
        match time(rounds, &make) {
            Some(t) => res.push(("otbcli_RadiometricIndices (OTB)".to_string(), t, out)),
            None => notes.push("peers: otbcli_RadiometricIndices failed".into()),
        }
    } else {
        notes.push("peers: Orfeo ToolBox not installed (apt-get install otb-bin)".into());
    }
    res
}
