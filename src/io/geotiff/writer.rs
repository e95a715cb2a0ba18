//! Streaming GeoTIFF writer (float32 or uint32 samples).
//!
//! Rows arrive window by window. They leave as tiles (512×512 by default; one row of tiles is
//! held in memory: `512 × width × bands × 4` bytes, 21 MiB per band of a 10980-wide raster) or,
//! with `tile: 0`, as strips of about 256 KiB. Blocks are compressed in parallel (deflate by
//! default, zstd, LZW or none; [`super::encode`]) with the floating-point predictor for floats
//! and the horizontal one for integers. Bands are pixel-interleaved (PlanarConfiguration 1,
//! GDAL's `INTERLEAVE=PIXEL`). The file is written under a temporary name in the target folder and
//! renamed only by [`GeoTiffWriter::finish`]; dropping an unfinished writer (any error path)
//! removes the temporary file, so no half-written output is ever left under the final name.
//! The file is not fsync'ed (as GDAL does not): the guarantee covers failures of the process,
//! not of the machine.
//!
//! With a [`Pyramid`], overviews are computed in the same pass ([`super::overviews`]) and
//! spilled to temporary files beside the output: internal overviews are appended after the
//! image, and a Cloud-Optimized GeoTIFF is assembled at the end with every directory first and
//! the full-resolution tiles (spilled too) last ([`super::layout`]).
//!
//! Tags written: the baseline image tags, SampleFormat 3 (IEEE float), the input's
//! ModelPixelScale / ModelTiepoint / ModelTransformation, the whole GeoKeyDirectory with
//! GeoDoubleParams and GeoAsciiParams, GDAL_NODATA (42113), and GDAL_METADATA (42112) with band
//! descriptions and provenance. BigTIFF is used when the data would not fit classic TIFF's
//! 32-bit offsets.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::autolevel::AutoLevel;
use super::encode::{
    block_bytes, compress, cut_tile, encode_tile_row, predictor, Compression, Rows, DEFLATE_AUTO,
};
use super::layout;
use super::overviews::{LevelSpec, Overviews};
use super::pyramid::{level_sizes, Pyramid, PyramidKind, Samples};
use super::quantize::Quantize;
use crate::error::{Error, Result};
use crate::io::files::{check_output_path, temp_path};
use crate::io::geo::GeoInfo;

/// What goes into the output besides pixels.
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// Output nodata value (written as GDAL_NODATA); NaN by default.
    pub nodata: f64,
    /// One description per band (GDAL band description), e.g. the index names.
    pub descriptions: Vec<String>,
    /// One unit per band in GDAL's unit-type words (`K`, `degC`, `1`), empty for none.
    pub units: Vec<String>,
    /// Dataset-level metadata items (name, value) written to GDAL_METADATA.
    pub metadata: Vec<(String, String)>,
    /// Replace an existing file.
    pub overwrite: bool,
    /// Sample type of every band.
    pub sample: SampleKind,
    /// Block compression.
    pub compression: Compression,
    /// Tile size in pixels (a multiple of 16); 0 writes strips.
    pub tile: u32,
    /// Force BigTIFF on or off; `None` chooses it when the data could exceed 4 GiB.
    pub bigtiff: Option<bool>,
    /// Overviews (internal or COG) and their resampling; tiled outputs only.
    pub pyramid: Pyramid,
    /// Store the float32 values as scaled int16 ([`super::quantize`]); `F32` writers only.
    pub quantize: Option<std::sync::Arc<Quantize>>,
}

/// The 32-bit sample types the writer produces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SampleKind {
    /// IEEE float (SampleFormat 3): index values, statistics.
    #[default]
    F32,
    /// Unsigned integer (SampleFormat 1): counts. Written without GDAL_NODATA: every value,
    /// 0 included, is meaningful.
    U32,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            nodata: f64::NAN,
            descriptions: Vec::new(),
            units: Vec::new(),
            metadata: Vec::new(),
            overwrite: false,
            sample: SampleKind::F32,
            compression: Compression::default(),
            tile: 512,
            bigtiff: None,
            pyramid: Pyramid::default(),
            quantize: None,
        }
    }
}

