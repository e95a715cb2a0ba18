//! The spill file: a stack re-chunked window-major, so that a series pass whose windows are
//! thinner than the stack's blocks decodes every block once instead of once per window.
//!
//! A series pass needs all T dates of a window at once, so its windows are `--mem-limit` / ~8T
//! bytes — 17 rows of a 2000-wide, 240-month stack — while the inputs' blocks (GeoTIFF tiles,
//! NetCDF/Zarr chunks) are often hundreds or thousands of rows high: read directly, every block is
//! decoded once per window it spans (118 times for a NetCDF with one 2000 × 2000 chunk per
//! month). The spill pass reads every input once, in pieces of whole blocks sized to
//! `--mem-limit` (~T/3 times taller than a window), and writes each window's part of it as f32
//! values (nodata already mapped to [`INVALID_BITS`]) where that window's series buffer
//! expects it: window `w` is one contiguous region `4·T·pixels(w)` bytes long, input `k` at
//! `4·k·pixels(w)` in it. The pass then reads each window's series with one read.
//!
//! Disk: `4·T·width·height` bytes (3.8 GB for 240 months of 2000 × 2000), checked against the
//! free space before the pass starts. The file is created under a hidden name and unlinked at
//! once on Unix, so it never outlives the process, even when killed; elsewhere it is removed
//! when the pass ends. Memory: the readers hold one piece each, `PIECE_BYTES_PER_PX` per pixel
//! of a piece, all within `--mem-limit`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::series::{check_dtype, to_series};
use super::series_inputs::human;
use super::stack::InputParams;
use crate::engine::control::Control;
use crate::engine::plan::rows_for;
use crate::error::{Error, Result};
use crate::io::raster::{row_windows, Window};
use crate::kernels::samples::{DataType, PackedBand};

/// Host bytes per pixel of a piece while it is spilled: the packed samples (≤ 8 B), the f32
/// values (4 B), and the decoder's own copy of the piece (a CF store decodes to f64: 8 B) with
/// room for rounding.
pub const PIECE_BYTES_PER_PX: usize = 24;

/// Names spill files uniquely within the process.
static SERIAL: AtomicUsize = AtomicUsize::new(0);

/// A stack re-chunked window-major (module docs).
pub struct SpillFile {
    file: File,
    /// Where the file is while it still has a name (not on Unix, where it is unlinked at once).
    named: Option<PathBuf>,
    /// Each window's region, in bytes from the start.
    offsets: Vec<u64>,
    t_len: usize,
    dir: PathBuf,
}

impl Drop for SpillFile {
    fn drop(&mut self) {
        if let Some(p) = &self.named {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The spill file's size for `t_len` inputs over `windows`.
pub fn spill_bytes(t_len: usize, windows: &[Window]) -> u64 {
    windows
        .iter()
        .map(|w| 4 * (t_len * w.pixels()) as u64)
        .sum()
}

/// Bytes free for an unprivileged writer in `dir`, where the platform says.
#[cfg(unix)]
pub fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid NUL-terminated path and `s` a properly sized out-parameter.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::statvfs(c.as_ptr(), &mut s) } == 0;
    ok.then(|| s.f_bavail as u64 * s.f_frsize as u64)
}

#[cfg(not(unix))]
pub fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

#[cfg(unix)]
fn write_at(f: &File, buf: &[u8], off: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, buf, off)
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, off)
}

#[cfg(windows)]
fn write_at(f: &File, mut buf: &[u8], mut off: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(f, buf, off)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => (buf, off) = (&buf[n..], off + n as u64),
        }
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(f: &File, mut buf: &mut [u8], mut off: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(f, buf, off)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => (buf, off) = (&mut buf[n..], off + n as u64),
        }
    }
    Ok(())
}

