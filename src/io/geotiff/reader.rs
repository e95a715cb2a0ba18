//! GeoTIFF reading by windows of full-width rows, without decoding the whole file.
//!
//! Supports strips and tiles, sparse (missing) blocks included; no compression, LZW, Deflate,
//! PackBits, zstd and LZMA with predictors 1/2/3 (block decoding in `block`); 1–32-bit
//! unsigned, 8/16/32/64-bit signed and 16/32/64-bit float samples (see `format` for what is
//! refused, and why); chunky (pixel-interleaved, any number of samples) and planar
//! (band-separate) layouts.
//!
//! Memory: the reader keeps one decoded *block row* (one strip, or one row of tiles) of the
//! bands last asked for, so that consecutive windows that share a block decode it once. Its size
//! is `width × block height × bands × sample size`: for the usual 512-row tiles or small strips
//! that is a few MiB. A file stored as one single strip is the worst case: its block row is the
//! whole band.
//!
//! Bytes come from a [`ByteSource`]: a local file, or a remote object for which every window
//! first prefetches the encoded blocks it needs, together (see [`crate::io::bytes`]).

use std::ops::Range;
use std::path::{Path, PathBuf};

use tiff::decoder::{Decoder, Limits};

use super::block::Scratch;
use super::header::{read_info, tiff_err, Layout};
use super::samples::copy_samples;
use crate::error::{Error, Result};
use crate::io::bytes::ByteSource;
use crate::io::raster::{RasterInfo, Window};
use crate::kernels::samples::PackedBand;

pub use super::header::MAX_BLOCK_ROW_BYTES;

struct BlockRow {
    index: u32,
    /// Decoded full-width rows of each cached plane (`None` for planes not cached): samples in
    /// native byte order, stored in `u64`s so that any sample type can be viewed in place.
    bands: Vec<Option<Vec<u64>>>,
}

/// Reads full-width row windows of one GeoTIFF.
pub struct GeoTiffReader {
    path: PathBuf,
    decoder: Decoder<ByteSource>,
    info: RasterInfo,
    layout: Layout,
    cache: Option<BlockRow>,
    /// Buffers of evicted block rows, reused so that steady-state reading allocates nothing.
    spare: Vec<Vec<u64>>,
    /// One decoded tile (full tile size, padding included).
    tile: Vec<u64>,
    scratch: Scratch,
}

impl GeoTiffReader {
    /// Open `path` (a local file or a URL, see [`ByteSource::open`]) and read its metadata.
    /// Fails with a message naming the file on anything we cannot process.
    pub fn open(path: &Path) -> Result<Self> {
        let bytes = ByteSource::open(path)?;
        let mut limits = Limits::default();
        limits.decoding_buffer_size = 512 << 20;
        limits.ifd_value_size = 16 << 20;
        let mut decoder = Decoder::new(bytes)
            .map_err(|e| match e {
                tiff::TiffError::FormatError(_) => {
                    Error::input(path, "not a TIFF file (bad header); expected a GeoTIFF")
                }
                e => tiff_err(path, e),
            })?
            .with_limits(limits);
        let (info, layout) = read_info(path, &mut decoder)?;
        Ok(GeoTiffReader {
            path: path.to_path_buf(),
            decoder,
            info,
            layout,
            cache: None,
            spare: Vec::new(),
            tile: Vec::new(),
            scratch: Scratch::default(),
        })
    }

