//! Remote inputs over HTTP (a local server with Range support, see `common::http`) and S3 (a
//! local S3-compatible server): results bit-identical to local reads, windows that read only
//! the tiles they need, retries, and refusals of what cannot be read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use climidx::io::geotiff::reader::GeoTiffReader;
use climidx::kernels::samples::PackedBand;

use crate::common::http::{Mode, Server};
use crate::common::{asset, climidx, fails, gdal_tool, ok, read_f32, run_ok, tempdir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Two GDAL COGs (UInt16, 256² Deflate tiles, overviews) of 1800×1500 pixels, upsampled from
/// the sample bands: `red.tif`, `nir.tif` in `dir`.
fn cogs(dir: &Path, test: &str) -> Option<(PathBuf, PathBuf)> {
    let gt = gdal_tool("gdal_translate", test)?;
    let mk = |src: &str, name: &str| {
        let out = dir.join(name);
        run_ok(std::process::Command::new(&gt).args([
            "-q",
            "-of",
            "COG",
            "-outsize",
            "1800",
            "1500",
            "-r",
            "cubic",
            "-co",
            "BLOCKSIZE=256",
            "-co",
            "COMPRESS=DEFLATE",
            "-co",
            "PREDICTOR=2",
            s(&asset(src)),
            s(&out),
        ]));
        out
    };
    Some((
        mk("sample/B04.tif", "red.tif"),
        mk("sample/B08.tif", "nir.tif"),
    ))
}

/// Every window of `rows` rows of band 1, read through `path`.
fn read_windows(path: &Path, rows: u32) -> Vec<u32> {
    let mut r = GeoTiffReader::open(path).unwrap();
    let info = r.info().clone();
    let mut all = Vec::new();
    let mut row = 0;
    while row < info.height {
        let h = rows.min(info.height - row);
        let w = climidx::io::raster::Window::rows(info.width, row, h);
        let mut out = vec![PackedBand::new(info.dtype)];
        r.read_window(w, &[0], &[None], &mut out).unwrap();
        all.extend_from_slice(&out[0].words);
        row += h;
    }
    all
}

fn index_run(red: &str, nir: &str, out: &Path, device: &str) {
    ok(&[
        "index",
        "ndvi",
        "--band",
        &format!("red={red}"),
        "--band",
        &format!("nir={nir}"),
        "-o",
        s(out),
        "--device",
        device,
    ]);
}

#[test]
fn an_index_over_http_equals_the_local_run() {
    let dir = tempdir("remote-index");
    let Some((red, nir)) = cogs(&dir, "an_index_over_http_equals_the_local_run") else {
        return;
    };
    let srv = Server::start(&dir, Mode::default());
    let local = dir.join("local.tif");
    index_run(s(&red), s(&nir), &local, "cpu");
    let mut devices = vec!["cpu"];
    if crate::common::software_or_skip("an_index_over_http_equals_the_local_run (software)") {
        devices.push("software");
    }
    for device in devices {
        let remote = dir.join(format!("remote-{device}.tif"));
        srv.reset();
        index_run(&srv.url("red.tif"), &srv.url("nir.tif"), &remote, device);
        let a = read_f32(&local);
        let b = read_f32(&remote);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert!(
                x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()),
                "{device}: values differ"
            );
        }
        // The full-resolution tiles only: GDAL's COG puts the overviews before them.
        let size = std::fs::metadata(&red).unwrap().len() + std::fs::metadata(&nir).unwrap().len();
        let served = srv.body_bytes();
        assert!(served <= size, "served {served} of {size} bytes");
    }
}

