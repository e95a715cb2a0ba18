//! Window planning: how many pixels a window may hold given the device's binding limit and the
//! host memory budget, how many rows that is for a raster, and building a processor with the
//! halving retry when the device cannot allocate a window that large.

use super::backend::Backend;
use super::gpu::runner::GpuRunner;
use crate::error::{Error, Result};
use crate::kernels::abi::{PARTIAL_WORDS, STATS_PX_PER_INVOCATION, WG_SIZE};
use crate::kernels::samples::DataType;

/// Largest window (in pixels, a multiple of 4) that fits the device's binding limit and the
/// host memory budget.
pub fn window_capacity(
    backend: Backend<'_>,
    dtypes: &[DataType],
    n_out: usize,
    mem_limit: usize,
) -> usize {
    let in_bpp = GpuRunner::input_bytes_per_pixel(dtypes);
    let host_bpp = in_bpp + 4.0 * n_out as f64;
    let mut cap = (mem_limit as f64 / host_bpp) as usize;
    if let Backend::Gpu(ctx) = backend {
        // Each band's region and each output's stride are rounded up to 256 bytes
        // (gpu::runner): leave room for that rounding in both bindings.
        let bind = ctx.max_binding_bytes();
        let bind_in = bind.saturating_sub(256 * (dtypes.len() as u64 + 1)) as f64;
        // Room for the statistics partials (`--stats`) after the outputs, one per workgroup
        // (plus one for the rounding up).
        let bind_out = bind
            .saturating_sub(256 * (n_out as u64 + 1))
            .saturating_sub(n_out as u64 * PARTIAL_WORDS as u64 * 4) as f64;
        let stats_bpp = (PARTIAL_WORDS * 4) as f64 / (WG_SIZE * STATS_PX_PER_INVOCATION) as f64;
        cap = cap
            .min((bind_in / in_bpp.max(1e-9)) as usize)
            .min((bind_out / ((4.0 + stats_bpp) * n_out as f64)) as usize);
    }
    (cap / 4 * 4).max(4)
}

/// Rows per window for a raster `width` × `height` stored in blocks `block_h` rows high, from a
/// window capacity of `cap` pixels: at least one row, whole blocks when a window spans several.
pub fn rows_for(cap: usize, width: u32, height: u32, block_h: u32) -> u32 {
    let mut rows = (cap / width as usize).max(1) as u32;
    if rows > block_h {
        rows -= rows % block_h;
    }
    rows.min(height)
}

/// [`rows_for`] for a stack read input by input (the climatology's statistics), whose inputs
/// are opened again for every window: when a block (a GeoTIFF tile, a NetCDF/Zarr chunk) spans
/// several windows, it is decoded once per window, so say so when that multiplies the reading
/// several times over. (The passes that hold every date of a window re-chunk the stack instead:
/// [`crate::engine::jobs::series_inputs`].)
pub fn stack_rows_for(cap: usize, width: u32, height: u32, block_h: u32) -> u32 {
    let rows = rows_for(cap, width, height, block_h);
    let spanned = block_h.min(height).div_ceil(rows);
    if spanned >= 4 {
        log::warn!(
            "the stack's blocks (tiles or chunks) are {} rows high but windows hold {rows} rows: every block is decoded ~{spanned} times; raise --mem-limit to cut that in proportion, or store the stack in smaller chunks",
            block_h.min(height)
        );
    }
    rows
}

/// Build with `make(capacity)` for windows of `*rows` rows of `width` pixels; while the device
/// cannot allocate (`Error::Device`), halve the rows and try again, down to one row.
pub fn with_retry<T>(
    rows: &mut u32,
    width: u32,
    mut make: impl FnMut(usize) -> Result<T>,
) -> Result<T> {
    loop {
        let capacity = (*rows as usize * width as usize).next_multiple_of(4);
        match make(capacity) {
            Ok(p) => return Ok(p),
            Err(Error::Device(m)) if *rows > 1 => {
                *rows = rows.div_ceil(2);
                log::warn!("{m}; retrying with windows of {rows} rows");
            }
            Err(e) => return Err(e),
        }
    }
}
