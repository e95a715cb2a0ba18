//! Quicklook PNGs of an output band (`climidx quicklook`, `--quicklook`): streamed window by
//! window and box-averaged down to at most `max_size` pixels on the long side (memory: one
//! window plus the small image), coloured with a colormap suited to the index family, nodata
//! transparent, with an optional colorbar legend (range labels and the band's name and unit).

use std::path::Path;

use crate::error::{Error, Result};
use crate::io::raster::row_windows;
use crate::kernels::samples::{NodataMatch, PackedBand};
use crate::kernels::{self, Family};

/// Colormaps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colormap {
    /// Pick from the band's index family: vegetation greens, water blues, thermal for
    /// temperatures, diverging for anomalies.
    Auto,
    /// Brown – yellow – green (vegetation indices).
    Vegetation,
    /// White – blue (water indices).
    Water,
    /// Black – purple – orange – yellow (temperatures).
    Thermal,
    /// Blue – white – red, centred (anomalies, z-scores).
    Diverging,
    Gray,
}

impl crate::choice::Choice for Colormap {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (Colormap::Auto, "auto", "Pick from the band's index family: vegetation greens, water blues, thermal for temperatures, diverging for anomalies"),
        (Colormap::Vegetation, "vegetation", "Brown – yellow – green (vegetation indices)"),
        (Colormap::Water, "water", "White – blue (water indices)"),
        (Colormap::Thermal, "thermal", "Black – purple – orange – yellow (temperatures)"),
        (Colormap::Diverging, "diverging", "Blue – white – red, centred (anomalies, z-scores)"),
        (Colormap::Gray, "gray", "Black – white"),
    ];
}

type Stops = &'static [(f32, [u8; 3])];

impl Colormap {
    fn stops(self) -> Stops {
        match self {
            Colormap::Vegetation | Colormap::Auto => &[
                (0.0, [140, 81, 10]),
                (0.35, [223, 194, 125]),
                (0.5, [246, 232, 195]),
                (0.65, [166, 217, 106]),
                (0.82, [26, 152, 80]),
                (1.0, [0, 69, 41]),
            ],
            Colormap::Water => &[
                (0.0, [247, 251, 255]),
                (0.5, [107, 174, 214]),
                (1.0, [8, 48, 107]),
            ],
            Colormap::Thermal => &[
                (0.0, [0, 0, 4]),
                (0.25, [87, 16, 110]),
                (0.5, [188, 55, 84]),
                (0.75, [249, 142, 9]),
                (1.0, [252, 255, 164]),
            ],
            Colormap::Diverging => &[
                (0.0, [33, 102, 172]),
                (0.25, [146, 197, 222]),
                (0.5, [247, 247, 247]),
                (0.75, [244, 165, 130]),
                (1.0, [178, 24, 43]),
            ],
            Colormap::Gray => &[(0.0, [0, 0, 0]), (1.0, [255, 255, 255])],
        }
    }

    /// The colour of `t` in [0, 1].
    pub fn color(self, t: f32) -> [u8; 3] {
        let s = self.stops();
        let t = t.clamp(0.0, 1.0);
        for w in s.windows(2) {
            let ((a, ca), (b, cb)) = (w[0], w[1]);
            if t <= b {
                let f = if b > a { (t - a) / (b - a) } else { 0.0 };
                return std::array::from_fn(|k| {
                    (ca[k] as f32 + f * (cb[k] as f32 - ca[k] as f32)).round() as u8
                });
            }
        }
        s[s.len() - 1].1
    }
}

/// What to draw.
#[derive(Clone, Debug)]
pub struct QuicklookOptions {
    pub band: u16,
    pub colormap: Colormap,
    pub range: Option<(f32, f32)>,
    pub legend: bool,
    pub max_size: u32,
}

/// The index a band was computed with (from climidx's metadata), for colormap, range and unit.
fn band_index(info: &crate::io::raster::RasterInfo, band: usize) -> Option<kernels::IndexRef> {
    info.band_description(band)
        .and_then(|d| kernels::find(&d))
        .or_else(|| {
            let list = info.metadata_item("CLIMIDX_INDICES")?;
            kernels::find(list.split(',').nth(band)?)
        })
}

/// What a quicklook shows.
#[derive(Clone, Debug, PartialEq)]
pub struct QuicklookReport {
    /// Size of the PNG (the legend included).
    pub width: u32,
    pub height: u32,
    /// The band drawn (1-based) and its description, if it has one.
    pub band: u16,
    pub band_name: Option<String>,
    /// The colormap used (`auto` resolved) and the values at its ends.
    pub colormap: Colormap,
    pub range: (f32, f32),
}

