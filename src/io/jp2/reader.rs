//! Reading a JP2 file window by window, decoding only the codestream tiles each window
//! touches, several tiles at once.
//!
//! Decoding is OpenJPEG's (the `jpeg2k` crate, vendored `openjpeg-sys`), the decoder GDAL's
//! JP2OpenJPEG driver uses: each tile is decoded on its own (`opj_set_decode_area` on the
//! tile's rectangle, strict mode so that a truncated codestream is an error, not zeros), the
//! tiles of a row in parallel on rayon's pool.
//!
//! Memory: the reader keeps the decoded tiles of one *tile row* (`width × tile height ×
//! components × 4 bytes`: for a Sentinel-2 10 m band, 10980 × 1024 × 4 B = 43 MiB), plus
//! OpenJPEG's working set for the tiles being decoded (a few times one tile each).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use jpeg2k::{DecodeArea, DecodeParameters, Image};
use rayon::prelude::*;

use super::boxes::{read_boxes, read_siz, Siz, JP2_SIGNATURE};
use super::georef::{aux_nodata, geojp2, gmljp2};
use crate::error::{Error, Result};
use crate::io::geo::GeoInfo;
use crate::io::raster::{RasterInfo, Window};
use crate::kernels::samples::{DataType, PackedBand};

/// Largest decoded tile row we hold (as for GeoTIFF block rows).
const MAX_TILE_ROW_BYTES: u64 = 1 << 30;

/// The decoded tiles of one tile row: per tile, per component, the tile's samples row by row.
struct TileRow {
    ty: u32,
    tiles: Vec<Option<Vec<Vec<i32>>>>,
}

/// Reads windows of one JP2 file.
pub struct Jp2Reader {
    path: PathBuf,
    info: RasterInfo,
    siz: Siz,
    cache: Option<TileRow>,
}

const TO_TIFF: &str = "gdal_translate -of GTiff IN.jp2 OUT.tif";

impl Jp2Reader {
    /// Open `path` (a JP2 file: signature box first) and read its headers. Refuses, naming
    /// the file and the conversion that helps, what it cannot read exactly.
    pub fn open(path: &Path) -> Result<Self> {
        let mut f =
            File::open(path).map_err(|e| Error::input(path, format!("cannot open: {e}")))?;
        let mut sig = [0u8; 12];
        if f.read_exact(&mut sig).is_err() || sig != JP2_SIGNATURE {
            return Err(Error::input(
                path,
                format!("not a JP2 file (no JP2 signature box); convert it with `{TO_TIFF}`"),
            ));
        }
        let boxes = read_boxes(&mut f, path)?;
        let refuse = |m: String| Error::input(path, format!("{m}; convert it with `{TO_TIFF}`"));
        if boxes.palette {
            return Err(refuse(
                "palette (indexed colour) JPEG 2000 is not supported".into(),
            ));
        }
        let (off, len) = boxes
            .codestream
            .ok_or_else(|| Error::input(path, "truncated JPEG 2000 file: no codestream box"))?;
        let siz = read_siz(&mut f, path, off, len)?;
        let (bits, signed, _, _) = siz.comps[0];
        if siz.comps.iter().any(|c| c.2 != 1 || c.3 != 1) {
            return Err(refuse(
                "subsampled JPEG 2000 components are not supported".into(),
            ));
        }
        if siz.comps.iter().any(|c| (c.0, c.1) != (bits, signed)) {
            return Err(refuse("the components have different sample types".into()));
        }
        let dtype = match (bits, signed) {
            (1..=8, false) => DataType::U8,
            (1..=8, true) => DataType::I8,
            (9..=16, false) => DataType::U16,
            (9..=16, true) => DataType::I16,
            (17..=31, false) => DataType::U32,
            (17..=31, true) => DataType::I32,
            _ => {
                return Err(refuse(format!(
                    "{bits}-bit JPEG 2000 samples are not supported"
                )))
            }
        };
        if siz.irreversible.iter().any(|&i| i) {
            log::warn!(
                "{}: lossy JPEG 2000 (irreversible 9/7 wavelet): its values are not the sensor's, \
                 only an approximation of them, and every index computed from it carries that \
                 compression error",
                path.display()
            );
        }
        let geo = match (&boxes.geojp2, &boxes.gml) {
            (Some(t), _) => geojp2(path, t)?,
            (None, Some(x)) => gmljp2(path, x)?,
            (None, None) => GeoInfo::default(),
        };
        let (width, height) = (siz.x1 - siz.x0, siz.y1 - siz.y0);
        let tile_row = width as u64 * siz.th.min(height) as u64 * siz.comps.len() as u64 * 4;
        if tile_row > MAX_TILE_ROW_BYTES {
            return Err(refuse(format!(
                "a row of its {}×{} tiles needs {} MiB decoded (limit {} MiB)",
                siz.tw,
                siz.th,
                tile_row >> 20,
                MAX_TILE_ROW_BYTES >> 20
            )));
        }
        let info = RasterInfo {
            width,
            height,
            bands: u16::try_from(siz.comps.len()).expect("SIZ counts components in 16 bits"),
            dtype,
            block: (siz.tw.min(width), siz.th.min(height)),
            nodata: aux_nodata(path)?,
            geo,
            gdal_metadata: None,
        };
        Ok(Jp2Reader {
            path: path.to_path_buf(),
            info,
            siz,
            cache: None,
        })
    }