    pub fn info(&self) -> &RasterInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read `window` of the 0-based `bands` into `out` (one [`PackedBand`] per band, `window`
    /// pixels each, row by row). `nodata` is used only for f64 bands (see
    /// [`pack_f64`](crate::kernels::samples::pack_f64)).
    /// Full-width windows are read straight from the blocks; narrower ones through full-width
    /// rows, cropped.
    pub fn read_window(
        &mut self,
        window: Window,
        bands: &[u16],
        nodata: &[Option<f64>],
        out: &mut [PackedBand],
    ) -> Result<()> {
        if window.col_off == 0 && window.width == self.info.width {
            return self.read_rows(window, bands, nodata, out);
        }
        if window.col_off + window.width > self.info.width {
            return Err(Error::Internal(format!(
                "window {window:?} outside width {}",
                self.info.width
            )));
        }
        let rows = Window::rows(self.info.width, window.row_off, window.height);
        let mut full: Vec<PackedBand> = out.iter().map(|p| PackedBand::new(p.dtype)).collect();
        self.read_rows(rows, bands, nodata, &mut full)?;
        for (f, o) in full.iter().zip(out.iter_mut()) {
            crate::io::raster::crop(f, self.info.width as usize, window, o);
        }
        Ok(())
    }

    /// Read full-width rows `window.row_off..` (see [`Self::read_window`]).
    fn read_rows(
        &mut self,
        window: Window,
        bands: &[u16],
        nodata: &[Option<f64>],
        out: &mut [PackedBand],
    ) -> Result<()> {
        let info = &self.info;
        if window.row_off + window.height > info.height {
            return Err(Error::Internal(format!(
                "window {window:?} outside {}",
                info.height
            )));
        }
        let width = info.width as usize;
        for (p, &b) in out.iter_mut().zip(bands) {
            if b >= info.bands {
                return Err(Error::Internal(format!("band {b} out of range")));
            }
            p.dtype = info.dtype;
            p.resize(width * window.height as usize);
        }
        let bh = info.block.1;
        let first = window.row_off / bh;
        let last = (window.row_off + window.height - 1) / bh;
        if self.decoder.inner().is_remote() {
            let ranges = self.block_ranges(first..last + 1, bands);
            self.decoder
                .inner()
                .prefetch(ranges)
                .map_err(|m| Error::input(&self.path, m))?;
        }
        for br in first..=last {
            let row0 = br * bh;
            let rows_here = bh.min(self.info.height - row0);
            if self.layout.tiled
                && window.row_off <= row0
                && row0 + rows_here <= window.row_off + window.height
            {
                // The window covers this whole row of tiles: scatter each tile straight into
                // the output bands, without staging the block row.
                self.scatter_tile_row(br, bands, window.row_off, nodata, out)?;
                continue;
            }
            self.load_block_row(br, bands)?;
            let cache = self.cache.as_ref().expect("block row was just loaded");
            let lo = window.row_off.max(row0);
            let hi = (window.row_off + window.height).min(row0 + rows_here);
            for (k, (&b, p)) in bands.iter().zip(out.iter_mut()).enumerate() {
                let (src, spp, sample) = if self.layout.planar {
                    (cache.bands[b as usize].as_ref(), 1, 0)
                } else {
                    (
                        cache.bands[0].as_ref(),
                        self.info.bands as usize,
                        b as usize,
                    )
                };
                let src = src.expect("band cached");
                let n = (hi - lo) as usize * width;
                let src_start = ((lo - row0) as usize * width) * spp + sample;
                let dst_start = (lo - window.row_off) as usize * width;
                copy_samples(
                    src,
                    self.info.dtype,
                    self.layout.format.enc.decoded,
                    src_start,
                    spp,
                    n,
                    p,
                    dst_start,
                    nodata[k],
                )
                .map_err(|m| Error::input(&self.path, m))?;
            }
        }
        Ok(())
    }

    /// Byte ranges of the blocks of block rows `rows` holding `bands`, except a block row
    /// already decoded in the cache.
    fn block_ranges(&self, rows: Range<u32>, bands: &[u16]) -> Vec<Range<u64>> {
        let info = &self.info;
        let (bw, bh) = info.block;
        let across = if self.layout.tiled {
            info.width.div_ceil(bw)
        } else {
            1
        };
        let per_plane = across * info.height.div_ceil(bh);
        let planes: Vec<u16> = if self.layout.planar {
            bands.to_vec()
        } else {
            vec![0]
        };
        let mut out = Vec::new();
        for br in rows {
            let cached = self.cache.as_ref().is_some_and(|c| {
                c.index == br && planes.iter().all(|&p| c.bands[p as usize].is_some())
            });
            if cached {
                continue;
            }
            for &plane in &planes {
                for tx in 0..across {
                    let i = (plane as u32 * per_plane + br * across + tx) as usize;
                    let (o, c) = (self.layout.offsets[i], self.layout.counts[i]);
                    if c > 0 {
                        out.push(o..o + c);
                    }
                }
            }
        }
        out
    }

    fn load_block_row(&mut self, br: u32, bands: &[u16]) -> Result<()> {
        let planes: Vec<u16> = if self.layout.planar {
            bands.to_vec()
        } else {
            vec![0]
        };
        let nplanes = if self.layout.planar {
            self.info.bands as usize
        } else {
            1
        };
        if let Some(c) = &self.cache {
            if c.index == br && planes.iter().all(|&p| c.bands[p as usize].is_some()) {
                return Ok(());
            }
        }
        let mut cache = match self.cache.take() {
            Some(c) if c.index == br => c,
            Some(old) => {
                self.spare.extend(old.bands.into_iter().flatten());
                BlockRow {
                    index: br,
                    bands: (0..nplanes).map(|_| None).collect(),
                }
            }
            None => BlockRow {
                index: br,
                bands: (0..nplanes).map(|_| None).collect(),
            },
        };
        for &plane in &planes {
            if cache.bands[plane as usize].is_none() {
                let mut buf = self.spare.pop().unwrap_or_default();
                self.decode_block_row(br, plane, &mut buf)?;
                cache.bands[plane as usize] = Some(buf);
            }
        }
        self.cache = Some(cache);
        Ok(())
    }

    /// Decode every tile of tile row `br` and copy the requested bands into `out` (windows that
    /// start at row `row_off`).
    fn scatter_tile_row(
        &mut self,
        br: u32,
        bands: &[u16],
        row_off: u32,
        nodata: &[Option<f64>],
        out: &mut [PackedBand],
    ) -> Result<()> {
        let info = &self.info;
        let (bw, bh) = info.block;
        let spp = if self.layout.planar {
            1
        } else {
            info.bands as usize
        };
        let width = info.width as usize;
        let rows = bh.min(info.height - br * bh) as usize;
        let across = info.width.div_ceil(bw);
        let planes: Vec<u16> = if self.layout.planar {
            bands.to_vec()
        } else {
            vec![0]
        };
        for plane in planes {
            for tx in 0..across {
                let (col0, dw) = self.read_tile(plane, br, tx)?;
                let (info, path) = (&self.info, &self.path);
                for (k, (&b, p)) in bands.iter().zip(out.iter_mut()).enumerate() {
                    if self.layout.planar && b != plane {
                        continue;
                    }
                    let s = if self.layout.planar { 0 } else { b as usize };
                    for r in 0..rows {
                        let dst = ((br * bh) as usize - row_off as usize + r) * width + col0;
                        copy_samples(
                            &self.tile,
                            info.dtype,
                            self.layout.format.enc.decoded,
                            r * bw as usize * spp + s,
                            spp,
                            dw,
                            p,
                            dst,
                            nodata[k],
                        )
                        .map_err(|m| Error::input(path, m))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Decode tile `tx` of tile row `br` of `plane` into `self.tile` (the whole tile, rows of
    /// the tile width). Returns the tile's first column and data width.
    fn read_tile(&mut self, plane: u16, br: u32, tx: u32) -> Result<(usize, usize)> {
        let info = &self.info;
        let (bw, bh) = info.block;
        let across = info.width.div_ceil(bw);
        let chunk = plane as u32 * across * info.height.div_ceil(bh) + br * across + tx;
        let col0 = tx as usize * bw as usize;
        let dw = (bw as usize).min(info.width as usize - col0);
        let f = &self.layout.format;
        let len = f.decoded_row_bytes(bw as usize) * bh as usize;
        self.tile.resize(len.div_ceil(8), 0);
        let tile = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut self.tile)[..len];
        let i = chunk as usize;
        f.decode(
            self.decoder.inner(),
            i,
            self.layout.offsets[i],
            self.layout.counts[i],
            bw as usize,
            bh as usize,
            tile,
            &mut self.scratch,
        )
        .map_err(|m| Error::input(&self.path, m))?;
        Ok((col0, dw))
    }

    /// Decode block row `br` of `plane` (0 for chunky files) into `dst`, full width.
    fn decode_block_row(&mut self, br: u32, plane: u16, dst: &mut Vec<u64>) -> Result<()> {
        let info = &self.info;
        let (bw, bh) = info.block;
        let width = info.width as usize;
        let rows = bh.min(info.height - br * bh) as usize;
        let across = if self.layout.tiled {
            info.width.div_ceil(bw)
        } else {
            1
        };
        let per_plane = across * info.height.div_ceil(bh);
        let f = &self.layout.format;
        let row_bytes = f.decoded_row_bytes(width);
        let n = rows * row_bytes;
        dst.resize(n.div_ceil(8), 0);
        let bytes = &mut bytemuck::cast_slice_mut::<u64, u8>(dst)[..n];
        if !self.layout.tiled {
            // A strip is a full-width block row: decode it in place.
            let i = (plane as u32 * per_plane + br) as usize;
            return f
                .decode(
                    self.decoder.inner(),
                    i,
                    self.layout.offsets[i],
                    self.layout.counts[i],
                    width,
                    rows,
                    bytes,
                    &mut self.scratch,
                )
                .map_err(|m| Error::input(&self.path, m));
        }
        let tile_stride = f.decoded_row_bytes(bw as usize);
        for tx in 0..across {
            let (col0, dw) = self.read_tile(plane, br, tx)?;
            let f = &self.layout.format;
            let (d0, data_row) = (f.decoded_row_bytes(col0), f.decoded_row_bytes(dw));
            let tile = bytemuck::cast_slice::<u64, u8>(&self.tile);
            for r in 0..rows {
                let d = r * row_bytes + d0;
                bytes[d..d + data_row]
                    .copy_from_slice(&tile[r * tile_stride..r * tile_stride + data_row]);
            }
        }
        Ok(())
    }
}
