//! Quicklooks that read well: the legend's glyph pixels at 256, 1024 and 4096 px (real text,
//! sized with the image, clear of the colour bar), colormaps against matplotlib's values
//! (`tests/fixtures/quicklook/refs.json`, written by `tests/fixtures/make_quicklook_refs.py`),
//! nearest-neighbour enlargement of small rasters, the colormap chosen for a band, and `--rgb`
//! composites stretched between numpy's 2nd and 98th percentiles.

use std::path::Path;

use climidx::choice::Choice;
use climidx::io::quicklook::legend::{self, Rect};
use climidx::io::quicklook::Colormap;
use image::RgbaImage;

use crate::common::{asset, climidx, fails, ok, read_band_f64, repo, tempdir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn refs() -> serde_json::Value {
    let p = repo().join("tests/fixtures/quicklook/refs.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Text ink: dark in every channel (legend text is black on white).
fn dark(img: &RgbaImage, x: u32, y: u32) -> bool {
    img.get_pixel(x, y).0[..3].iter().all(|&c| c < 128)
}

fn inside(r: &Rect, x: u32, y: u32) -> bool {
    (r.x..r.x + r.width).contains(&x) && (r.y..r.y + r.height).contains(&y)
}

/// The rows and columns spanned by the ink inside `r`: (x0, y0, x1, y1), inclusive.
fn ink_box(img: &RgbaImage, r: &Rect) -> Option<(u32, u32, u32, u32)> {
    let mut b: Option<(u32, u32, u32, u32)> = None;
    for y in r.y..(r.y + r.height).min(img.height()) {
        for x in r.x..(r.x + r.width).min(img.width()) {
            if dark(img, x, y) {
                b = Some(match b {
                    None => (x, y, x, y),
                    Some((a, c, d, e)) => (a.min(x), c.min(y), d.max(x), e.max(y)),
                });
            }
        }
    }
    b
}

#[test]
fn legend_text_is_real_text_sized_with_the_image() {
    // DejaVu Sans: capitals 1493 units tall, digits 1549 (−29 … 1520); ab_glyph's pixel size
    // is ascent − descent = 1901 + 483 = 2384 units.
    for (w, px) in [(256u32, 13.0f32), (1024, 25.6), (4096, 102.4)] {
        let h = legend::height(w);
        let mut img = RgbaImage::new(w, h + 7);
        let l = legend::draw(&mut img, 7, Colormap::Ndvi, (-1.0, 1.0), "NDVI");
        assert_eq!(l.text_px, px, "text is 1/40 of the width, at least 13 px");
        assert_eq!((l.top, l.height), (7, h));
        assert!(
            h as f32 >= 4.0 * px && (h as f32) < 5.0 * px,
            "{w}: legend {h} px"
        );
        let labels: Vec<&str> = l.labels.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            labels,
            ["\u{2212}1.0", "1.0", "\u{2212}0.5", "0.0", "0.5"],
            "{w}"
        );
        // the title's ink is as tall as DejaVu's capitals at this size (±1 px), and as wide
        // as its advance says
        let (x0, y0, x1, y1) = ink_box(&img, &l.title.1).expect("title ink");
        let cap = px * 1493.0 / 2384.0;
        assert!(
            ((y1 - y0 + 1) as f32 - cap).abs() <= 1.0,
            "{w}: NDVI ink {} px tall, capitals {cap}",
            y1 - y0 + 1
        );
        let adv = legend::text_width("NDVI", px);
        assert!(((x1 - x0 + 1) as f32) < adv && (x1 - x0 + 1) as f32 > 0.8 * adv);
        assert!(
            ((x0 + x1) as f32 / 2.0 - w as f32 / 2.0).abs() <= 0.05 * adv + 1.0,
            "centred"
        );
        // every label's ink: digit height (±1 px), inside its box, below the bar
        let digit = px * 1549.0 / 2384.0;
        for (t, r) in &l.labels {
            let (_, y0, _, y1) = ink_box(&img, r).unwrap_or_else(|| panic!("{w}: {t} no ink"));
            assert!(
                ((y1 - y0 + 1) as f32 - digit).abs() <= 1.0,
                "{w}: {t} ink {} px tall, digits {digit}",
                y1 - y0 + 1
            );
            assert!(r.y >= l.bar.y + l.bar.height, "{w}: {t} below the bar");
            assert!(r.x + r.width <= w + 1, "{w}: {t} inside the image");
        }
        for (i, (_, a)) in l.labels.iter().enumerate() {
            for (_, b) in &l.labels[i + 1..] {
                assert!(
                    a.x + a.width <= b.x || b.x + b.width <= a.x,
                    "{w}: labels overlap"
                );
            }
        }
        // the bar is untouched colormap; outside it, ink only in a label, the title or a tick
        // mark (between the bar and the labels)
        for i in 0..l.bar.width {
            let c = Colormap::Ndvi.color((i as f32 + 0.5) / l.bar.width as f32);
            for y in l.bar.y..l.bar.y + l.bar.height {
                assert_eq!(&img.get_pixel(l.bar.x + i, y).0[..3], &c[..]);
            }
        }
        assert!(l.bar.y > l.top && l.bar.x > 0 && l.bar.x + l.bar.width < w);
        let ticks = l.bar.y + l.bar.height..l.labels[0].1.y;
        for y in l.top..l.top + h {
            for x in 0..w {
                if dark(&img, x, y) && !inside(&l.bar, x, y) {
                    assert!(
                        ticks.contains(&y)
                            || inside(&l.title.1, x, y)
                            || l.labels.iter().any(|(_, r)| inside(r, x, y)),
                        "{w}: stray ink at ({x},{y})"
                    );
                }
            }
        }
    }
}

#[test]
fn digits_render_as_their_own_glyphs() {
    let render = |t: &str| {
        let mut img = RgbaImage::from_pixel(60, 60, image::Rgba([255, 255, 255, 255]));
        legend::draw_text(&mut img, 10.0, 45.0, t, 48.0, [0, 0, 0]);
        img
    };
    let ink = |img: &RgbaImage| -> Vec<bool> { img.pixels().map(|p| p.0[0] < 128).collect() };
    let glyphs: Vec<Vec<bool>> = ["1", "8", "0", "6", "9"]
        .iter()
        .map(|t| ink(&render(t)))
        .collect();
    let count = |v: &[bool]| v.iter().filter(|&&b| b).count();
    assert!(count(&glyphs[0]) > 100, "a 48 px 1 has ink");
    assert!(
        count(&glyphs[1]) > count(&glyphs[0]) * 3 / 2,
        "8 has more ink than 1"
    );
    for i in 0..glyphs.len() {
        for j in i + 1..glyphs.len() {
            let differ = glyphs[i]
                .iter()
                .zip(&glyphs[j])
                .filter(|(a, b)| a != b)
                .count();
            assert!(
                differ > 60,
                "digits {i} and {j} differ in {differ} pixels only"
            );
        }
    }
    // 6 and 9 are each other turned by 180°, not the same picture
    assert_ne!(glyphs[3], glyphs[4]);
}

#[test]
fn colormaps_equal_matplotlibs() {
    let r = refs();
    let maps = r["colormaps"].as_object().unwrap();
    assert_eq!(maps.len(), 8);
    for (name, m) in maps {
        let cm = Colormap::from_word(name).unwrap_or_else(|| panic!("{name}"));
        for row in m["bytes"].as_array().unwrap() {
            let v: Vec<f64> = row
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            let want = [v[1] as u8, v[2] as u8, v[3] as u8];
            assert_eq!(cm.color(v[0] as f32), want, "{name}({})", v[0]);
        }
        for (t, e) in [(0.0f32, 0), (1.0, 1)] {
            let f: Vec<f64> = m["float_ends"][e]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            let c = cm.color(t);
            for k in 0..3 {
                assert!(
                    (c[k] as f64 - f[k] * 255.0).abs() < 1.0,
                    "{name}({t}) {c:?} vs {f:?}"
                );
            }
        }
    }
    // the earlier names still work
    assert_eq!(Colormap::from_word("vegetation"), Some(Colormap::Ndvi));
    assert_eq!(Colormap::from_word("diverging"), Some(Colormap::Rdbu));
    assert_eq!(Colormap::Ndvi.word(), "ndvi");
}

#[test]
fn small_rasters_are_enlarged_by_nearest_neighbour() {
    let dir = tempdir("ql-nearest");
    let png = dir.join("b04.png");
    let b04 = asset("sample/B04.tif");
    let out = ok(&[
        "quicklook",
        s(&b04),
        "-o",
        s(&png),
        "--range",
        "0,3000",
        "--json",
    ]);
    let j: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        j["colormap"], "viridis",
        "a reflectance band never gets the vegetation ramp"
    );
    assert_eq!(j["scale"], 6);
    let vals = read_band_f64(&b04, 1.0, true);
    let img = image::open(&png).unwrap().to_rgba8();
    assert_eq!(
        (img.width(), img.height()),
        (576, 480),
        "96x80 × 6: long side >= 512"
    );
    for (x, y, p) in img.enumerate_pixels() {
        let v = vals[(y / 6 * 96 + x / 6) as usize];
        if v.is_nan() {
            assert_eq!(p.0[3], 0, "nodata transparent");
        } else {
            let c = Colormap::Viridis.color(v as f32 / 3000.0);
            assert_eq!(p.0, [c[0], c[1], c[2], 255], "({x},{y}) value {v}");
        }
    }
    // --min-size 1 draws 1:1, --max-size caps the enlargement at a whole factor
    let one = dir.join("one.png");
    ok(&["quicklook", s(&b04), "-o", s(&one), "--min-size", "1"]);
    let img = image::open(&one).unwrap();
    assert_eq!((img.width(), img.height()), (96, 80));
    let five = dir.join("five.png");
    ok(&["quicklook", s(&b04), "-o", s(&five), "--max-size", "500"]);
    let img = image::open(&five).unwrap();
    assert_eq!((img.width(), img.height()), (480, 400));
}

#[test]
fn colormap_follows_the_index_or_unit() {
    let dir = tempdir("ql-auto");
    let band = |r: &str, f: &str| format!("{r}={}", s(&asset(&format!("sample/{f}.tif"))));
    let ndwi = dir.join("ndwi.tif");
    ok(&[
        "index",
        "ndwi",
        "-b",
        &band("green", "B03"),
        "-b",
        &band("nir", "B08"),
        "--scale",
        "0.0001",
        "-o",
        s(&ndwi),
        "--device",
        "cpu",
    ]);
    let lst = dir.join("lst.tif");
    ok(&[
        "lst",
        "--scene",
        "assets/landsat/LC08_L1TP_190028_20230715_20230725_02_T1",
        "-o",
        s(&lst),
        "--device",
        "cpu",
    ]);
    for (tif, cm) in [(&ndwi, "blues"), (&lst, "magma")] {
        let png = dir.join("q.png");
        let o = ok(&[
            "quicklook",
            s(tif),
            "-o",
            s(&png),
            "--legend",
            "--json",
            "--overwrite",
        ]);
        let j: serde_json::Value = serde_json::from_str(o.trim()).unwrap();
        assert_eq!(j["colormap"], cm, "{}", tif.display());
    }
}

#[test]
fn rgb_composites_stretch_between_numpys_percentiles() {
    let dir = tempdir("ql-rgb");
    let scene = asset("sample/scene_u16_4band_96x80.tif");
    let png = dir.join("false.png");
    let o = ok(&[
        "quicklook",
        s(&scene),
        "--rgb",
        "4,3,2",
        "-o",
        s(&png),
        "--json",
    ]);
    let j: serde_json::Value = serde_json::from_str(o.trim()).unwrap();
    assert_eq!(j["rgb"], serde_json::json!([4, 3, 2]));
    assert_eq!(j["colormap"], serde_json::Value::Null);
    let pct = refs()["percentiles"]["p2_p98"].clone();
    let mut st = [(0f32, 0f32); 3];
    for (c, b) in [4usize, 3, 2].iter().enumerate() {
        let (lo, hi) = (
            j["stretch"][c][0].as_f64().unwrap(),
            j["stretch"][c][1].as_f64().unwrap(),
        );
        let (nlo, nhi) = (
            pct[b - 1][0].as_f64().unwrap(),
            pct[b - 1][1].as_f64().unwrap(),
        );
        assert!(
            (lo - nlo).abs() < 1e-3 && (hi - nhi).abs() < 1e-3,
            "band {b}: [{lo}, {hi}] vs numpy [{nlo}, {nhi}]"
        );
        st[c] = (lo as f32, hi as f32);
    }
    // pixels: each channel (v − p2) / (p98 − p2) · 255, clamped, rounded; nodata transparent
    let files =
        ["B08", "B04", "B03"].map(|f| read_band_f64(&asset(&format!("sample/{f}.tif")), 1.0, true));
    let img = image::open(&png).unwrap().to_rgba8();
    assert_eq!((img.width(), img.height()), (576, 480));
    let mut seen_clamped = false;
    for y in 0..80u32 {
        for x in 0..96u32 {
            let p = img.get_pixel(x * 6 + 2, y * 6 + 3).0;
            let v: Vec<f64> = files.iter().map(|f| f[(y * 96 + x) as usize]).collect();
            if v.iter().any(|v| v.is_nan()) {
                assert_eq!(p[3], 0, "({x},{y}) nodata");
                continue;
            }
            for c in 0..3 {
                let t = ((v[c] as f32 - st[c].0) / (st[c].1 - st[c].0)).clamp(0.0, 1.0);
                seen_clamped |= t == 1.0;
                assert_eq!(
                    p[c],
                    (t * 255.0).round() as u8,
                    "({x},{y}) channel {c} value {}",
                    v[c]
                );
            }
            assert_eq!(p[3], 255);
        }
    }
    assert!(seen_clamped, "the top 2 % saturate");
}

#[test]
fn bad_rgb_is_refused_with_nothing_written() {
    let dir = tempdir("ql-rgb-bad");
    let scene = asset("sample/scene_u16_4band_96x80.tif");
    let png = dir.join("x.png");
    for bad in ["3,2", "3,2,1,4", "0,2,1", "red,green,blue"] {
        fails(
            &["quicklook", s(&scene), "--rgb", bad, "-o", s(&png)],
            2,
            "three band numbers counted from 1",
        );
    }
    fails(
        &["quicklook", s(&scene), "--rgb", "5,3,2", "-o", s(&png)],
        3,
        "band 5 does not exist: the file has 4 band(s)",
    );
    let o = climidx(&[
        "quicklook",
        s(&scene),
        "--rgb",
        "3,2,1",
        "--colormap",
        "viridis",
        "-o",
        s(&png),
    ]);
    assert_eq!(o.status.code(), Some(2), "--rgb and --colormap conflict");
    assert!(!png.exists(), "nothing written");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn labels_mark_the_ends_and_round_values_between() {
    let labels = |w: u32, range: (f32, f32)| -> Vec<String> {
        let mut img = RgbaImage::new(w, legend::height(w));
        let l = legend::draw(&mut img, 0, Colormap::Magma, range, "LST (°C)");
        assert!(ink_box(&img, &l.title.1).is_some());
        l.labels.into_iter().map(|(t, _)| t).collect()
    };
    // a temperature range from percentiles: the ends one decimal finer than the round steps;
    // 20 and 40 would crowd the ends' labels
    assert_eq!(
        labels(528, (19.742065, 39.54843)),
        ["19.7", "39.5", "25", "30", "35"]
    );
    assert_eq!(
        labels(4096, (19.742065, 39.54843)),
        ["19.7", "39.5", "25", "30", "35"]
    );
    assert_eq!(
        labels(256, (0.0, 1.0)),
        ["0.0", "1.0", "0.2", "0.4", "0.6", "0.8"]
    );
    assert_eq!(
        labels(1024, (-2.5, 2.5)),
        [
            "\u{2212}2.5",
            "2.5",
            "\u{2212}2",
            "\u{2212}1",
            "0",
            "1",
            "2"
        ]
    );
}
