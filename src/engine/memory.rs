//! The kernels over whole bands already in memory (tests, benchmarks, library callers); the
//! CLI streams files with [`super::run_index_job`].

use super::backend::{Backend, Processor};
use super::plan::window_capacity;
use crate::engine::gpu::runner::POISON_BITS;
use crate::error::Result;
use crate::kernels::abi::BandParams;
use crate::kernels::samples::DataType;
use crate::kernels::samples::{BandView, PackedBand};
use crate::kernels::{Consts, IndexRef, ROLE_SLOTS};

/// Pixels in the in-memory bands (all have the same length).
fn band_pixels(bands: &[Option<(BandParams, &PackedBand)>; ROLE_SLOTS]) -> usize {
    bands
        .iter()
        .flatten()
        .map(|(_, b)| b.pixels)
        .next()
        .unwrap_or(0)
}

/// Compute `indices` over whole in-memory bands, in windows of at most `window_pixels`.
/// `bands[slot]` gives each role's decode parameters and packed data (all the same length).
/// Used by tests and benchmarks; the CLI streams files with [`super::run_index_job`].
pub fn compute_in_memory(
    backend: Backend<'_>,
    indices: &[IndexRef],
    k: &[Consts],
    bands: &[Option<(BandParams, &PackedBand)>; ROLE_SLOTS],
    out_nodata_bits: u32,
    window_pixels: Option<usize>,
    poison: bool,
) -> Result<Vec<Vec<f32>>> {
    let pixels = band_pixels(bands);
    let poison_value = f32::from_bits(POISON_BITS);
    let mut out: Vec<Vec<f32>> = vec![vec![poison_value; pixels]; indices.len()];
    let mut slices: Vec<&mut [f32]> = out.iter_mut().map(|o| &mut o[..]).collect();
    compute_into(
        backend,
        indices,
        k,
        bands,
        out_nodata_bits,
        window_pixels,
        poison,
        &mut slices,
    )?;
    Ok(out)
}

/// [`compute_in_memory`] into caller-provided outputs (each at least as long as the bands).
#[allow(clippy::too_many_arguments)]
pub fn compute_into(
    backend: Backend<'_>,
    indices: &[IndexRef],
    k: &[Consts],
    bands: &[Option<(BandParams, &PackedBand)>; ROLE_SLOTS],
    out_nodata_bits: u32,
    window_pixels: Option<usize>,
    poison: bool,
    out: &mut [&mut [f32]],
) -> Result<()> {
    let views = bands.map(|b| b.map(|(p, band)| (p, band.view())));
    compute_views(
        backend,
        indices,
        k,
        &views,
        out_nodata_bits,
        window_pixels,
        poison,
        out,
    )
}

/// [`compute_into`] over borrowed packed words (e.g. a caller's own buffer of 16-bit samples
/// viewed as words: no copy).
#[allow(clippy::too_many_arguments)]
pub fn compute_views(
    backend: Backend<'_>,
    indices: &[IndexRef],
    k: &[Consts],
    bands: &[Option<(BandParams, BandView<'_>)>; ROLE_SLOTS],
    out_nodata_bits: u32,
    window_pixels: Option<usize>,
    poison: bool,
    out: &mut [&mut [f32]],
) -> Result<()> {
    let params: [Option<BandParams>; ROLE_SLOTS] =
        std::array::from_fn(|s| bands[s].map(|(p, _)| p));
    let pixels = view_pixels(bands);
    let dtypes: Vec<DataType> = bands.iter().flatten().map(|(_, b)| b.dtype).collect();
    let mut cap = window_capacity(backend, &dtypes, indices.len(), 256 << 20);
    if let Some(w) = window_pixels {
        cap = cap.min(w.max(4) / 4 * 4);
    }
    let cap = cap.min(pixels.next_multiple_of(4)).max(4);
    let mut proc = Processor::new(backend, indices, k, &params, out_nodata_bits, cap)?;
    if let Processor::Gpu(r) = &mut proc {
        r.poison = poison;
    }
    compute_views_with(&mut proc, bands, out)
}

/// Run an existing processor over whole in-memory bands, window after window (buffers and
/// pipeline reused: what a benchmark of steady-state throughput wants).
pub fn compute_with(
    proc: &mut Processor<'_>,
    bands: &[Option<(BandParams, &PackedBand)>; ROLE_SLOTS],
    out: &mut [&mut [f32]],
) -> Result<()> {
    let views = bands.map(|b| b.map(|(p, band)| (p, band.view())));
    compute_views_with(proc, &views, out)
}

/// [`compute_with`] over borrowed packed words.
pub fn compute_views_with(
    proc: &mut Processor<'_>,
    bands: &[Option<(BandParams, BandView<'_>)>; ROLE_SLOTS],
    out: &mut [&mut [f32]],
) -> Result<()> {
    let pixels = view_pixels(bands);
    let cap = proc.capacity();
    let mut start = 0;
    while start < pixels {
        let n = cap.min(pixels - start);
        let mut data: [Option<&[u32]>; ROLE_SLOTS] = [None; ROLE_SLOTS];
        for s in 0..ROLE_SLOTS {
            if let Some((_, b)) = &bands[s] {
                data[s] = Some(&b.words[start / b.dtype.pixels_per_word()..]);
            }
        }
        let mut win: Vec<&mut [f32]> = out.iter_mut().map(|o| &mut o[start..start + n]).collect();
        proc.run(&data, n, &mut win)?;
        start += n;
    }
    Ok(())
}

fn view_pixels(bands: &[Option<(BandParams, BandView<'_>)>; ROLE_SLOTS]) -> usize {
    bands
        .iter()
        .flatten()
        .map(|(_, b)| b.pixels)
        .next()
        .unwrap_or(0)
}
