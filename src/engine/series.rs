//! Where a window's series reducer runs: the GPU ([`super::gpu::series::SeriesRunner`],
//! `shaders/series.wgsl`) or its CPU twin ([`crate::kernels::series::reduce_window`]) — the
//! series counterpart of [`super::backend::Processor`]. Also the same over series already in
//! memory (tests, benchmarks).

use super::backend::Backend;
use super::gpu::series::SeriesRunner;
use crate::error::Result;
use crate::kernels::series::{loop_iterations, reduce_window, Reducer};

/// The backend `reducer` over `t_len` inputs runs on: `backend`, unless its adapter would end
/// the kernel's loops early (lavapipe/llvmpipe, [`crate::engine::gpu::adapter::AdapterSummary::loop_limit`]),
/// where the CPU twin runs instead, with a warning. Never a result cut short.
pub fn fit_backend<'c>(backend: Backend<'c>, reducer: &Reducer, t_len: usize) -> Backend<'c> {
    backend.within_loop_limit(
        &format!("{} over {t_len} inputs", reducer.describe()),
        loop_iterations(reducer, t_len),
        "Time-series reducers",
    )
}

/// Reduces series windows on the CPU or the GPU.
#[allow(clippy::large_enum_variant, reason = "one per run")]
pub enum SeriesReducer<'c> {
    Cpu(Reducer, usize),
    Gpu(SeriesRunner<'c>),
}

impl<'c> SeriesReducer<'c> {
    /// For windows of up to `capacity` pixels of `t_len` inputs.
    pub fn new(
        backend: Backend<'c>,
        reducer: &Reducer,
        t_len: usize,
        capacity: usize,
        out_nodata_bits: u32,
    ) -> Result<Self> {
        Ok(match backend {
            Backend::Cpu => SeriesReducer::Cpu(reducer.clone(), t_len),
            Backend::Gpu(ctx) => SeriesReducer::Gpu(SeriesRunner::new(
                ctx,
                reducer,
                t_len,
                capacity,
                out_nodata_bits,
            )?),
        })
    }

    /// Reduce one series buffer of `pixels` pixels into `outs` (raw words per output).
    pub fn run(
        &mut self,
        series: &[u32],
        pixels: usize,
        nodata_bits: u32,
        outs: &mut [Vec<u32>],
    ) -> Result<()> {
        match self {
            SeriesReducer::Cpu(r, t_len) => {
                reduce_window(r, series, *t_len, pixels, nodata_bits, outs);
                Ok(())
            }
            SeriesReducer::Gpu(g) => g.run(series, pixels, outs),
        }
    }
}

/// Reduce in-memory series: `values[k][p]` is pixel `p` at time `times[k]` (days; `None`
/// invalid), in windows of at most `window` pixels (default: all). Returns the outputs as raw
/// words, one vector per output.
pub fn reduce_in_memory(
    backend: Backend<'_>,
    reducer: &Reducer,
    times: &[f32],
    values: &[Vec<Option<f32>>],
    window: Option<usize>,
    nodata_bits: u32,
) -> Result<Vec<Vec<u32>>> {
    let t_len = times.len();
    let pixels = values.first().map_or(0, Vec::len);
    let win = window.unwrap_or(pixels).clamp(1, pixels.max(1));
    let n_out = reducer.outputs().len();
    let mut red = SeriesReducer::new(backend, reducer, t_len, win, nodata_bits)?;
    let mut out = vec![vec![0u32; pixels]; n_out];
    let mut outs = vec![vec![0u32; win]; n_out];
    let mut series = vec![0u32; t_len + t_len * win];
    let mut start = 0;
    while start < pixels {
        let n = win.min(pixels - start);
        for (k, t) in times.iter().enumerate() {
            series[k] = t.to_bits();
            for p in 0..n {
                series[t_len + k * n + p] =
                    values[k][start + p].map_or(crate::kernels::series::INVALID_BITS, f32::to_bits);
            }
        }
        red.run(&series, n, nodata_bits, &mut outs)?;
        for (o, w) in out.iter_mut().zip(&outs) {
            o[start..start + n].copy_from_slice(&w[..n]);
        }
        start += n;
    }
    Ok(out)
}
