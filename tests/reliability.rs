//! Failure modes: hostile or unsupported TIFF headers, interruption, device allocation failures.
//! Each case checks the exit code, a one-line message naming the file, and that nothing is
//! left behind.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use climidx::io::geo::GeoInfo;
use climidx::io::geotiff::writer::{GeoTiffWriter, WriterOptions};
use common::{climidx, tempdir};

/// A classic little-endian TIFF: `data` at offset 8, then one IFD with `entries`
/// (tag, type, count, value bytes). Values longer than 4 bytes go after the IFD.
fn craft(entries: &[(u16, u16, u32, Vec<u8>)], data: &[u8]) -> Vec<u8> {
    let mut out = b"II\x2a\x00".to_vec();
    let ifd = 8 + data.len() as u32 + (data.len() as u32 & 1);
    out.extend_from_slice(&ifd.to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    let mut extra = Vec::new();
    let table = 2 + 12 * entries.len() as u32 + 4;
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, typ, count, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        if value.len() <= 4 {
            let mut v = value.clone();
            v.resize(4, 0);
            out.extend_from_slice(&v);
        } else {
            out.extend_from_slice(&(ifd + table + extra.len() as u32).to_le_bytes());
            extra.extend_from_slice(value);
        }
    }
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&extra);
    out
}

fn short(tag: u16, v: u16) -> (u16, u16, u32, Vec<u8>) {
    (tag, 3, 1, v.to_le_bytes().to_vec())
}
fn long(tag: u16, v: u32) -> (u16, u16, u32, Vec<u8>) {
    (tag, 4, 1, v.to_le_bytes().to_vec())
}

/// A 4×2 single-band image with these header values.
fn image(
    width: u32,
    height: u32,
    bits: u16,
    format: u16,
    compression: u16,
    byte_count: u32,
) -> Vec<u8> {
    let data = vec![1u8; 16];
    craft(
        &[
            long(256, width),
            long(257, height),
            short(258, bits),
            short(259, compression),
            short(262, 1),
            long(273, 8),
            short(277, 1),
            long(278, height),
            long(279, byte_count),
            short(339, format),
        ],
        &data,
    )
}