/// Render band `opts.band` of `input` to the PNG `output`.
pub fn render(
    input: &Path,
    output: &Path,
    opts: &QuicklookOptions,
    overwrite: bool,
) -> Result<QuicklookReport> {
    crate::io::files::check_output_path(output, overwrite)?;
    let mut r = crate::io::source::open(input)?;
    let info = r.info().clone();
    if opts.band == 0 || opts.band > info.bands {
        return Err(Error::input(
            input,
            format!(
                "band {} does not exist: the file has {} band(s)",
                opts.band, info.bands
            ),
        ));
    }
    let b = opts.band - 1;
    let desc = band_index(&info, b as usize);
    let scale = (opts.max_size as f64 / info.width.max(info.height) as f64).min(1.0);
    let (ow, oh) = (
        ((info.width as f64 * scale).ceil() as u32).max(1),
        ((info.height as f64 * scale).ceil() as u32).max(1),
    );
    // Box average of the valid samples falling into each output pixel.
    let mut sum = vec![0f64; (ow * oh) as usize];
    let mut cnt = vec![0u32; (ow * oh) as usize];
    let bp = crate::kernels::abi::BandParams::new(
        info.dtype,
        NodataMatch::for_band(info.dtype, info.nodata),
        1.0,
        0.0,
    );
    let rows = ((8 << 20) / (info.width as usize * 4).max(1)).clamp(1, info.height as usize) as u32;
    let mut p = vec![PackedBand::new(info.dtype)];
    for w in row_windows(info.width, info.height, rows) {
        r.read_window(w, &[b], &[info.nodata], &mut p)?;
        for y in 0..w.height {
            let oy = (((w.row_off + y) as f64) * oh as f64 / info.height as f64) as usize;
            for x in 0..info.width {
                let s = crate::kernels::abi::fetch(&bp, &p[0].words, (y * info.width + x) as usize);
                if s.valid {
                    let ox = ((x as f64) * ow as f64 / info.width as f64) as usize;
                    let k = oy.min(oh as usize - 1) * ow as usize + ox.min(ow as usize - 1);
                    sum[k] += s.value as f64;
                    cnt[k] += 1;
                }
            }
        }
    }
    let vals: Vec<Option<f32>> = sum
        .iter()
        .zip(&cnt)
        .map(|(s, &c)| (c > 0).then(|| (s / c as f64) as f32))
        .collect();
    let colormap = match (opts.colormap, desc.as_deref()) {
        (Colormap::Auto, Some(d)) => match d.family {
            Family::Anomaly if matches!(d.name.as_ref(), "vci" | "tci" | "vhi" | "percent") => {
                Colormap::Vegetation
            }
            Family::Anomaly => Colormap::Diverging,
            Family::Thermal if d.name == "emissivity" => Colormap::Gray,
            Family::Thermal => Colormap::Thermal,
            _ if matches!(d.name.as_ref(), "ndwi" | "mndwi") => Colormap::Water,
            _ => Colormap::Vegetation,
        },
        (Colormap::Auto, None) => Colormap::Vegetation,
        (c, _) => c,
    };
    let range = match opts.range {
        Some(r) => r,
        None => {
            // The index's typical range, else the 2nd–98th percentiles of the image; anomalies
            // centred on 0.
            let mut v: Vec<f32> = vals.iter().flatten().cloned().collect();
            v.sort_by(f32::total_cmp);
            let pct = |q: f64| {
                v.get(((v.len().max(1) - 1) as f64 * q) as usize)
                    .cloned()
                    .unwrap_or(0.0)
            };
            let (lo, hi) = match desc {
                Some(ref d) if d.family != Family::Thermal => d.range,
                _ if v.is_empty() => (0.0, 1.0),
                _ => (pct(0.02), pct(0.98)),
            };
            if colormap == Colormap::Diverging {
                let m = lo.abs().max(hi.abs());
                (-m, m)
            } else if hi > lo {
                (lo, hi)
            } else {
                (lo - 0.5, lo + 0.5)
            }
        }
    };
    let legend_h = if opts.legend { 34 } else { 0 };
    let lw = ow.max(if opts.legend { 160 } else { 1 });
    let mut img = image::RgbaImage::new(lw, oh + legend_h);
    for (k, v) in vals.iter().enumerate() {
        if let Some(v) = v {
            let c = colormap.color((v - range.0) / (range.1 - range.0));
            img.put_pixel(
                k as u32 % ow,
                k as u32 / ow,
                image::Rgba([c[0], c[1], c[2], 255]),
            );
        }
    }
    if opts.legend {
        draw_legend(
            &mut img,
            oh,
            colormap,
            range,
            &legend_title(&info, b as usize, desc.as_deref()),
        );
    }
    crate::io::files::write_atomically(output, |tmp| {
        img.save_with_format(tmp, image::ImageFormat::Png)
            .map_err(|e| Error::output(output, format!("cannot write PNG: {e}")))
    })?;
    Ok(QuicklookReport {
        width: img.width(),
        height: img.height(),
        band: opts.band,
        band_name: info.band_description(b as usize),
        colormap,
        range,
    })
}