pub struct GeoTiffWriter {
    final_path: PathBuf,
    tmp_path: PathBuf,
    /// Where the full-resolution blocks go: `tmp_path`, or for a COG a spill file.
    data_path: PathBuf,
    /// Blocks framed by size and trailer (COG).
    framed: bool,
    overviews: Option<Overviews>,
    /// The level of a plain `deflate` picked from the data (tiled outputs; strips take
    /// [`super::autolevel::FALLBACK`]).
    auto: Option<AutoLevel>,
    file: Option<BufWriter<File>>,
    width: u32,
    height: u32,
    bands: usize,
    /// Block width and height: the tile size, or (width, rows per strip).
    block_w: u32,
    block_h: u32,
    tiled: bool,
    predictor: u16,
    /// Up to `block_h` full rows, pixel-interleaved.
    pending: Vec<u32>,
    pending_rows: u32,
    rows_done: u32,
    block_offsets: Vec<u64>,
    block_counts: Vec<u64>,
    pos: u64,
    bigtiff: bool,
    geo: GeoInfo,
    opts: WriterOptions,
}

mod assemble;

const TARGET_STRIP_BYTES: usize = 256 << 10;

impl GeoTiffWriter {
    pub fn create(
        path: &Path,
        width: u32,
        height: u32,
        bands: usize,
        geo: &GeoInfo,
        opts: WriterOptions,
    ) -> Result<Self> {
        check_output_path(path, opts.overwrite)?;
        if bands == 0 || bands > u16::MAX as usize {
            return Err(Error::Internal(format!("cannot write {bands} bands")));
        }
        let tmp_path = temp_path(path);
        let cog = opts.pyramid.kind == PyramidKind::Cog;
        let data_path = if cog {
            let mut p = tmp_path.as_os_str().to_owned();
            p.push(".L0");
            PathBuf::from(p)
        } else {
            tmp_path.clone()
        };
        let row_bytes = width as usize * bands * 4;
        let tiled = opts.tile > 0;
        if !tiled && opts.pyramid.kind != PyramidKind::None {
            return Err(Error::Usage(
                "overviews and COG outputs need tiles; give --tile-size (e.g. 512), not 0".into(),
            ));
        }
        if tiled && !opts.tile.is_multiple_of(16) {
            return Err(Error::Usage(format!(
                "tile size {} is not a multiple of 16 (TIFF requires it)",
                opts.tile
            )));
        }
        let (block_w, block_h) = if tiled {
            (opts.tile, opts.tile)
        } else {
            let rows = (TARGET_STRIP_BYTES / row_bytes.max(1)).clamp(1, height as usize) as u32;
            (width, rows)
        };
        // Uncompressed size with tile padding, plus room for incompressible blocks.
        let padded = if tiled {
            width.div_ceil(block_w) as u64
                * block_w as u64
                * height.div_ceil(block_h) as u64
                * block_h as u64
        } else {
            width as u64 * height as u64
        };
        let sizes = level_sizes(opts.pyramid.kind, width, height, opts.tile);
        let padded = padded
            + sizes
                .iter()
                .map(|&(w, h)| {
                    let t = opts.tile as u64;
                    w.div_ceil(opts.tile) as u64 * h.div_ceil(opts.tile) as u64 * t * t
                })
                .sum::<u64>();
        let data_bytes = padded * bands as u64 * 4;
        let bigtiff = opts
            .bigtiff
            .unwrap_or(data_bytes + data_bytes / 64 > (u32::MAX as u64) - (64 << 20));
        if opts.quantize.is_some() && opts.sample != SampleKind::F32 {
            return Err(Error::Internal(
                "int16 storage of a non-float writer".into(),
            ));
        }
        let float = opts.sample == SampleKind::F32 && opts.quantize.is_none();
        let predictor = predictor(opts.compression, float);
        let file = File::create(&data_path)
            .map_err(|e| Error::output(path, format!("cannot create temporary file: {e}")))?;
        crate::io::files::register_temp(&data_path);
        let overviews = if sizes.is_empty() {
            None
        } else {
            let samples = match opts.sample {
                SampleKind::F32 => Samples::F32 {
                    nodata: opts.nodata as f32,
                },
                SampleKind::U32 => Samples::U32,
            };
            let spec = LevelSpec {
                full: (width, height),
                sizes: &sizes,
                bands,
                samples,
                resampling: opts.pyramid.resampling,
                tile: opts.tile,
                compression: opts.compression,
                predictor,
                quantize: opts.quantize.as_deref().cloned(),
                framed: cog,
            };
            Some(Overviews::create(spec, &tmp_path, path)?)
        };
        let mut w = GeoTiffWriter {
            final_path: path.to_path_buf(),
            tmp_path,
            data_path,
            framed: cog,
            overviews,
            auto: (tiled && opts.compression == Compression::Deflate(DEFLATE_AUTO))
                .then(AutoLevel::default),
            // Smaller than a strip, so strips bypass the buffer (no extra copy); the small
            // header and directory writes still go through it.
            file: Some(BufWriter::with_capacity(64 << 10, file)),
            width,
            height,
            bands,
            block_w,
            block_h,
            tiled,
            predictor,
            pending: Vec::with_capacity(block_h as usize * width as usize * bands),
            pending_rows: 0,
            rows_done: 0,
            block_offsets: Vec::new(),
            block_counts: Vec::new(),
            pos: 0,
            bigtiff,
            geo: geo.clone(),
            opts,
        };
        if !cog {
            // A COG's header is written with its directories, when the file is assembled.
            w.write_bytes(&layout::header(bigtiff, 0))?;
        }
        Ok(w)
    }

    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    fn io_err(&self, e: std::io::Error) -> Error {
        Error::output(&self.final_path, format!("write failed: {e}"))
    }

