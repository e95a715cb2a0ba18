//! The overview levels of a GeoTIFF being written: each level reduces the rows of the level
//! above as they arrive ([`super::pyramid`]), cuts them into tiles and spills the encoded tiles
//! to a temporary file next to the output, to be assembled when the image is complete
//! ([`super::layout`]). At most one row of tiles per level is held in memory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::encode::{encode_tile_row, Compression};
use super::pyramid::{Reducer, Resampling, Samples};
use super::quantize::Quantize;
use crate::error::{Error, Result};

/// Encoded blocks appended to a file: where each one starts and how long it is. With `framed`
/// (COG), each block is preceded by its size (uint32) and followed by its last 4 bytes again,
/// GDAL's BLOCK_LEADER=SIZE_AS_UINT4 and BLOCK_TRAILER=LAST_4_BYTES_REPEATED; the offsets point
/// at the block itself.
pub(super) struct Spill {
    pub(super) path: PathBuf,
    file: Option<BufWriter<File>>,
    pub(super) pos: u64,
    pub(super) offsets: Vec<u64>,
    pub(super) counts: Vec<u64>,
    framed: bool,
}

impl Spill {
    pub(super) fn create(path: PathBuf, framed: bool, output: &Path) -> Result<Self> {
        let file = File::create(&path)
            .map_err(|e| Error::output(output, format!("cannot create temporary file: {e}")))?;
        crate::io::files::register_temp(&path);
        Ok(Spill {
            path,
            file: Some(BufWriter::with_capacity(256 << 10, file)),
            pos: 0,
            offsets: Vec::new(),
            counts: Vec::new(),
            framed,
        })
    }

    pub(super) fn push(&mut self, block: &[u8]) -> std::io::Result<()> {
        let f = self.file.as_mut().ok_or(std::io::ErrorKind::NotConnected)?;
        if self.framed {
            f.write_all(&(block.len() as u32).to_le_bytes())?;
            self.pos += 4;
        }
        f.write_all(block)?;
        self.offsets.push(self.pos);
        self.counts.push(block.len() as u64);
        self.pos += block.len() as u64;
        if self.framed {
            let mut last = [0u8; 4];
            let tail = &block[block.len().saturating_sub(4)..];
            last[..tail.len()].copy_from_slice(tail);
            f.write_all(&last)?;
            self.pos += 4;
        }
        Ok(())
    }

    /// Flush and close; the file stays for assembly.
    pub(super) fn close(&mut self) -> std::io::Result<()> {
        match self.file.take() {
            Some(mut f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.file.take();
        let _ = std::fs::remove_file(&self.path);
        crate::io::files::unregister_temp(&self.path);
    }
}

/// One overview level.
pub(super) struct Level {
    pub(super) width: u32,
    pub(super) height: u32,
    reducer: Reducer,
    pending: Vec<u32>,
    pending_rows: u32,
    pub(super) spill: Spill,
}

/// Every overview level, fed with the rows of the full-resolution image.
pub(super) struct Overviews {
    pub(super) levels: Vec<Level>,
    bands: usize,
    tile: u32,
    compression: Compression,
    predictor: u16,
    /// Stored as int16 (its own misfit count: the full resolution's is the one reported).
    quantize: Option<Quantize>,
    output: PathBuf,
}

/// What the levels are made of.
pub(super) struct LevelSpec<'a> {
    pub(super) full: (u32, u32),
    pub(super) sizes: &'a [(u32, u32)],
    pub(super) bands: usize,
    pub(super) samples: Samples,
    pub(super) resampling: Resampling,
    pub(super) tile: u32,
    pub(super) compression: Compression,
    pub(super) predictor: u16,
    pub(super) quantize: Option<Quantize>,
    pub(super) framed: bool,
}

impl Overviews {
    /// The levels of `spec`, spilling to `<tmp>.L<k>` beside the output temporary file `tmp`.
    pub(super) fn create(spec: LevelSpec, tmp: &Path, output: &Path) -> Result<Self> {
        let mut levels = Vec::new();
        let mut above = spec.full;
        for (k, &(w, h)) in spec.sizes.iter().enumerate() {
            let mut p = tmp.as_os_str().to_owned();
            p.push(format!(".L{}", k + 1));
            levels.push(Level {
                width: w,
                height: h,
                reducer: Reducer::new(above, (w, h), spec.bands, spec.samples, spec.resampling),
                pending: Vec::new(),
                pending_rows: 0,
                spill: Spill::create(PathBuf::from(p), spec.framed, output)?,
            });
            above = (w, h);
        }
        Ok(Overviews {
            levels,
            bands: spec.bands,
            tile: spec.tile,
            compression: spec.compression,
            predictor: spec.predictor,
            quantize: spec.quantize,
            output: output.to_path_buf(),
        })
    }

