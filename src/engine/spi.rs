//! Where a window's SPI runs: the GPU ([`super::gpu::spi::SpiRunner`], `shaders/spi.wgsl`) or
//! its CPU twin ([`crate::kernels::spi::spi_window`]); also the same over series already in
//! memory (tests, benchmarks).

use super::backend::Backend;
use super::gpu::spi::SpiRunner;
use crate::error::Result;
use crate::kernels::series::INVALID_BITS;
use crate::kernels::spi::{spi_window, SpiParams, Wanted};

/// Computes SPI of series windows on the CPU or the GPU.
pub enum SpiReducer<'c> {
    Cpu(usize),
    Gpu(SpiRunner<'c>),
}

impl<'c> SpiReducer<'c> {
    /// For windows of up to `capacity` pixels of `t_len` months.
    pub fn new(
        backend: Backend<'c>,
        t_len: usize,
        capacity: usize,
        out_nodata_bits: u32,
    ) -> Result<Self> {
        Ok(match backend {
            Backend::Cpu => SpiReducer::Cpu(t_len),
            Backend::Gpu(ctx) => {
                SpiReducer::Gpu(SpiRunner::new(ctx, t_len, capacity, out_nodata_bits)?)
            }
        })
    }

    /// SPI of one series buffer of `pixels` pixels at each scale of `scales`: `outs[s]`
    /// receives month t of pixel i at `t * pixels + i` for the months t with `keep[t]`,
    /// `nodata_bits` for the others (which are not computed).
    pub fn run(
        &mut self,
        series: &[u32],
        pixels: usize,
        scales: &[SpiParams],
        keep: &[bool],
        nodata_bits: u32,
        outs: &mut [Vec<u32>],
    ) -> Result<()> {
        match self {
            SpiReducer::Cpu(t_len) => {
                for (p, o) in scales.iter().zip(outs.iter_mut()) {
                    let want = Wanted::new(p, keep);
                    spi_window(p, &want, series, *t_len, pixels, nodata_bits, o);
                }
                Ok(())
            }
            SpiReducer::Gpu(g) => {
                g.upload(series, pixels)?;
                for (p, o) in scales.iter().zip(outs.iter_mut()) {
                    g.run(p, keep, o)?;
                }
                Ok(())
            }
        }
    }
}

/// SPI of in-memory monthly series: `values[t][i]` is pixel i in month t (`None` missing), in
/// windows of at most `window` pixels (default: all). Returns per scale `out[t][i]` raw words:
/// SPI for the months `keep` keeps (default: all), `nodata_bits` for the others.
pub fn spi_in_memory(
    backend: Backend<'_>,
    scales: &[SpiParams],
    values: &[Vec<Option<f32>>],
    keep: Option<&[bool]>,
    window: Option<usize>,
    nodata_bits: u32,
) -> Result<Vec<Vec<Vec<u32>>>> {
    let t_len = values.len();
    let all = vec![true; t_len];
    let keep = keep.unwrap_or(&all);
    if keep.len() != t_len {
        return Err(crate::error::Error::Internal(
            "SPI keep mask of another length than the series".into(),
        ));
    }
    let pixels = values.first().map_or(0, Vec::len);
    let win = window.unwrap_or(pixels).clamp(1, pixels.max(1));
    let mut red = SpiReducer::new(backend, t_len, win, nodata_bits)?;
    let mut out = vec![vec![vec![0u32; pixels]; t_len]; scales.len()];
    let mut outs = vec![vec![0u32; t_len * win]; scales.len()];
    let mut series = vec![0u32; t_len + t_len * win];
    let mut start = 0;
    while start < pixels {
        let n = win.min(pixels - start);
        for (t, row) in values.iter().enumerate() {
            series[t] = (t as f32).to_bits();
            for p in 0..n {
                series[t_len + t * n + p] = row[start + p].map_or(INVALID_BITS, f32::to_bits);
            }
        }
        red.run(&series, n, scales, keep, nodata_bits, &mut outs)?;
        for (o, w) in out.iter_mut().zip(&outs) {
            for (t, row) in o.iter_mut().enumerate() {
                row[start..start + n].copy_from_slice(&w[t * n..(t + 1) * n]);
            }
        }
        start += n;
    }
    Ok(out)
}
