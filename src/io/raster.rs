//! The format-neutral raster model: what a raster holds ([`RasterInfo`]), a 2-D [`Window`] of
//! it, and resampling between grids. Sources and sinks of every format speak these types.

use super::geo::GeoInfo;
use crate::kernels::samples::{DataType, PackedBand};

/// What a raster holds, whatever its format.
#[derive(Clone, Debug)]
pub struct RasterInfo {
    pub width: u32,
    pub height: u32,
    pub bands: u16,
    pub dtype: DataType,
    /// The format's natural block (tile or strip) in pixels, width and height: windows aligned
    /// to it read each block once.
    pub block: (u32, u32),
    /// The nodata value the file declares (GDAL's `GDAL_NODATA`), if any.
    pub nodata: Option<f64>,
    /// Georeferencing: the affine transform and the CRS ([`GeoInfo::geotransform`],
    /// [`GeoInfo::crs`]), carried verbatim to outputs.
    pub geo: GeoInfo,
    /// GDAL's metadata document (band descriptions, climidx provenance), if any.
    pub gdal_metadata: Option<String>,
}

impl RasterInfo {
    /// A dataset-level GDAL_METADATA item (`<Item name="NAME">value</Item>`).
    pub fn metadata_item(&self, name: &str) -> Option<String> {
        let x = self.gdal_metadata.as_deref()?;
        let start = x.find(&format!("<Item name=\"{name}\">"))? + name.len() + 14;
        let end = start + x[start..].find("</Item>")?;
        Some(unescape(&x[start..end]))
    }

    /// The description of band `b` (0-based), as GDAL writes it.
    pub fn band_description(&self, b: usize) -> Option<String> {
        self.band_item(b, "DESCRIPTION", "description")
    }

    /// A per-band GDAL_METADATA item (`<Item name="NAME" sample="b" role="ROLE">`).
    pub(crate) fn band_item(&self, b: usize, name: &str, role: &str) -> Option<String> {
        let x = self.gdal_metadata.as_deref()?;
        let key = format!("<Item name=\"{name}\" sample=\"{b}\" role=\"{role}\">");
        let start = x.find(&key)? + key.len();
        let end = start + x[start..].find("</Item>")?;
        Some(unescape(&x[start..end]))
    }

    /// Band `b`'s calibration as GDAL stores it (`gdal_translate -a_scale/-a_offset`, product
    /// COGs): `value = DN·scale + offset`, `None` when the file declares neither. A declared
    /// value that is not a finite number is an error naming the file.
    pub fn band_calibration(&self, b: usize) -> std::result::Result<Option<(f64, f64)>, String> {
        let num = |name: &str, role: &str| -> std::result::Result<Option<f64>, String> {
            match self.band_item(b, name, role) {
                None => Ok(None),
                Some(t) => match t.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(Some(v)),
                    _ => Err(format!(
                        "band {} declares {name} {t:?}, not a finite number",
                        b + 1
                    )),
                },
            }
        };
        let (scale, offset) = (num("SCALE", "scale")?, num("OFFSET", "offset")?);
        if scale.is_none() && offset.is_none() {
            return Ok(None);
        }
        Ok(Some((scale.unwrap_or(1.0), offset.unwrap_or(0.0))))
    }

    /// Band `b`'s unit as GDAL stores it (`UNITTYPE`: `K`, `degC`, `m`, …).
    pub fn band_unit(&self, b: usize) -> Option<String> {
        self.band_item(b, "UNITTYPE", "unittype")
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
    }

    /// `Err` naming `path` unless `band` (1-based) is one of this raster's bands.
    pub fn check_band(&self, path: &std::path::Path, band: u16) -> crate::error::Result<()> {
        if band == 0 || band > self.bands {
            return Err(crate::error::Error::input(
                path,
                format!(
                    "band {band} does not exist: the file has {} band(s) (bands count from 1)",
                    self.bands
                ),
            ));
        }
        Ok(())
    }

    /// The whole raster as one window.
    pub fn full(&self) -> Window {
        Window::rows(self.width, 0, self.height)
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// A rectangle of pixels: columns `col_off..col_off + width`, rows `row_off..row_off + height`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub col_off: u32,
    pub row_off: u32,
    pub width: u32,
    pub height: u32,
}

impl Window {
    /// Full-width rows `row_off..row_off + height` of a raster `width` pixels wide.
    pub fn rows(width: u32, row_off: u32, height: u32) -> Window {
        Window {
            col_off: 0,
            row_off,
            width,
            height,
        }
    }

    pub fn pixels(&self) -> usize {
        self.width as usize * self.height as usize
    }
}