    /// Compress the tiles written from now on with `c`.
    pub(super) fn set_compression(&mut self, c: Compression) {
        self.compression = c;
    }

    /// Feed `rows` full-resolution rows (`width × bands` words each).
    pub(super) fn push_rows(&mut self, words: &[u32], width: u32, rows: u32) -> Result<()> {
        let n = width as usize * self.bands;
        let mut owned: Vec<Vec<u32>>;
        let mut carry: Vec<&[u32]> = words.chunks(n).take(rows as usize).collect();
        for k in 0..self.levels.len() {
            let next = self.level_rows(k, &carry)?;
            if next.is_empty() {
                break;
            }
            owned = next;
            carry = owned.iter().map(|r| &r[..]).collect();
        }
        Ok(())
    }

    /// Reduce rows of level `k − 1` (the full resolution for k = 0) into level `k`, writing
    /// its full tile rows; returns the rows of level `k` completed.
    fn level_rows(&mut self, k: usize, carry: &[&[u32]]) -> Result<Vec<Vec<u32>>> {
        let mut next = Vec::new();
        let reducer = &self.levels[k].reducer;
        // The horizontal half of averaging, in parallel over rows; then the rows in order.
        let reduced: Vec<Option<_>> = if reducer.averages() {
            carry
                .par_iter()
                .map(|r| Some(reducer.reduce_row(r)))
                .collect()
        } else {
            carry.iter().map(|_| None).collect()
        };
        for (row, h) in carry.iter().zip(reduced) {
            if let Some(out) = self.levels[k].reducer.push_with(row, h) {
                next.push(out);
            }
        }
        for row in &next {
            let level = &mut self.levels[k];
            level.pending.extend_from_slice(row);
            level.pending_rows += 1;
            if level.pending_rows == self.tile {
                self.flush(k)?;
            }
        }
        Ok(next)
    }

    fn flush(&mut self, k: usize) -> Result<()> {
        let (tile, c, pred, nb) = (self.tile, self.compression, self.predictor, self.bands);
        let level = &mut self.levels[k];
        if level.pending_rows == 0 {
            return Ok(());
        }
        let encoded = encode_tile_row(
            &level.pending,
            level.width as usize,
            level.pending_rows as usize,
            nb,
            tile as usize,
            c,
            pred,
            self.quantize.as_ref(),
        );
        for block in encoded {
            let bytes = block?;
            if let Err(e) = level.spill.push(&bytes) {
                return Err(Error::output(&self.output, format!("write failed: {e}")));
            }
        }
        level.pending.clear();
        level.pending_rows = 0;
        Ok(())
    }

    /// Write the last partial tile rows and close the spills; every level must be complete.
    pub(super) fn finish(&mut self) -> Result<()> {
        for k in 0..self.levels.len() {
            self.flush(k)?;
            let level = &mut self.levels[k];
            if level.reducer.rows_out() != level.height {
                return Err(Error::Internal(format!(
                    "overview {} has {} of {} rows",
                    k + 1,
                    level.reducer.rows_out(),
                    level.height
                )));
            }
            if let Err(e) = level.spill.close() {
                return Err(Error::output(&self.output, format!("write failed: {e}")));
            }
        }
        Ok(())
    }
}