    pub fn info(&self) -> &RasterInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether any component uses the irreversible (lossy) wavelet.
    pub fn is_lossy(&self) -> bool {
        self.siz.irreversible.iter().any(|&i| i)
    }

    /// Tile `(tx, ty)`'s rectangle in image pixels: (col0, row0, width, height).
    fn tile_rect(&self, tx: u32, ty: u32) -> (u32, u32, u32, u32) {
        let s = &self.siz;
        let x = (s.tx0 + tx * s.tw).max(s.x0);
        let y = (s.ty0 + ty * s.th).max(s.y0);
        let x1 = (s.tx0 + (tx + 1) * s.tw).min(s.x1);
        let y1 = (s.ty0 + (ty + 1) * s.th).min(s.y1);
        (x - s.x0, y - s.y0, x1 - x, y1 - y)
    }

    /// The tile column (or row) holding image column `c` (row, with `vertical`).
    fn tile_of(&self, c: u32, vertical: bool) -> u32 {
        let s = &self.siz;
        if vertical {
            (c + s.y0 - s.ty0) / s.th
        } else {
            (c + s.x0 - s.tx0) / s.tw
        }
    }

    /// Read `window` of the 0-based `bands` into `out`, one [`PackedBand`] per band, row by
    /// row. JP2 samples are integers, so `nodata` is not needed to pack them.
    pub fn read_window(
        &mut self,
        window: Window,
        bands: &[u16],
        _nodata: &[Option<f64>],
        out: &mut [PackedBand],
    ) -> Result<()> {
        let info = &self.info;
        if window.width == 0
            || window.height == 0
            || window.col_off + window.width > info.width
            || window.row_off + window.height > info.height
        {
            return Err(Error::Internal(format!(
                "window {window:?} outside {}×{}",
                info.width, info.height
            )));
        }
        if let Some(b) = bands.iter().find(|&&b| b >= info.bands) {
            return Err(Error::Internal(format!("band {b} out of range")));
        }
        let dtype = info.dtype;
        for p in out.iter_mut() {
            p.dtype = dtype;
            p.resize(window.width as usize * window.height as usize);
        }
        let (tx_a, tx_b) = (
            self.tile_of(window.col_off, false),
            self.tile_of(window.col_off + window.width - 1, false),
        );
        let (ty_a, ty_b) = (
            self.tile_of(window.row_off, true),
            self.tile_of(window.row_off + window.height - 1, true),
        );
        for ty in ty_a..=ty_b {
            self.load(ty, tx_a..=tx_b)?;
            let cache = self.cache.as_ref().expect("tile row just loaded");
            for tx in tx_a..=tx_b {
                let (c0, r0, tw, th) = self.tile_rect(tx, ty);
                let tile = cache.tiles[tx as usize]
                    .as_ref()
                    .expect("tile just decoded");
                // The overlap of this tile and the window, in image pixels.
                let (ca, cb) = (
                    c0.max(window.col_off),
                    (c0 + tw).min(window.col_off + window.width),
                );
                let (ra, rb) = (
                    r0.max(window.row_off),
                    (r0 + th).min(window.row_off + window.height),
                );
                for (p, &b) in out.iter_mut().zip(bands) {
                    let src = &tile[b as usize];
                    for r in ra..rb {
                        let s = ((r - r0) * tw + (ca - c0)) as usize;
                        let d =
                            ((r - window.row_off) * window.width + (ca - window.col_off)) as usize;
                        store(p, d, &src[s..s + (cb - ca) as usize]);
                    }
                }
            }
        }
        Ok(())
    }

