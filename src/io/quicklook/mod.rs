//! Quicklook PNGs of an output band (`climidx quicklook`, `--quicklook`) or of three bands as an
//! RGB composite (`--rgb`): streamed window by window and box-averaged down to at most
//! `max_size` pixels on the long side (memory: one window, the small image and, for `--rgb`, a
//! bounded sample), small rasters enlarged by a whole factor (nearest neighbour) to at least
//! `min_size`; one band coloured with a colormap suited to its index or unit ([`colormap`]),
//! three bands stretched between their 2nd and 98th percentiles; nodata transparent; an optional
//! legend ([`legend`]). Not a map renderer: no projection, hillshade or annotation.

pub mod colormap;
pub mod legend;
mod stretch;

use std::path::Path;

use crate::error::{Error, Result};
use crate::io::raster::{row_windows, RasterInfo};
use crate::kernels::samples::{NodataMatch, PackedBand};
use crate::kernels::{self, Family};

pub use colormap::Colormap;
pub use stretch::{percentile, SAMPLE_MAX};

/// What to draw.
#[derive(Clone, Debug)]
pub struct QuicklookOptions {
    /// The band (1-based) of a one-band quicklook.
    pub band: u16,
    /// Red, green and blue bands (1-based) of a composite; `band` and `colormap` then unused.
    pub rgb: Option<[u16; 3]>,
    pub colormap: Colormap,
    pub range: Option<(f32, f32)>,
    pub legend: bool,
    /// Longest side at most (box average).
    pub max_size: u32,
    /// Longest side at least (whole-factor nearest-neighbour enlargement, up to `max_size`).
    pub min_size: u32,
}

impl Default for QuicklookOptions {
    fn default() -> Self {
        QuicklookOptions {
            band: 1,
            rgb: None,
            colormap: Colormap::Auto,
            range: None,
            legend: false,
            max_size: 1024,
            min_size: 512,
        }
    }
}

/// What a quicklook shows.
#[derive(Clone, Debug, PartialEq)]
pub struct QuicklookReport {
    /// Size of the PNG (the legend included).
    pub width: u32,
    pub height: u32,
    /// The band drawn (1-based) and its description, if it has one (the red band of a composite).
    pub band: u16,
    pub band_name: Option<String>,
    /// The colormap used (`auto` resolved) and the values at its ends; `None` for a composite.
    pub colormap: Option<Colormap>,
    pub range: Option<(f32, f32)>,
    /// A composite's bands and each channel's stretch (2nd, 98th percentile, nodata excluded).
    pub rgb: Option<[u16; 3]>,
    pub stretch: Option<[(f32, f32); 3]>,
    /// Each raster pixel is drawn as `scale × scale` PNG pixels (1 when box-averaged down).
    pub scale: u32,
}

/// The size of the drawn grid for a `width × height` raster: box-averaged down to `max_size`
/// on the long side, or kept and enlarged by the whole factor `k` that brings the long side to
/// at least `min_size` without passing `max_size`. Returns `(grid width, grid height, k)`.
pub fn plan_size(width: u32, height: u32, max_size: u32, min_size: u32) -> (u32, u32, u32) {
    let long = width.max(height).max(1);
    if long > max_size {
        let s = max_size as f64 / long as f64;
        let d = |n: u32| ((n as f64 * s).ceil() as u32).max(1);
        return (d(width), d(height), 1);
    }
    let min = min_size.min(max_size);
    let k = min.div_ceil(long).min(max_size / long).max(1);
    (width, height, k)
}

/// The index a band was computed with (from climidx's metadata), for colormap, range and unit.
fn band_index(info: &RasterInfo, band: usize) -> Option<kernels::IndexRef> {
    info.band_description(band)
        .and_then(|d| kernels::find(&d))
        .or_else(|| {
            let list = info.metadata_item("CLIMIDX_INDICES")?;
            kernels::find(list.split(',').nth(band)?)
        })
}

