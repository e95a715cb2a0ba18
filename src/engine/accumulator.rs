//! Where a climatology window's statistics accumulate: per-pixel Welford state on the GPU
//! (`shaders/climatology.wgsl`) or its CPU twin ([`crate::kernels::climatology`]), one input at a
//! time, then finalized into count, mean, std, min and max — the climatology's counterpart of
//! [`super::backend::Processor`]. Also the same over inputs already in memory.

use super::backend::Backend;
use super::gpu::runner::{GpuRunner, POISON_BITS};
use crate::error::Result;
use crate::kernels::abi::BandParams;
use crate::kernels::climatology::{self as stats, Acc, Stage, STATS};
use crate::kernels::samples::{DataType, NodataMatch, PackedBand};
use crate::kernels::vocab::{MAX_CONSTS, ROLE_SLOTS};
use crate::kernels::wgsl::climatology_kernel;

/// Accumulates the state of one window on the CPU or the GPU.
#[allow(clippy::large_enum_variant, reason = "one per run")]
pub enum Accumulator<'c> {
    Cpu(Vec<Acc>),
    Gpu(GpuRunner<'c>, std::sync::Arc<wgpu::ComputePipeline>),
}

impl<'c> Accumulator<'c> {
    pub fn new(
        backend: Backend<'c>,
        capacity: usize,
        out_nodata_bits: u32,
        k: [f32; 2],
    ) -> Result<Self> {
        match backend {
            Backend::Cpu => Ok(Accumulator::Cpu(Vec::with_capacity(capacity))),
            Backend::Gpu(ctx) => {
                let mut consts = [0.0; MAX_CONSTS];
                consts[0] = k[0];
                consts[1] = k[1];
                // The input region is sized for the widest packing (one word per pixel), so
                // inputs of any type can follow one another.
                let bp = BandParams::new(DataType::F32, NodataMatch::None, 1.0, 0.0);
                let (key, src) = climatology_kernel(Stage::Accumulate(DataType::F32));
                let runner = GpuRunner::with_kernel(
                    ctx,
                    &key,
                    &src,
                    STATS.len(),
                    &[consts],
                    &stats::input_bands(bp),
                    out_nodata_bits,
                    capacity,
                )?;
                // Only the count is ever initialised: poison the rest so that a kernel reading
                // state it has not written shows up in every run's results.
                runner.fill_outputs(POISON_BITS);
                let (fkey, fsrc) = climatology_kernel(Stage::Finalize);
                let finalize = ctx.pipeline(&fkey, &fsrc)?;
                Ok(Accumulator::Gpu(runner, finalize))
            }
        }
    }

    pub fn reset(&mut self, pixels: usize) {
        match self {
            Accumulator::Cpu(acc) => {
                acc.clear();
                acc.resize(pixels, Acc::default());
            }
            Accumulator::Gpu(r, _) => r.clear_output(stats::COUNT),
        }
    }

    /// Add one input: `words` packed as `bp.dtype`, starting at the window's first pixel.
    pub fn add(&mut self, bp: BandParams, words: &[u32], pixels: usize) -> Result<()> {
        match self {
            Accumulator::Cpu(acc) => {
                stats::accumulate_window(&mut acc[..pixels], &bp, words);
                Ok(())
            }
            Accumulator::Gpu(r, _) => {
                let dtype = DataType::from_shader_code(bp.dtype);
                let (key, src) = climatology_kernel(Stage::Accumulate(dtype));
                r.set_kernel(&key, &src)?;
                r.set_band(stats::INPUT_ROLE.slot(), bp)?;
                let mut data = [None; ROLE_SLOTS];
                data[stats::INPUT_ROLE.slot()] = Some(words);
                r.accumulate(&data, pixels)
            }
        }
    }

    pub fn finish(
        &mut self,
        pixels: usize,
        k: [f32; 2],
        nodata_bits: u32,
        outs: &mut [Vec<u32>],
    ) -> Result<()> {
        match self {
            Accumulator::Cpu(acc) => {
                stats::finalize_window(&acc[..pixels], k[0] as u32, k[1] as u32, nodata_bits, outs);
                Ok(())
            }
            Accumulator::Gpu(r, finalize) => {
                let finalize = finalize.clone();
                r.finish_with(&finalize, pixels, |j, words| {
                    outs[j][..pixels].copy_from_slice(words)
                })
            }
        }
    }
}

/// The climatology of in-memory inputs (tests, benchmarks): `inputs[f]` is input `f`'s band
/// with its decode parameters, all of `pixels` pixels. Runs in windows of at most `window`
/// pixels (default: one). Returns the five outputs as raw words in [`STATS`] order.
pub fn compute_in_memory(
    backend: Backend<'_>,
    inputs: &[(BandParams, &PackedBand)],
    pixels: usize,
    window: Option<usize>,
    min_count: u32,
    ddof: u32,
    nodata_bits: u32,
) -> Result<Vec<Vec<u32>>> {
    // A multiple of 4 pixels, so every window starts on a word of any packing.
    let win = window
        .unwrap_or(pixels)
        .clamp(1, pixels.max(1))
        .next_multiple_of(4);
    let k = [min_count as f32, ddof as f32];
    let mut acc = Accumulator::new(backend, win, nodata_bits, k)?;
    let mut out = vec![vec![0u32; pixels]; STATS.len()];
    let mut outs = vec![vec![0u32; win]; STATS.len()];
    let mut start = 0;
    while start < pixels {
        let n = win.min(pixels - start);
        acc.reset(n);
        for (bp, band) in inputs {
            acc.add(*bp, &band.words[start / band.dtype.pixels_per_word()..], n)?;
        }
        acc.finish(n, k, nodata_bits, &mut outs)?;
        for (o, w) in out.iter_mut().zip(&outs) {
            o[start..start + n].copy_from_slice(&w[..n]);
        }
        start += n;
    }
    Ok(out)
}