/// Split a raster `width` × `height` into full-width windows of at most `rows` rows (the last
/// one may be shorter).
pub fn row_windows(width: u32, height: u32, rows: u32) -> impl Iterator<Item = Window> {
    let rows = rows.max(1);
    (0..height.div_ceil(rows)).map(move |k| {
        let row_off = k * rows;
        Window::rows(width, row_off, rows.min(height - row_off))
    })
}

/// Nearest-neighbour upsampling by an integer factor: `dst` (width `dst_w`, rows
/// `row_off..row_off + rows` of the fine grid) from `src` (width `src_w`, coarse rows starting
/// at `src_row0`), both packed as `dtype`. Fine pixel (x, y) takes coarse pixel (x / f, y / f).
#[allow(clippy::too_many_arguments)]
pub fn upsample_nearest(
    dtype: DataType,
    src: &[u32],
    src_w: usize,
    src_row0: u32,
    dst: &mut [u32],
    dst_w: usize,
    row_off: u32,
    rows: u32,
    f: u32,
) {
    fn run<T: bytemuck::Pod>(
        src: &[T],
        src_w: usize,
        src_row0: u32,
        dst: &mut [T],
        dst_w: usize,
        row_off: u32,
        rows: u32,
        f: u32,
    ) {
        let f = f as usize;
        for y in 0..rows as usize {
            let sy = (row_off as usize + y) / f - src_row0 as usize;
            let srow = &src[sy * src_w..(sy + 1) * src_w];
            let drow = &mut dst[y * dst_w..(y + 1) * dst_w];
            for (x, d) in drow.iter_mut().enumerate() {
                *d = srow[x / f];
            }
        }
    }
    match dtype.pixels_per_word() {
        4 => run::<u8>(
            bytemuck::cast_slice(src),
            src_w,
            src_row0,
            bytemuck::cast_slice_mut(dst),
            dst_w,
            row_off,
            rows,
            f,
        ),
        2 => run::<u16>(
            bytemuck::cast_slice(src),
            src_w,
            src_row0,
            bytemuck::cast_slice_mut(dst),
            dst_w,
            row_off,
            rows,
            f,
        ),
        _ => run::<u32>(src, src_w, src_row0, dst, dst_w, row_off, rows, f),
    }
}

/// Copy window `w` out of `src` (full rows `width` pixels wide, starting at row `w.row_off`)
/// into `out`, row by row.
pub fn crop(src: &PackedBand, width: usize, w: Window, out: &mut PackedBand) {
    fn run<T: bytemuck::Pod>(src: &[T], width: usize, w: Window, dst: &mut [T]) {
        let (c0, ww) = (w.col_off as usize, w.width as usize);
        for r in 0..w.height as usize {
            dst[r * ww..(r + 1) * ww].copy_from_slice(&src[r * width + c0..r * width + c0 + ww]);
        }
    }
    out.dtype = src.dtype;
    out.resize(w.pixels());
    let words = &src.words;
    match src.dtype.pixels_per_word() {
        4 => run::<u8>(
            bytemuck::cast_slice(words),
            width,
            w,
            bytemuck::cast_slice_mut(&mut out.words),
        ),
        2 => run::<u16>(
            bytemuck::cast_slice(words),
            width,
            w,
            bytemuck::cast_slice_mut(&mut out.words),
        ),
        _ => run::<u32>(words, width, w, &mut out.words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_every_row_once() {
        let w: Vec<_> = row_windows(5, 10, 4).collect();
        assert_eq!(
            w,
            vec![
                Window::rows(5, 0, 4),
                Window::rows(5, 4, 4),
                Window::rows(5, 8, 2)
            ]
        );
        assert_eq!(row_windows(5, 1, 1000).count(), 1);
        assert_eq!(row_windows(5, 7, 0).count(), 7);
    }

    #[test]
    fn crop_takes_the_window_of_every_packing() {
        // 7 x 3 raster, values = index; window columns 2..5, rows 1..3 (of a read starting at
        // row 1).
        let w = Window {
            col_off: 2,
            row_off: 1,
            width: 3,
            height: 2,
        };
        let want: Vec<u16> = vec![9, 10, 11, 16, 17, 18];
        let full: Vec<u16> = (7..21).collect();
        let src = PackedBand::from_u16(&full);
        let mut out = PackedBand::new(DataType::U16);
        crop(&src, 7, w, &mut out);
        let got: &[u16] = bytemuck::cast_slice(&out.words);
        assert_eq!(&got[..6], &want[..]);
        let mut src8 = PackedBand::new(DataType::U8);
        src8.resize(14);
        bytemuck::cast_slice_mut::<u32, u8>(&mut src8.words)[..14]
            .copy_from_slice(&full.iter().map(|&v| v as u8).collect::<Vec<_>>());
        crop(&src8, 7, w, &mut out);
        let got: &[u8] = bytemuck::cast_slice(&out.words);
        assert_eq!(got[..6].iter().map(|&v| v as u16).collect::<Vec<_>>(), want);
    }
}