/// A band's unit: GDAL's unit type, else what climidx's metadata says for its index.
fn band_unit(info: &RasterInfo, band: usize, desc: Option<&kernels::IndexDesc>) -> Option<String> {
    info.band_unit(band).or_else(|| match desc?.unit()? {
        "K" => Some(
            info.metadata_item("CLIMIDX_UNIT")
                .unwrap_or_else(|| "K".into()),
        ),
        u => Some(u.to_string()),
    })
}

/// Render `opts` of `input` to the PNG `output`.
pub fn render(
    input: &Path,
    output: &Path,
    opts: &QuicklookOptions,
    overwrite: bool,
) -> Result<QuicklookReport> {
    crate::io::files::check_output_path(output, overwrite)?;
    let mut r = crate::io::source::open(input)?;
    let info = r.info().clone();
    let bands: Vec<u16> = opts.rgb.map_or(vec![opts.band], |c| c.to_vec());
    for &b in &bands {
        if b == 0 || b > info.bands {
            return Err(Error::input(
                input,
                format!(
                    "band {b} does not exist: the file has {} band(s) (bands count from 1)",
                    info.bands
                ),
            ));
        }
    }
    let idx: Vec<u16> = bands.iter().map(|b| b - 1).collect();
    let (ow, oh, k) = plan_size(info.width, info.height, opts.max_size, opts.min_size);
    let n = (ow * oh) as usize;
    // Box average of the valid samples falling into each grid pixel, per channel; for a
    // composite also a regular sample of the raw values (every `step`-th row and column).
    let mut sum = vec![vec![0f64; n]; bands.len()];
    let mut cnt = vec![vec![0u32; n]; bands.len()];
    let step = stretch::sample_step(info.width, info.height);
    let mut samples = vec![Vec::new(); if opts.rgb.is_some() { 3 } else { 0 }];
    let params = idx
        .iter()
        .map(|&b| {
            let (scale, offset) = info
                .band_calibration(b as usize)
                .map_err(|e| Error::input(input, e))?
                .unwrap_or((1.0, 0.0));
            Ok(crate::kernels::abi::BandParams::new(
                info.dtype,
                NodataMatch::for_band(info.dtype, info.nodata),
                scale as f32,
                offset as f32,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let row_bytes = info.width as usize * 4 * bands.len();
    let rows = ((8 << 20) / row_bytes.max(1)).clamp(1, info.height as usize) as u32;
    let mut p = vec![PackedBand::new(info.dtype); bands.len()];
    let nodata = vec![info.nodata; bands.len()];
    let cols: Vec<usize> = (0..info.width)
        .map(|x| (((x as f64) * ow as f64 / info.width as f64) as usize).min(ow as usize - 1))
        .collect();
    for w in row_windows(info.width, info.height, rows) {
        r.read_window(w, &idx, &nodata, &mut p)?;
        for y in 0..w.height {
            let row = w.row_off + y;
            let oy =
                (((row as f64) * oh as f64 / info.height as f64) as usize).min(oh as usize - 1);
            let sampled = row % step == 0;
            for (c, bp) in params.iter().enumerate() {
                for x in 0..info.width {
                    let i = (y * info.width + x) as usize;
                    let s = crate::kernels::abi::fetch(bp, &p[c].words, i);
                    if s.valid {
                        let o = oy * ow as usize + cols[x as usize];
                        sum[c][o] += s.value as f64;
                        cnt[c][o] += 1;
                        if sampled && x % step == 0 && !samples.is_empty() {
                            samples[c].push(s.value);
                        }
                    }
                }
            }
        }
    }
    let mean = |c: usize, o: usize| (cnt[c][o] > 0).then(|| (sum[c][o] / cnt[c][o] as f64) as f32);
    let legend_w = if opts.legend { 256 } else { 1 };
    let width = (ow * k).max(legend_w);
    let legend_h = if opts.legend {
        legend::height(width)
    } else {
        0
    };
    let mut img = image::RgbaImage::new(width, oh * k + legend_h);
    // grid pixel `o` as a k × k block (nearest neighbour)
    let put = |img: &mut image::RgbaImage, o: usize, c: [u8; 3]| {
        let (gx, gy) = ((o % ow as usize) as u32 * k, (o / ow as usize) as u32 * k);
        for y in gy..gy + k {
            for x in gx..gx + k {
                img.put_pixel(x, y, image::Rgba([c[0], c[1], c[2], 255]));
            }
        }
    };
    let b0 = idx[0] as usize;
    let mut report = QuicklookReport {
        width: img.width(),
        height: img.height(),
        band: bands[0],
        band_name: info.band_description(b0),
        colormap: None,
        range: None,
        rgb: opts.rgb,
        stretch: None,
        scale: k,
    };
    if opts.rgb.is_some() {
        let st: [(f32, f32); 3] = std::array::from_fn(|c| {
            let v = &mut samples[c];
            v.sort_by(f32::total_cmp);
            (percentile(v, 2.0), percentile(v, 98.0))
        });
        for o in 0..n {
            if let (Some(r), Some(g), Some(b)) = (mean(0, o), mean(1, o), mean(2, o)) {
                put(
                    &mut img,
                    o,
                    [
                        stretch::byte(r, st[0]),
                        stretch::byte(g, st[1]),
                        stretch::byte(b, st[2]),
                    ],
                );
            }
        }
        report.stretch = Some(st);
    } else {
        let desc = band_index(&info, b0);
        let unit = band_unit(&info, b0, desc.as_deref());
        let colormap = opts.colormap.resolve(desc.as_deref(), unit.as_deref());
        let vals: Vec<Option<f32>> = (0..n).map(|o| mean(0, o)).collect();
        let range = opts
            .range
            .unwrap_or_else(|| default_range(&vals, desc.as_deref(), colormap));
        for (o, v) in vals.iter().enumerate() {
            if let Some(v) = v {
                put(
                    &mut img,
                    o,
                    colormap.color((v - range.0) / (range.1 - range.0)),
                );
            }
        }
        if opts.legend {
            let title = legend_title(&info, b0, unit.as_deref());
            legend::draw(&mut img, oh * k, colormap, range, &title);
        }
        report.colormap = Some(colormap);
        report.range = Some(range);
    }
    crate::io::files::write_atomically(output, |tmp| {
        img.save_with_format(tmp, image::ImageFormat::Png)
            .map_err(|e| Error::output(output, format!("cannot write PNG: {e}")))
    })?;
    Ok(report)
}

/// The index's typical range, else the 2nd–98th percentiles of the drawn values; diverging
/// maps centred on 0.
fn default_range(
    vals: &[Option<f32>],
    desc: Option<&kernels::IndexDesc>,
    colormap: Colormap,
) -> (f32, f32) {
    let (lo, hi) = match desc {
        Some(d) if d.family != Family::Thermal => d.range,
        _ => {
            let mut v: Vec<f32> = vals.iter().flatten().cloned().collect();
            if v.is_empty() {
                (0.0, 1.0)
            } else {
                v.sort_by(f32::total_cmp);
                (percentile(&v, 2.0), percentile(&v, 98.0))
            }
        }
    };
    if colormap.diverging() {
        let m = lo.abs().max(hi.abs()).max(f32::MIN_POSITIVE);
        (-m, m)
    } else if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    }
}

/// The legend title: the band's description (or `BAND n`) upper-cased, and its unit.
fn legend_title(info: &RasterInfo, band: usize, unit: Option<&str>) -> String {
    let name = info
        .band_description(band)
        .unwrap_or_else(|| format!("band {}", band + 1))
        .to_uppercase();
    match unit {
        None | Some("" | "1") => name,
        Some("degC" | "celsius") => format!("{name} (°C)"),
        Some(u) => format!("{name} ({u})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_shrink_large_and_enlarge_small_rasters() {
        assert_eq!(plan_size(10980, 10980, 1024, 512), (1024, 1024, 1));
        assert_eq!(plan_size(96, 80, 1024, 512), (96, 80, 6));
        assert_eq!(plan_size(96, 80, 500, 512), (96, 80, 5));
        assert_eq!(plan_size(96, 80, 48, 512), (48, 40, 1));
        assert_eq!(plan_size(96, 80, 1024, 1), (96, 80, 1));
        assert_eq!(plan_size(600, 100, 1024, 512), (600, 100, 1));
    }
}