    /// Make tiles `txs` of tile row `ty` decoded in the cache, decoding the missing ones in
    /// parallel (the previous tile row is dropped).
    fn load(&mut self, ty: u32, txs: std::ops::RangeInclusive<u32>) -> Result<()> {
        let across = self.tile_of(self.info.width - 1, false) as usize + 1;
        if self.cache.as_ref().is_none_or(|c| c.ty != ty) {
            self.cache = Some(TileRow {
                ty,
                tiles: (0..across).map(|_| None).collect(),
            });
        }
        let missing: Vec<u32> = {
            let c = self.cache.as_ref().expect("set above");
            txs.filter(|&tx| c.tiles[tx as usize].is_none()).collect()
        };
        let decoded: Vec<Result<(u32, Vec<Vec<i32>>)>> = missing
            .par_iter()
            .map(|&tx| self.decode_tile(tx, ty).map(|t| (tx, t)))
            .collect();
        let cache = self.cache.as_mut().expect("set above");
        for d in decoded {
            let (tx, t) = d?;
            cache.tiles[tx as usize] = Some(t);
        }
        Ok(())
    }

    /// Decode tile `(tx, ty)`: every component, the tile's pixels row by row.
    fn decode_tile(&self, tx: u32, ty: u32) -> Result<Vec<Vec<i32>>> {
        let (c0, r0, w, h) = self.tile_rect(tx, ty);
        let (x, y) = (c0 + self.siz.x0, r0 + self.siz.y0);
        let params = DecodeParameters::new()
            .strict(true)
            .decode_area(Some(DecodeArea::new(x, y, x + w, y + h)));
        let img = Image::from_file_with(&self.path, params).map_err(|e| {
            Error::input(
                &self.path,
                format!(
                    "cannot decode JPEG 2000 tile {tx},{ty} ({e}): the file is truncated or \
                     corrupt; download it again"
                ),
            )
        })?;
        let comps = img.components();
        if comps.len() != self.siz.comps.len() {
            return Err(Error::input(
                &self.path,
                "OpenJPEG decoded a different number of components",
            ));
        }
        comps
            .iter()
            .map(|c| {
                if (c.width(), c.height()) != (w, h) || c.data().len() != (w * h) as usize {
                    return Err(Error::input(
                        &self.path,
                        format!(
                            "OpenJPEG decoded tile {tx},{ty} as {}×{}, expected {w}×{h}",
                            c.width(),
                            c.height()
                        ),
                    ));
                }
                Ok(c.data().to_vec())
            })
            .collect()
    }
}

/// Store decoded samples `src` at pixel `at` of `p` (in its type; the precision of the
/// codestream guarantees they fit).
fn store(p: &mut PackedBand, at: usize, src: &[i32]) {
    let n = src.len();
    match p.dtype {
        DataType::U8 | DataType::I8 => {
            let d = &mut bytemuck::cast_slice_mut::<u32, u8>(&mut p.words)[at..at + n];
            d.iter_mut().zip(src).for_each(|(d, &s)| *d = s as u8);
        }
        DataType::U16 | DataType::I16 => {
            let d = &mut bytemuck::cast_slice_mut::<u32, u16>(&mut p.words)[at..at + n];
            d.iter_mut().zip(src).for_each(|(d, &s)| *d = s as u16);
        }
        _ => {
            let d = &mut p.words[at..at + n];
            d.iter_mut().zip(src).for_each(|(d, &s)| *d = s as u32);
        }
    }
}
