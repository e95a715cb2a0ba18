//! The benchmark's input files: 4-band uint16 GeoTIFFs (blue, green, red, NIR) written strip by
//! strip, from random noise (the compressor's worst case) or from a realistic synthetic scene.
//!
//! The realistic scene is a fractal landscape with sensor noise, so that compressed sizes and
//! times resemble those on real Sentinel-2 L2A tiles rather than on noise:
//! - vegetation cover `v ∈ [0, 1]`: fractional Brownian motion (6 octaves of value noise,
//!   2 km … 60 m periods at 10 m pixels) computed on a grid of 8-px cells and interpolated
//!   bilinearly, mixed with agricultural parcels (cells of 48–96 px holding one value);
//! - water where a second fBm field is low;
//! - reflectance DNs (×10⁴) by a linear mix of soil and vegetation spectra (water: dark, NIR
//!   lowest), plus sensor noise (σ ≈ 29 DN, the sum of three uniforms);
//! - a no-data corner (DN 0) where the orbit swath misses the tile, as on many S2 tiles.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

fn hash(x: i64, y: i64, seed: u64) -> f32 {
    let mut h = (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (y as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ seed;
    h ^= h >> 31;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 29;
    (h >> 40) as f32 / (1u64 << 24) as f32
}

/// Smooth value noise at (x, y) in cells of one unit.
fn value_noise(x: f32, y: f32, seed: u64) -> f32 {
    let (xi, yi) = (x.floor(), y.floor());
    let (fx, fy) = (x - xi, y - yi);
    let (sx, sy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
    let (xi, yi) = (xi as i64, yi as i64);
    let a = hash(xi, yi, seed) + sx * (hash(xi + 1, yi, seed) - hash(xi, yi, seed));
    let b = hash(xi, yi + 1, seed) + sx * (hash(xi + 1, yi + 1, seed) - hash(xi, yi + 1, seed));
    a + sy * (b - a)
}

/// fBm in [0, 1) at pixel (x, y): octaves of periods 200, 100, … px.
fn fbm(x: f32, y: f32, seed: u64) -> f32 {
    let (mut sum, mut amp, mut norm, mut period) = (0.0, 1.0, 0.0, 200.0);
    for o in 0..6 {
        sum += amp * value_noise(x / period, y / period, seed + o);
        norm += amp;
        amp *= 0.55;
        period *= 0.5;
    }
    sum / norm
}

const CELL: usize = 8;

/// The realistic scene's coarse fields for cell rows `cy0..cy1`: (vegetation, water) per cell.
fn coarse_rows(size: usize, cy0: usize, cy1: usize) -> Vec<(f32, f32)> {
    let cw = size / CELL + 2;
    let mut v = Vec::with_capacity((cy1 - cy0) * cw);
    for cy in cy0..cy1 {
        for cx in 0..cw {
            let (x, y) = ((cx * CELL) as f32, (cy * CELL) as f32);
            let smooth = fbm(x, y, 11);
            // parcels: blocks of 48–96 px with one cover value each
            let p = 48.0 + 48.0 * hash((x / 512.0) as i64, (y / 512.0) as i64, 5);
            let parcel = hash((x / p) as i64, (y / p) as i64, 7);
            let water = fbm(x * 0.5, y * 0.5, 23);
            v.push(((0.55 * smooth + 0.45 * parcel).clamp(0.0, 1.0), water));
        }
    }
    v
}

/// Rows `y0..y0 + rows` of the realistic scene, pixel-interleaved (blue, green, red, NIR).
pub fn realistic_rows(size: usize, y0: usize, rows: usize, out: &mut Vec<u16>) {
    let cw = size / CELL + 2;
    let cy0 = y0 / CELL;
    let cy1 = (y0 + rows) / CELL + 2;
    let coarse = coarse_rows(size, cy0, cy1);
    let mut s = 0x5EED_0000 ^ (y0 as u64).wrapping_mul(0x9E37_79B9) | 1;
    let mut noise = || {
        let mut t = 0.0;
        for _ in 0..3 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            t += (s >> 40) as f32 / (1u64 << 24) as f32;
        }
        (t - 1.5) * 50.0
    };
    for y in y0..y0 + rows {
        let (cy, fy) = (y / CELL - cy0, (y % CELL) as f32 / CELL as f32);
        for x in 0..size {
            if x + y < size / 6 {
                out.extend([0u16; 4]);
                continue;
            }
            let (cx, fx) = (x / CELL, (x % CELL) as f32 / CELL as f32);
            let at = |i: usize, j: usize| coarse[(cy + j) * cw + cx + i];
            let lerp = |f: fn((f32, f32)) -> f32| {
                let a = f(at(0, 0)) + fx * (f(at(1, 0)) - f(at(0, 0)));
                let b = f(at(0, 1)) + fx * (f(at(1, 1)) - f(at(0, 1)));
                a + fy * (b - a)
            };
            let (v, w) = (lerp(|c| c.0), lerp(|c| c.1));
            let spectrum = if w < 0.3 {
                [600.0, 500.0, 300.0, 150.0]
            } else {
                let u = 1.0 - v;
                [
                    300.0 + 700.0 * u,
                    450.0 + 600.0 * u + 250.0 * v,
                    350.0 + 2200.0 * u,
                    1800.0 + 2800.0 * v,
                ]
            };
            for dn in spectrum {
                out.push((dn + noise()).clamp(1.0, 10000.0) as u16);
            }
        }
    }
}

/// Write a `size`² 4-band uint16 file named `name` in `dir`, 16 rows at a time from
/// `strip(y0, rows, out)` (pixel-interleaved), re-tiled to 512×512 uncompressed by
/// gdal_translate when it is installed. Returns the file and its description.
pub fn write_input(
    dir: &Path,
    name: &str,
    size: u32,
    strip: &(dyn Fn(usize, usize, &mut Vec<u16>) + Sync),
) -> Result<(PathBuf, String)> {
    use rayon::prelude::*;
    use tiff::encoder::colortype::ColorType;
    struct Gray16x4;
    impl ColorType for Gray16x4 {
        type Inner = u16;
        const TIFF_VALUE: tiff::tags::PhotometricInterpretation =
            tiff::tags::PhotometricInterpretation::BlackIsZero;
        const BITS_PER_SAMPLE: &'static [u16] = &[16, 16, 16, 16];
        const SAMPLE_FORMAT: &'static [tiff::tags::SampleFormat] =
            &[tiff::tags::SampleFormat::Uint; 4];
        fn horizontal_predict(_: &[u16], _: &mut Vec<u16>) {}
    }
    let strips = dir.join(format!("{name}_strips.tif"));
    let err = |e: tiff::TiffError| Error::output(&strips, e.to_string());
    {
        let f =
            std::fs::File::create(&strips).map_err(|e| Error::output(&strips, e.to_string()))?;
        let mut enc =
            tiff::encoder::TiffEncoder::new_big(std::io::BufWriter::new(f)).map_err(err)?;
        let mut img = enc.new_image::<Gray16x4>(size, size).map_err(err)?;
        img.encoder()
            .write_tag(tiff::tags::Tag::ExtraSamples, &[0u16, 0, 0][..])
            .map_err(err)?;
        img.encoder()
            .write_tag(tiff::tags::Tag::GdalNodata, "0")
            .map_err(err)?;
        img.rows_per_strip(16).map_err(err)?;
        let size = size as usize;
        // 64 strips (1024 rows) generated in parallel at a time, then written in order.
        for y in (0..size).step_by(1024) {
            let batch: Vec<Vec<u16>> = (y..(y + 1024).min(size))
                .step_by(16)
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|y0| {
                    let rows = 16.min(size - y0);
                    let mut v = Vec::with_capacity(size * 4 * rows);
                    strip(y0, rows, &mut v);
                    v
                })
                .collect();
            for s in batch {
                img.write_strip(&s).map_err(err)?;
            }
        }
        img.finish().map_err(err)?;
    }
    let tiled = dir.join(format!("{name}_tiled512.tif"));
    let ok = Command::new("gdal_translate")
        .args(["-q", "-co", "TILED=YES", "-co", "BLOCKXSIZE=512"])
        .args(["-co", "BLOCKYSIZE=512", "-co", "BIGTIFF=IF_SAFER"])
        .arg(&strips)
        .arg(&tiled)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        let _ = std::fs::remove_file(&strips);
        Ok((tiled, "4-band uint16, 512x512 tiles, uncompressed".into()))
    } else {
        Ok((
            strips,
            "4-band uint16, 16-row strips, uncompressed (gdal_translate not found to re-tile)"
                .into(),
        ))
    }
}

