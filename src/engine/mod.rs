//! The tiling engine: plans windows from the device's limits and a memory budget, streams
//! them from the readers through a [`Processor`] (GPU kernel or native CPU path) into the
//! writer ([`job`]), and runs the same kernels over in-memory bands ([`memory`]).
//!
//! Host memory for one run is bounded by the window: packed input bands + one f32 buffer per
//! output for `window_pixels` pixels (two sets of each in the pipeline), plus each reader's
//! cached block row and the writer's one partial strip. `--mem-limit` (default 256 MiB) bounds
//! the window part.

pub mod job;
pub mod memory;
pub mod stats;

pub use job::{run_index_job, BandSource, IndexJob, JobReport};
pub use memory::{compute_in_memory, compute_into, compute_with};

use crate::cpu;
use crate::error::{Error, Result};
use crate::gpu::runner::GpuRunner;
use crate::gpu::GpuContext;
use crate::indices::common::BandParams;
use crate::indices::{Consts, IndexDesc, ROLE_SLOTS};
use crate::io::raster::DataType;

/// Where kernels run.
#[derive(Clone, Copy)]
pub enum Backend<'c> {
    Gpu(&'c GpuContext),
    Cpu,
}

impl Backend<'_> {
    pub fn describe(&self) -> String {
        match self {
            Backend::Gpu(c) => c.summary.one_line(),
            Backend::Cpu => format!("native CPU ({} threads)", rayon::current_num_threads()),
        }
    }
}

/// Runs one set of indices window after window.
#[allow(clippy::large_enum_variant, reason = "one per run")]
pub enum Processor<'c> {
    Gpu(GpuRunner<'c>),
    Cpu {
        indices: Vec<&'static IndexDesc>,
        k: Vec<Consts>,
        bands: [Option<BandParams>; ROLE_SLOTS],
        out_nodata_bits: u32,
        capacity: usize,
        /// Histogram ranges when statistics are on.
        stats: Option<Vec<(f32, f32)>>,
    },
}

impl<'c> Processor<'c> {
    pub fn new(
        backend: Backend<'c>,
        indices: &[&'static IndexDesc],
        k: &[Consts],
        bands: &[Option<BandParams>; ROLE_SLOTS],
        out_nodata_bits: u32,
        capacity: usize,
    ) -> Result<Self> {
        for d in indices {
            if let Some(r) = d.roles.iter().find(|r| bands[r.slot()].is_none()) {
                return Err(Error::Usage(format!(
                    "index '{}' needs the '{}' band",
                    d.name,
                    r.name()
                )));
            }
        }
        if k.len() != indices.len() {
            return Err(Error::Internal(format!(
                "{} constant sets for {} indices",
                k.len(),
                indices.len()
            )));
        }
        Ok(match backend {
            Backend::Gpu(ctx) => Processor::Gpu(GpuRunner::new(
                ctx,
                indices,
                k,
                bands,
                out_nodata_bits,
                capacity,
            )?),
            Backend::Cpu => Processor::Cpu {
                indices: indices.to_vec(),
                k: k.to_vec(),
                bands: *bands,
                out_nodata_bits,
                capacity,
                stats: None,
            },
        })
    }

    /// Compute per-output statistics during [`Self::run_with_stats`] (histogram `ranges`).
    pub fn enable_stats(&mut self, ranges: &[(f32, f32)]) -> Result<()> {
        match self {
            Processor::Gpu(r) => r.enable_stats(ranges),
            Processor::Cpu { stats, .. } => {
                *stats = Some(ranges.to_vec());
                Ok(())
            }
        }
    }

    /// [`Self::run`], merging the window's statistics into `stats` (one per output) when they
    /// are enabled: on the GPU by the statistics kernel, on the CPU from the outputs.
    pub fn run_with_stats(
        &mut self,
        data: &[Option<&[u32]>; ROLE_SLOTS],
        pixels: usize,
        outputs: &mut [&mut [f32]],
        stats: &mut [stats::Partial],
    ) -> Result<()> {
        if let Processor::Gpu(r) = self {
            return r.run_with_stats(data, pixels, outputs, stats);
        }
        self.run(data, pixels, outputs)?;
        if let Processor::Cpu {
            stats: Some(ranges),
            out_nodata_bits,
            ..
        } = self
        {
            use rayon::prelude::*;
            for ((acc, out), range) in stats.iter_mut().zip(outputs.iter()).zip(ranges.iter()) {
                let part = out[..pixels]
                    .par_chunks(1 << 16)
                    .map(|c| {
                        let mut p = stats::Partial::default();
                        for v in c {
                            p.add(v.to_bits(), *out_nodata_bits, *range);
                        }
                        p
                    })
                    .reduce(stats::Partial::default, |mut a, b| {
                        a.merge(&b);
                        a
                    });
                acc.merge(&part);
            }
        }
        Ok(())
    }

    pub fn capacity(&self) -> usize {
        match self {
            Processor::Gpu(r) => r.capacity(),
            Processor::Cpu { capacity, .. } => *capacity,
        }
    }

    /// Compute `pixels` pixels; `data[slot]` holds each used role's packed words.
    pub fn run(
        &mut self,
        data: &[Option<&[u32]>; ROLE_SLOTS],
        pixels: usize,
        outputs: &mut [&mut [f32]],
    ) -> Result<()> {
        match self {
            Processor::Gpu(r) => r.run(data, pixels, outputs),
            Processor::Cpu {
                indices,
                k,
                bands,
                out_nodata_bits,
                ..
            } => {
                let mut rb: [cpu::RoleBand<'_>; ROLE_SLOTS] = [None; ROLE_SLOTS];
                for slot in 0..ROLE_SLOTS {
                    if let (Some(p), Some(w)) = (&bands[slot], data[slot]) {
                        rb[slot] = Some((p, w));
                    }
                }
                cpu::run_window(indices, k, &rb, pixels, *out_nodata_bits, outputs);
                Ok(())
            }
        }
    }
}

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
        let bind_out =
            bind.saturating_sub(256 * (n_out as u64 + 1))
                .saturating_sub(n_out as u64 * stats::PARTIAL_WORDS as u64 * 4) as f64;
        let stats_bpp = (stats::PARTIAL_WORDS * 4) as f64
            / (crate::shaders::WG_SIZE * stats::PX_PER_INVOCATION) as f64;
        cap = cap
            .min((bind_in / in_bpp.max(1e-9)) as usize)
            .min((bind_out / ((4.0 + stats_bpp) * n_out as f64)) as usize);
    }
    (cap / 4 * 4).max(4)
}