fn legend_title(
    info: &crate::io::raster::RasterInfo,
    band: usize,
    desc: Option<&kernels::IndexDesc>,
) -> String {
    let name = info
        .band_description(band)
        .unwrap_or_else(|| format!("BAND {}", band + 1));
    let unit = match desc.map(|d| (d.family, d.name.as_ref())) {
        Some((Family::Thermal, "emissivity")) => "",
        Some((Family::Thermal, _)) => {
            if info.metadata_item("CLIMIDX_UNIT").as_deref() == Some("celsius") {
                " C"
            } else {
                " K"
            }
        }
        Some((Family::Anomaly, "percent")) => " %",
        _ => "",
    };
    format!("{}{unit}", name.to_uppercase())
}

fn draw_legend(img: &mut image::RgbaImage, top: u32, cm: Colormap, range: (f32, f32), title: &str) {
    let w = img.width();
    for y in top..img.height() {
        for x in 0..w {
            img.put_pixel(x, y, image::Rgba([255, 255, 255, 255]));
        }
    }
    let (x0, x1) = (6, w - 6);
    for x in x0..x1 {
        let c = cm.color((x - x0) as f32 / (x1 - x0 - 1).max(1) as f32);
        for y in top + 4..top + 16 {
            img.put_pixel(x, y, image::Rgba([c[0], c[1], c[2], 255]));
        }
    }
    let ink = image::Rgba([0, 0, 0, 255]);
    let label = |v: f32| {
        let a = v.abs();
        if a != 0.0 && !(0.01..100000.0).contains(&a) {
            format!("{v:.2E}")
        } else if a >= 100.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    };
    let y = top + 20;
    let lo = label(range.0);
    let hi = label(range.1);
    draw_text(img, x0, y, &lo, ink);
    draw_text(img, x1.saturating_sub(text_width(&hi)), y, &hi, ink);
    let tw = text_width(title);
    let room = x1
        .saturating_sub(text_width(&hi) + 6)
        .saturating_sub(x0 + text_width(&lo) + 6);
    if tw <= room {
        draw_text(img, (w - tw) / 2, y, title, ink);
    }
}

fn text_width(s: &str) -> u32 {
    s.chars().count() as u32 * 6
}

fn draw_text(img: &mut image::RgbaImage, x: u32, y: u32, s: &str, ink: image::Rgba<u8>) {
    for (i, ch) in s.chars().enumerate() {
        let g = glyph(ch);
        for (row, bits) in g.iter().enumerate() {
            for col in 0..5 {
                if bits & (0x10 >> col) != 0 {
                    let (px, py) = (x + i as u32 * 6 + col, y + row as u32);
                    if px < img.width() && py < img.height() {
                        img.put_pixel(px, py, ink);
                    }
                }
            }
        }
    }
}

/// A 5×7 bitmap font: digits, capitals and the few signs labels need.
fn glyph(c: char) -> [u8; 7] {
    match c.to_ascii_uppercase() {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '+' => [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        '%' => [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        '_' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '/' => [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        '*' => [0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00],
        _ => [0; 7],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colormaps_run_end_to_end() {
        assert_eq!(Colormap::Gray.color(0.0), [0, 0, 0]);
        assert_eq!(Colormap::Gray.color(1.0), [255, 255, 255]);
        assert_eq!(Colormap::Gray.color(0.5), [128, 128, 128]);
        assert_eq!(Colormap::Diverging.color(0.5), [247, 247, 247]);
        assert_eq!(Colormap::Vegetation.color(-3.0), [140, 81, 10]);
        assert_eq!(Colormap::Thermal.color(2.0), [252, 255, 164]);
    }
}