impl SpillFile {
    /// Spill `inputs` (band `bands.0` of each, `bands.1` of the last when given; 0-based) for
    /// `windows` of a `width` × `height` grid stored in blocks `block_h` rows high, into a new
    /// file in `dir`, with readers holding at most `mem_limit` bytes together. Progress counts
    /// inputs; `ctl` can stop it between pieces.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        inputs: &[(PathBuf, InputParams)],
        bands: (u16, Option<u16>),
        windows: &[Window],
        (width, height, block_h): (u32, u32, u32),
        dir: &Path,
        mem_limit: usize,
        ctl: &Control,
    ) -> Result<SpillFile> {
        let t_len = inputs.len();
        let mut offsets = Vec::with_capacity(windows.len());
        let mut total = 0u64;
        for w in windows {
            offsets.push(total);
            total += 4 * (t_len * w.pixels()) as u64;
        }
        let (file, named) = create(dir)?;
        let spill = SpillFile {
            file,
            named,
            offsets,
            t_len,
            dir: dir.to_path_buf(),
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let row_bytes = width as usize * PIECE_BYTES_PER_PX;
        let max_workers = cores.min(t_len).max(1);
        let piece = rows_for(
            mem_limit / max_workers / PIECE_BYTES_PER_PX,
            width,
            height,
            block_h,
        );
        let workers = (mem_limit / (piece as usize * row_bytes).max(1)).clamp(1, max_workers);
        let pieces: Vec<Window> = row_windows(width, height, piece).collect();
        log::info!(
            "spill: {t_len} input(s) re-chunked into {} window(s), {} in {}, {workers} reader(s) of {piece}-row pieces",
            windows.len(),
            human(total),
            dir.display()
        );
        let failed = AtomicBool::new(false);
        let write_err = |e: std::io::Error| {
            Error::output(
                dir,
                format!(
                    "cannot write the stack's spill file ({}): {e}; pass --spill-dir DIR on a disk with room, or --no-spill",
                    human(total)
                ),
            )
        };
        ctl.progress.start(t_len as u64, "re-chunking the stack");
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|i| {
                    let (spill, failed, pieces, write_err) = (&spill, &failed, &pieces, &write_err);
                    s.spawn(move || -> Result<()> {
                        let mut buf = PackedBand::new(DataType::F32);
                        let mut vals = Vec::new();
                        for k in (i..t_len).step_by(workers) {
                            if failed.load(Ordering::Relaxed) {
                                return Ok(());
                            }
                            let (path, (bp, nd)) = &inputs[k];
                            let band = match bands.1 {
                                Some(b) if k + 1 == t_len => b,
                                _ => bands.0,
                            };
                            let mut r = crate::io::open(path)?;
                            check_dtype(r.as_ref(), path, bp)?;
                            for &pw in pieces {
                                ctl.cancel.check()?;
                                r.read_window(pw, &[band], &[*nd], std::slice::from_mut(&mut buf))?;
                                vals.resize(pw.pixels(), 0u32);
                                to_series(bp, &buf, &mut vals);
                                spill.put(k, pw, &vals, windows).map_err(write_err)?;
                            }
                            ctl.progress.advance(1);
                        }
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    let r = h
                        .join()
                        .unwrap_or_else(|_| Err(Error::Internal("a spill reader panicked".into())));
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    r
                })
                .collect()
        });
        ctl.progress.finish();
        // An interruption in one reader is the cause; another reader's error wins over it.
        let mut first = Ok(());
        for r in results {
            match (&first, r) {
                (Ok(()), Err(e)) => first = Err(e),
                (Err(Error::Interrupted), Err(e)) => first = Err(e),
                _ => {}
            }
        }
        first.map(|()| spill)
    }

    /// Write input `k`'s values `vals` over piece `pw` into each window it meets.
    fn put(&self, k: usize, pw: Window, vals: &[u32], windows: &[Window]) -> std::io::Result<()> {
        let width = pw.width as usize;
        let (p0, p1) = (pw.row_off, pw.row_off + pw.height);
        for (w, &base) in windows.iter().zip(&self.offsets) {
            let (r0, r1) = (p0.max(w.row_off), p1.min(w.row_off + w.height));
            if r0 >= r1 {
                continue;
            }
            let src = &vals[(r0 - p0) as usize * width..(r1 - p0) as usize * width];
            let at = k * w.pixels() + (r0 - w.row_off) as usize * width;
            write_at(&self.file, bytemuck::cast_slice(src), base + 4 * at as u64)?;
        }
        Ok(())
    }

    /// Read window `step`'s values (`T × pixels`) into `values`.
    pub fn read(&self, step: usize, values: &mut [u32]) -> Result<()> {
        let Some(&off) = self.offsets.get(step) else {
            return Err(Error::Internal("spill: no such window".into()));
        };
        if values.len() % self.t_len.max(1) != 0 {
            return Err(Error::Internal("spill: series buffer size".into()));
        }
        read_at(&self.file, bytemuck::cast_slice_mut(values), off)
            .map_err(|e| Error::output(&self.dir, format!("reading the stack's spill file: {e}")))
    }
}

/// A new spill file in `dir`: the open file, and its path while it still has one.
fn create(dir: &Path) -> Result<(File, Option<PathBuf>)> {
    let name = format!(
        ".climidx-spill-{}-{}.f32",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    );
    let path = dir.join(name);
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            Error::output(
                &path,
                format!("cannot create the stack's spill file: {e}; pass --spill-dir DIR on a writable disk, or --no-spill"),
            )
        })?;
    // Unlinked at once where an open file can lose its name: nothing is left behind, whatever
    // ends the process.
    if cfg!(unix) && std::fs::remove_file(&path).is_ok() {
        return Ok((file, None));
    }
    Ok((file, Some(path)))
}
