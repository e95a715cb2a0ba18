//! Outputs beyond the GeoTIFF: `--stats` JSON computed during the pass (device partials merged on
//! the host, CPU twin) against the values of the written file and GDAL's own statistics, masked
//! pixel counts, and `climidx quicklook`.

use crate::common;

use std::path::Path;

use common::{asset, fails, gdal_tool, ok, read_f32, run_ok, software_or_skip, tempdir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn stats_match_the_written_values_on_every_path() {
    let dir = tempdir("stats");
    let band = |r: &str, f: &str| format!("{r}={}", s(&asset(&format!("sample/{f}.tif"))));
    let (b, r, n) = (band("blue", "B02"), band("red", "B04"), band("nir", "B08"));
    let mut devices = vec!["cpu"];
    if software_or_skip("stats on the software adapter") {
        devices.push("software");
    }
    for dev in devices {
        let out = dir.join(format!("{dev}.tif"));
        let st = dir.join(format!("{dev}.json"));
        // many small windows, so that partials from many windows and workgroups are merged
        ok(&[
            "index",
            "ndvi",
            "evi",
            "-b",
            &b,
            "-b",
            &r,
            "-b",
            &n,
            "--scale",
            "0.0001",
            "-o",
            s(&out),
            "--stats",
            s(&st),
            "--device",
            dev,
            "--window-pixels",
            "700",
        ]);
        let js = json(&st);
        let vals = read_f32(&out);
        assert_eq!(js["pixels"], 96 * 80);
        for (j, band) in js["bands"].as_array().unwrap().iter().enumerate() {
            let v: Vec<f64> = vals[j]
                .iter()
                .filter(|x| !x.is_nan())
                .map(|&x| x as f64)
                .collect();
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
            let what = format!("{dev} band {j}");
            assert_eq!(
                band["valid_count"].as_u64().unwrap() as usize,
                v.len(),
                "{what}"
            );
            assert_eq!(
                band["nodata_count"].as_u64().unwrap() as usize,
                96 * 80 - v.len(),
                "{what}"
            );
            assert!(
                (band["mean"].as_f64().unwrap() - mean).abs() < 1e-6,
                "{what}"
            );
            assert!((band["std"].as_f64().unwrap() - std).abs() < 1e-6, "{what}");
            let mn = v.iter().cloned().fold(f64::INFINITY, f64::min);
            let mx = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(
                (band["min"].as_f64().unwrap(), band["max"].as_f64().unwrap()),
                (mn, mx),
                "{what}"
            );
            // histogram: every valid value in exactly one bin (range [-1, 1] for both)
            let h = &band["histogram"];
            let bins: Vec<u64> = h["bins"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect();
            assert_eq!(bins.len(), 100);
            let total = bins.iter().sum::<u64>()
                + h["below"].as_u64().unwrap()
                + h["above"].as_u64().unwrap();
            assert_eq!(total as usize, v.len(), "{what}");
            let mut want = vec![0u64; 100];
            for &x in &v {
                want[(((x as f32 + 1.0) / 2.0 * 100.0) as usize).min(99)] += 1;
            }
            assert_eq!(bins, want, "{what}");
        }
        // GDAL agrees on the mean and standard deviation of what we wrote
        if let Some(info) = gdal_tool("gdalinfo", "stats against gdalinfo -stats") {
            let text = run_ok(std::process::Command::new(info).arg("-stats").arg(&out));
            let means: Vec<f64> = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("STATISTICS_MEAN="))
                .map(|v| v.parse().unwrap())
                .collect();
            for (j, m) in means.iter().enumerate() {
                assert!(
                    (js["bands"][j]["mean"].as_f64().unwrap() - m).abs() < 1e-6,
                    "{dev}: GDAL mean {m}"
                );
            }
            let _ = std::fs::remove_file(format!("{}.aux.xml", out.display()));
        }
    }
}

#[test]
fn stats_count_masked_pixels_and_honour_the_range() {
    let dir = tempdir("stats-mask");
    let scene =
        asset("sentinel2/S2B_MSIL2A_20230715T100559_N0509_R022_T33TUM_20230715T130022.SAFE");
    let out = dir.join("s2.tif");
    let st = dir.join("s2.json");
    ok(&[
        "index",
        "ndvi",
        "--sensor",
        "sentinel2-l2a",
        "--scene",
        s(&scene),
        "--mask",
        "scl",
        "-o",
        s(&out),
        "--stats",
        s(&st),
        "--stats-range",
        "0.5,1",
    ]);
    let js = json(&st);
    assert_eq!(js["masked_pixels"], (4 * 3 + 3 * 2) * 4);
    let band = &js["bands"][0];
    assert_eq!(band["histogram"]["min"], 0.5);
    let v: Vec<f32> = read_f32(&out)[0]
        .iter()
        .filter(|x| !x.is_nan())
        .cloned()
        .collect();
    assert_eq!(
        band["histogram"]["below"].as_u64().unwrap() as usize,
        v.iter().filter(|&&x| x < 0.5).count()
    );
    fails(
        &[
            "index",
            "ndvi",
            "-b",
            "red=a.tif",
            "-b",
            "nir=b.tif",
            "-o",
            s(&dir.join("x.tif")),
            "--stats-range",
            "1,0",
            "--stats",
            s(&dir.join("x.json")),
        ],
        2,
        "MIN < MAX",
    );
    fails(
        &[
            "index",
            "ndvi",
            "-b",
            "red=a.tif",
            "-b",
            "nir=b.tif",
            "-o",
            s(&dir.join("x.tif")),
            "--stats",
            s(&dir.join("x.tif")),
        ],
        2,
        // the output's own name is no JSON name (the engine also refuses the same file)
        "statistics are written as JSON (.json)",
    );
}

#[test]
fn quicklook_colours_nodata_and_legend() {
    use climidx::io::quicklook::Colormap;
    let dir = tempdir("quicklook");
    let band = |r: &str, f: &str| format!("{r}={}", s(&asset(&format!("sample/{f}.tif"))));
    let tif = dir.join("ndvi.tif");
    let png = dir.join("ndvi.png");
    // --quicklook in the same run
    ok(&[
        "index",
        "ndvi",
        "-b",
        &band("red", "B04"),
        "-b",
        &band("nir", "B08"),
        "--scale",
        "0.0001",
        "-o",
        s(&tif),
        "--quicklook",
        s(&png),
    ]);
    let img = image::open(&png).unwrap().to_rgba8();
    let legend_h = climidx::io::quicklook::legend::height(576);
    assert_eq!(
        (img.width(), img.height()),
        (576, 480 + legend_h),
        "96x80 raster enlarged 6x (long side >= 512) over its legend"
    );
    let vals = &read_f32(&tif)[0];
    for (x, y) in [(0u32, 0u32), (2, 40), (67, 24), (20, 10), (90, 70)] {
        let v = vals[(y * 96 + x) as usize];
        for (dx, dy) in [(0, 0), (5, 5), (3, 1)] {
            let p = img.get_pixel(x * 6 + dx, y * 6 + dy).0;
            if v.is_nan() {
                assert_eq!(p[3], 0, "nodata at ({x},{y}) must be transparent");
            } else {
                let c = Colormap::Ndvi.color((v + 1.0) / 2.0); // NDVI's range [-1, 1]
                assert_eq!(&p[..3], &c[..], "({x},{y}) value {v}");
                assert_eq!(p[3], 255);
            }
        }
    }
    // the legend strip is the one the library draws for this width, colormap, range and title
    let mut want = image::RgbaImage::new(576, 480 + legend_h);
    let layout =
        climidx::io::quicklook::legend::draw(&mut want, 480, Colormap::Ndvi, (-1.0, 1.0), "NDVI");
    for y in 480..480 + legend_h {
        for x in 0..576 {
            assert_eq!(
                img.get_pixel(x, y),
                want.get_pixel(x, y),
                "legend ({x},{y})"
            );
        }
    }
    let labels: Vec<&str> = layout.labels.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(labels, ["\u{2212}1.0", "1.0", "\u{2212}0.5", "0.0", "0.5"]);
    // the standalone command: downsampling by box average, explicit range and colormap
    let small = dir.join("small.png");
    ok(&[
        "quicklook",
        s(&tif),
        "-o",
        s(&small),
        "--max-size",
        "48",
        "--range",
        "0,1",
        "--colormap",
        "gray",
    ]);
    let img = image::open(&small).unwrap().to_rgba8();
    assert_eq!((img.width(), img.height()), (48, 40));
    // output pixel (30, 20) averages input pixels (60..62, 40..42)
    let mean: f32 = [(60, 40), (61, 40), (60, 41), (61, 41)]
        .iter()
        .map(|&(x, y)| vals[y * 96 + x])
        .sum::<f32>()
        / 4.0;
    assert_eq!(
        &img.get_pixel(30, 20).0[..3],
        &Colormap::Gray.color(mean)[..]
    );
    assert_eq!(
        img.get_pixel(0, 0).0[3],
        0,
        "the nodata columns stay transparent"
    );
    // errors
    fails(&["quicklook", s(&tif), "-o", s(&small)], 5, "--overwrite");
    fails(
        &[
            "quicklook",
            s(&tif),
            "-o",
            s(&dir.join("b2.png")),
            "--band",
            "2",
        ],
        3,
        "band 2 does not exist",
    );
    fails(
        &[
            "quicklook",
            s(&tif),
            "-o",
            s(&dir.join("r.png")),
            "--range",
            "1,0",
        ],
        2,
        "MIN < MAX",
    );
}