/// The realistic scene as a benchmark input file `bench_realistic` in `dir` ([`write_input`]).
pub fn write_realistic(dir: &Path, size: u32) -> Result<(PathBuf, String)> {
    let n = size as usize;
    write_input(dir, "bench_realistic", size, &|y0, rows, out| {
        realistic_rows(n, y0, rows, out)
    })
}

/// `bands` (pixel-interleaved per row, [`super::FILE_ROLES`] order) as the noise input file
/// `bench_u16_4band` in `dir` ([`write_input`]).
pub fn write_noise(dir: &Path, size: u32, bands: &[Vec<u16>]) -> Result<(PathBuf, String)> {
    let w = size as usize;
    let b = &bands[..super::FILE_ROLES.len()];
    write_input(dir, "bench_u16_4band", size, &|y0, rows, out| {
        for i in y0 * w..(y0 + rows) * w {
            out.extend(b.iter().map(|band| band[i]));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_scene_is_vegetation_like_and_deterministic() {
        let (size, rows) = (256, 16);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        realistic_rows(size, 96, rows, &mut a);
        realistic_rows(size, 96, rows, &mut b);
        assert_eq!(a, b);
        assert_eq!(a.len(), size * rows * 4);
        // Mostly valid land: NIR above red in most valid pixels, DNs within 1..=10000.
        let px: Vec<&[u16]> = a.chunks(4).filter(|p| p[0] != 0).collect();
        assert!(px.len() > size * rows / 2);
        let veg = px.iter().filter(|p| p[3] > p[2]).count();
        assert!(veg * 2 > px.len(), "{veg} of {}", px.len());
        assert!(px
            .iter()
            .all(|p| p.iter().all(|&v| (1..=10000).contains(&v))));
    }
}