    fn write_bytes(&mut self, b: &[u8]) -> Result<()> {
        let f = self
            .file
            .as_mut()
            .ok_or_else(|| Error::Internal("writer already finished".into()))?;
        let r = f.write_all(b);
        r.map_err(|e| self.io_err(e))?;
        self.pos += b.len() as u64;
        Ok(())
    }

    /// Append `rows` full rows of a float writer. `bands[b]` holds `rows × width` values of
    /// band `b`.
    pub fn write_rows(&mut self, bands: &[&[f32]], rows: u32) -> Result<()> {
        if self.opts.sample != SampleKind::F32 {
            return Err(Error::Internal("write_rows on an integer writer".into()));
        }
        let words: Vec<&[u32]> = bands.iter().map(|b| bytemuck::cast_slice(b)).collect();
        self.write_words(&words, rows)
    }

    /// Append `rows` full rows of a [`SampleKind::U32`] writer.
    pub fn write_rows_u32(&mut self, bands: &[&[u32]], rows: u32) -> Result<()> {
        if self.opts.sample != SampleKind::U32 {
            return Err(Error::Internal("write_rows_u32 on a float writer".into()));
        }
        self.write_words(bands, rows)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Rows received so far.
    pub fn rows_done(&self) -> u32 {
        self.rows_done + self.pending_rows
    }

    /// Append `rows` full rows of raw 32-bit words, whatever the sample kind.
    pub(crate) fn write_words(&mut self, bands: &[&[u32]], rows: u32) -> Result<()> {
        let width = self.width as usize;
        if bands.len() != self.bands
            || bands.iter().any(|b| b.len() < rows as usize * width)
            || self.rows_done + self.pending_rows + rows > self.height
        {
            return Err(Error::Internal(
                "write_rows called with the wrong shape".into(),
            ));
        }
        let mut r = 0;
        while r < rows {
            let take = (self.block_h - self.pending_rows).min(rows - r);
            let raw_strips = !self.tiled
                && self.opts.compression == Compression::None
                && self.opts.quantize.is_none();
            if raw_strips && self.bands == 1 && self.pending_rows == 0 && take == self.block_h {
                // A whole uncompressed single-band strip: write it straight from the caller's
                // rows.
                let strip = &bands[0][r as usize * width..(r + take) as usize * width];
                self.block_offsets.push(self.pos);
                self.block_counts.push(strip.len() as u64 * 4);
                self.write_bytes(bytemuck::cast_slice(strip))?;
                self.rows_done += take;
                r += take;
                continue;
            }
            let start = r as usize * width;
            let end = (r + take) as usize * width;
            if self.bands == 1 {
                self.pending.extend_from_slice(&bands[0][start..end]);
            } else {
                for p in start..end {
                    self.pending.extend(bands.iter().map(|b| b[p]));
                }
            }
            self.pending_rows += take;
            r += take;
            if self.pending_rows == self.block_h {
                self.flush_blocks()?;
            }
        }
        Ok(())
    }

    /// Encode and write the pending rows: one strip, or one row of tiles (compressed in
    /// parallel).
    fn flush_blocks(&mut self) -> Result<()> {
        if self.pending_rows == 0 {
            return Ok(());
        }
        let n = self.bands;
        let width = self.width as usize;
        let rows = self.pending_rows as usize;
        let (c, pred) = (self.opts.compression, self.predictor);
        let q = self.opts.quantize.as_deref();
        let mut pending = std::mem::take(&mut self.pending);
        let encoded: Vec<Result<Vec<u8>>> = if !self.tiled {
            let words = &pending[..rows * width * n];
            let rows = Rows::of(width * n, pred, q.is_some());
            vec![compress(block_bytes(words, width * n, n, pred, q), c, rows)]
        } else {
            // Tiles are always full size; the part outside the image is zero.
            let bw = self.block_w as usize;
            let src = &pending[..rows * width * n];
            let c = match self.auto.as_mut() {
                Some(a) => {
                    let mid = width.div_ceil(bw) / 2;
                    let row = self.rows_done / self.block_h;
                    let layout = Rows::of(bw * n, pred, q.is_some());
                    a.observe(row, layout, || {
                        // A copy of the quantiser: the sample must not count misfits twice.
                        let q = q.cloned();
                        let tile = cut_tile(src, width, rows, n, bw, mid);
                        block_bytes(&tile, bw * n, n, pred, q.as_ref())
                    })?;
                    if let Some(ov) = self.overviews.as_mut() {
                        ov.set_compression(Compression::Deflate(a.level()));
                    }
                    Compression::Deflate(a.level())
                }
                None => c,
            };
            encode_tile_row(src, width, rows, n, bw, c, pred, q)
        };
        for block in encoded {
            let bytes = block?;
            if self.framed {
                self.write_bytes(&(bytes.len() as u32).to_le_bytes())?;
            }
            self.block_offsets.push(self.pos);
            self.block_counts.push(bytes.len() as u64);
            self.write_bytes(&bytes)?;
            if self.framed {
                let tail = &bytes[bytes.len().saturating_sub(4)..];
                let mut last = [0u8; 4];
                last[..tail.len()].copy_from_slice(tail);
                self.write_bytes(&last)?;
            }
        }
        if let Some(ov) = self.overviews.as_mut() {
            ov.push_rows(&pending[..rows * width * n], self.width, rows as u32)?;
        }
        pending.clear();
        self.pending = pending;
        self.rows_done += self.pending_rows;
        self.pending_rows = 0;
        Ok(())
    }

    /// Write the directories (and the overviews), flush, and move the file to its final name.
    pub fn finish(mut self) -> Result<PathBuf> {
        self.flush_blocks()?;
        if self.rows_done != self.height {
            return Err(Error::Internal(format!(
                "finish after {} of {} rows",
                self.rows_done, self.height
            )));
        }
        if let Some(ov) = self.overviews.as_mut() {
            ov.finish()?;
        }
        if let Some(a) = &self.auto {
            log::info!("{}: {}", self.final_path.display(), a.describe());
        }
        if let Some(q) = self
            .opts
            .quantize
            .as_deref()
            .filter(|q| q.out_of_range() > 0)
        {
            log::warn!(
                "{}: {} valid values outside {}..{} (int16 at scale {}, offset {}) written as nodata {}: give a larger --output-scale",
                self.final_path.display(),
                q.out_of_range(),
                q.range().0,
                q.range().1,
                q.scale,
                q.offset,
                q.nodata
            );
        }
        let written = if self.framed {
            self.assemble_cog()
        } else {
            self.write_directories()
        };
        written.map_err(|e| self.io_err(e))?;
        fs::rename(&self.tmp_path, &self.final_path)
            .map_err(|e| Error::output(&self.final_path, format!("cannot move into place: {e}")))?;
        crate::io::files::unregister_temp(&self.tmp_path);
        // A GDAL sidecar (statistics, histograms) describes the file we just replaced.
        let mut aux = self.final_path.clone().into_os_string();
        aux.push(".aux.xml");
        let _ = fs::remove_file(aux);
        Ok(self.final_path.clone())
    }
}

impl Drop for GeoTiffWriter {
    fn drop(&mut self) {
        self.file.take();
        for p in [&self.tmp_path, &self.data_path] {
            if p.exists() {
                let _ = fs::remove_file(p);
            }
            crate::io::files::unregister_temp(p);
        }
    }
}