fn expect_input_error(dir: &Path, name: &str, bytes: &[u8], needle: &str) {
    let f = dir.join(name);
    std::fs::write(&f, bytes).unwrap();
    let out = dir.join(format!("{name}.out.tif"));
    let t = Instant::now();
    let o = climidx(&[
        "index",
        "ndvi",
        "--band",
        &format!("red={}", f.display()),
        "--band",
        &format!("nir={}", f.display()),
        "-o",
        out.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{name}: {e}");
    assert!(
        e.contains(name) && e.contains(needle),
        "{name}: expected {needle:?} in {e}"
    );
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(!out.exists());
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "{name} took {:?}",
        t.elapsed()
    );
}

#[test]
fn hostile_and_unsupported_headers_are_refused_cleanly() {
    let dir = tempdir("headers");
    // sanity: the crafted valid image reads
    let ok = dir.join("ok.tif");
    std::fs::write(&ok, image(4, 2, 16, 1, 1, 16)).unwrap();
    let r = climidx::io::geotiff::reader::GeoTiffReader::open(&ok).unwrap();
    assert_eq!((r.info().width, r.info().height), (4, 2));

    // 10^6 x 10^6 pixels in one strip of a 200-byte file: refused before any allocation
    expect_input_error(
        &dir,
        "huge.tif",
        &image(1_000_000, 1_000_000, 16, 1, 1, u32::MAX),
        "per block row",
    );
    // a strip that points past the end of the file
    expect_input_error(
        &dir,
        "beyond.tif",
        &image(4, 2, 16, 1, 1, 4096),
        "file ends inside block 0 (bytes 8..4104 of a 150-byte file; truncated download?)",
    );
    // uncompressed strip shorter than its pixels
    expect_input_error(&dir, "short.tif", &image(4, 2, 32, 3, 1, 16), "expected 32");
    // complex integers, 12-bit signed samples, LERC compression
    expect_input_error(
        &dir,
        "complex.tif",
        &image(4, 2, 16, 5, 1, 16),
        "unsupported sample type",
    );
    expect_input_error(
        &dir,
        "bits12.tif",
        &image(4, 2, 12, 2, 1, 12),
        "12-bit signed",
    );
    expect_input_error(
        &dir,
        "lerc.tif",
        &image(4, 2, 16, 1, 34887, 16),
        "unsupported",
    );
    // a header cut in the middle of the IFD
    let full = image(4, 2, 16, 1, 1, 16);
    expect_input_error(&dir, "cut.tif", &full[..full.len() - 30], "TIFF");
    // no output folder was filled with leftovers
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("out") || n.contains("tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Headers the fuzzer (`fuzz/`, `geotiff_reader`) or a review of the block decoder found.
#[test]
fn fuzzed_headers_are_refused_or_read() {
    let dir = tempdir("fuzzed");
    let data = vec![1u8; 16];
    let open = |name: &str, bytes: &[u8]| {
        let f = dir.join(name);
        std::fs::write(&f, bytes).unwrap();
        climidx::io::geotiff::reader::GeoTiffReader::open(&f)
    };
    // RowsPerStrip 2^32 - 1 (one strip, as some writers say it) is not a 4-billion-row strip.
    let mut one = image(4, 2, 16, 1, 1, 16);
    let at = one
        .windows(6)
        .position(|w| w == [0x16, 0x01, 4, 0, 1, 0])
        .unwrap();
    one[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let r = open("one-strip.tif", &one).unwrap();
    assert_eq!(r.info().block, (4, 2));
    // 65536x65536 deflate tiles on a 4x2 image: 8 GiB per tile, refused before allocating.
    let tiles = craft(
        &[
            long(256, 4),
            long(257, 2),
            short(258, 16),
            short(259, 8),
            short(262, 1),
            short(277, 1),
            long(322, 65536),
            long(323, 65536),
            long(324, 8),
            long(325, 16),
        ],
        &data,
    );
    let e = open("huge-tiles.tif", &tiles).err().unwrap().to_string();
    assert!(
        e.contains("per block row") && e.contains("65536x65536"),
        "{e}"
    );
    expect_input_error(&dir, "huge-tiles-cli.tif", &tiles, "per block row");
    // An empty BitsPerSample.
    let mut empty = image(4, 2, 16, 1, 1, 16);
    let at = empty.windows(4).position(|w| w == [2, 1, 3, 0]).unwrap();
    empty[at + 4..at + 8].copy_from_slice(&0u32.to_le_bytes());
    // (the tiff crate refuses it when opening; the reader's own guard is behind it).
    let e = open("empty-bits.tif", &empty).err().unwrap().to_string();
    assert_eq!(e.lines().count(), 1, "{e}");
}

/// A two-band float32 file of `w`×`h` (the writer is tested elsewhere).
fn big_input(dir: &Path, w: u32, h: u32) -> PathBuf {
    let p = dir.join("big.tif");
    let opts = WriterOptions {
        nodata: f64::NAN,
        descriptions: vec![],
        metadata: vec![],
        overwrite: true,
        ..Default::default()
    };
    let mut wr = GeoTiffWriter::create(&p, w, h, 2, &GeoInfo::default(), opts).unwrap();
    let row: Vec<f32> = (0..w).map(|x| 0.1 + (x % 50) as f32 / 100.0).collect();
    let rows = 64;
    let block: Vec<f32> = row
        .iter()
        .cycle()
        .take((w * rows) as usize)
        .copied()
        .collect();
    let mut y = 0;
    while y < h {
        let n = rows.min(h - y);
        let s = &block[..(w * n) as usize];
        wr.write_rows(&[s, s], n).unwrap();
        y += n;
    }
    wr.finish().unwrap()
}

#[test]
fn interrupt_removes_the_partial_output() {
    let dir = tempdir("interrupt");
    // 4000 windows of one row: a few hundred milliseconds even in release builds, so the
    // signal lands mid-run.
    let input = big_input(&dir, 4000, 8000);
    for signal in ["-INT", "-TERM"] {
        let out = dir.join("out.tif");
        let child = Command::new(env!("CARGO_BIN_EXE_climidx"))
            .args([
                "index",
                "ndvi",
                "--band",
                &format!("red={}:1", input.display()),
                "--band",
                &format!("nir={}:2", input.display()),
                "-o",
                out.to_str().unwrap(),
                "--device",
                "cpu",
                "--window-pixels",
                "4000",
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // wait for the temporary output to appear, then signal
        let t = Instant::now();
        let tmp_exists = || {
            std::fs::read_dir(&dir)
                .unwrap()
                .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp"))
        };
        while !tmp_exists() {
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "no temporary output appeared"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        let o = child.wait_with_output().unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(130), "{signal}: {e}");
        assert!(e.contains("interrupted"), "{e}");
        assert!(!out.exists(), "{signal}: partial output left");
        assert!(!tmp_exists(), "{signal}: temporary file left");
    }
}

#[test]
fn allocation_failures_shrink_the_window_then_fail_cleanly() {
    if !common::software_or_skip("allocation_failures_shrink_the_window_then_fail_cleanly") {
        return;
    }
    let dir = tempdir("alloc");
    let scene = common::asset("sample/scene_u16_4band_96x80.tif");
    let args = |out: &Path, device: &str| -> Vec<String> {
        vec![
            "-v".into(),
            "index".into(),
            "ndvi".into(),
            "--band".into(),
            format!("red={}:3", scene.display()),
            "--band".into(),
            format!("nir={}:4", scene.display()),
            "-o".into(),
            out.to_str().unwrap().into(),
            "--device".into(),
            device.into(),
        ]
    };
    let run = |a: Vec<String>, inject: &str| {
        Command::new(env!("CARGO_BIN_EXE_climidx"))
            .args(a)
            .env("CLIMIDX_INJECT_ALLOC_FAILURES", inject)
            .output()
            .unwrap()
    };
    // two failures: windows halve twice, the result equals the CPU path's
    let (g, c) = (dir.join("gpu.tif"), dir.join("cpu.tif"));
    let o = run(args(&g, "software"), "2");
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("retrying with windows of 40 rows")
            && e.contains("retrying with windows of 20 rows"),
        "{e}"
    );
    assert!(run(args(&c, "cpu"), "0").status.success());
    let read = |p: &Path| {
        let mut r = climidx::io::geotiff::reader::GeoTiffReader::open(p).unwrap();
        let mut b = vec![climidx::kernels::samples::PackedBand::new(r.info().dtype)];
        r.read_window(r.info().full(), &[0], &[None], &mut b)
            .unwrap();
        b.remove(0).words
    };
    assert_eq!(
        read(&g),
        read(&c),
        "same bits from the GPU with smaller windows"
    );
    // always failing: a device error suggesting --device cpu, exit 4, nothing written
    let f = dir.join("fail.tif");
    let o = run(args(&f, "software"), "1000");
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{e}");
    assert!(e.contains("--device cpu"), "{e}");
    assert!(!f.exists());
}