#[test]
fn a_remote_window_reads_only_its_tiles() {
    let dir = tempdir("remote-window");
    let Some((red, _)) = cogs(&dir, "a_remote_window_reads_only_its_tiles") else {
        return;
    };
    let srv = Server::start(&dir, Mode::default());
    let size = std::fs::metadata(&red).unwrap().len();
    let url = PathBuf::from(srv.url("red.tif"));
    let local = GeoTiffReader::open(&red).unwrap();
    let info = local.info().clone();
    // One 256-row tile row of 1500 rows, from the middle of the file.
    let w = climidx::io::raster::Window::rows(info.width, 512, 256);
    let mut a = vec![PackedBand::new(info.dtype)];
    let mut b = vec![PackedBand::new(info.dtype)];
    let mut local = local;
    local.read_window(w, &[0], &[None], &mut a).unwrap();
    srv.reset();
    let mut remote = GeoTiffReader::open(&url).unwrap();
    remote.read_window(w, &[0], &[None], &mut b).unwrap();
    assert_eq!(a[0].words, b[0].words);
    let served = srv.body_bytes();
    assert!(
        served * 3 < size,
        "a window of 256 of 1500 rows fetched {served} of {size} bytes"
    );
    // A narrow window (a crop through full-width rows) equals too.
    let w = climidx::io::raster::Window {
        col_off: 300,
        row_off: 1001,
        width: 77,
        height: 300,
    };
    local.read_window(w, &[0], &[None], &mut a).unwrap();
    remote.read_window(w, &[0], &[None], &mut b).unwrap();
    assert_eq!(a[0].words, b[0].words);
    // Odd windows in order: every pixel equal to the local file's.
    assert_eq!(read_windows(&red, 97), read_windows(&url, 97));
}

#[test]
fn transient_503s_and_latency_are_retried() {
    let dir = tempdir("remote-503");
    let Some((red, _)) = cogs(&dir, "transient_503s_and_latency_are_retried") else {
        return;
    };
    let mode = Mode {
        fail_every: Some(3),
        latency: Duration::from_millis(20),
        ..Default::default()
    };
    let srv = Server::start(&dir, mode);
    let url = PathBuf::from(srv.url("red.tif"));
    assert_eq!(read_windows(&red, 300), read_windows(&url, 300));
    assert!(
        srv.counters
            .failed
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
    );
}

#[test]
fn a_server_without_range_support_gets_a_full_download_of_a_small_file() {
    let srv = Server::start(
        asset("sample"),
        Mode {
            no_ranges: true,
            ..Default::default()
        },
    );
    let url = PathBuf::from(srv.url("B08.tif"));
    assert_eq!(
        read_windows(&asset("sample/B08.tif"), 7),
        read_windows(&url, 7)
    );
    // One full download per open (two opens above), whatever the range requests asked.
    let size = std::fs::metadata(asset("sample/B08.tif")).unwrap().len();
    assert!(
        srv.body_bytes() <= 4 * size,
        "served {} bytes",
        srv.body_bytes()
    );
}

#[test]
fn remote_inputs_that_cannot_be_read_are_refused_naming_the_url() {
    let dir = tempdir("remote-bad");
    let srv = Server::start(asset("sample"), Mode::default());
    let out = dir.join("o.tif");
    let missing = srv.url("nope/B04.tif");
    let err = fails(
        &[
            "index",
            "ndvi",
            "--band",
            &format!("red={missing}"),
            "--band",
            "nir=assets/sample/B08.tif",
            "-o",
            s(&out),
            "--device",
            "cpu",
        ],
        3,
        "not found (HTTP 404)",
    );
    assert!(err.contains(&missing), "{err}");
    assert!(!out.exists());
    // A body cut short (Content-Length not reached, connection closed): an error, never data.
    let cut = Server::start(
        asset("sample"),
        Mode {
            truncate: true,
            ..Default::default()
        },
    );
    let url = cut.url("B04.tif");
    let o = climidx(&[
        "index",
        "ndvi",
        "--band",
        &format!("red={url}"),
        "--band",
        "nir=assets/sample/B08.tif",
        "-o",
        s(&out),
        "--device",
        "cpu",
    ]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{e}");
    assert!(e.contains(&url) && !e.contains("panicked"), "{e}");
    assert!(!out.exists());
    // A file truncated on the server: its blocks lie past the end of the object.
    let data = std::fs::read(asset("sample/B08.tif")).unwrap();
    std::fs::write(dir.join("half.tif"), &data[..data.len() * 2 / 3]).unwrap();
    let half = Server::start(&dir, Mode::default());
    fails(
        &[
            "index",
            "ndvi",
            "--band",
            &format!("red={}", half.url("half.tif")),
            "--band",
            "nir=assets/sample/B08.tif",
            "-o",
            s(&out),
            "--device",
            "cpu",
        ],
        3,
        "truncated",
    );
    fails(
        &[
            "index",
            "ndvi",
            "--band",
            "red=gs://bucket/B04.tif",
            "--band",
            "nir=assets/sample/B08.tif",
            "-o",
            s(&out),
            "--device",
            "cpu",
        ],
        3,
        "gs:// inputs are not supported",
    );
}
