//! Where a window's kernels run: [`Backend`] names the device, [`Processor`] runs one set of
//! indices window after window on it (the GPU runner or the native CPU twin), merging the
//! statistics partials either way.

use super::gpu::runner::{GpuRunner, PartialWords};
use super::gpu::GpuContext;
use crate::error::{Error, Result};
use crate::kernels::abi::BandParams;
use crate::kernels::stats::Partial;
use crate::kernels::{cpu, Consts, IndexRef, ROLE_SLOTS};

/// Where kernels run.
#[derive(Clone, Copy)]
pub enum Backend<'c> {
    Gpu(&'c GpuContext),
    Cpu,
}

impl<'c> Backend<'c> {
    /// The GPU of `ctx` (an opened device), else the native CPU.
    pub fn of(ctx: Option<&'c GpuContext>) -> Self {
        ctx.map_or(Backend::Cpu, Backend::Gpu)
    }

    pub fn describe(&self) -> String {
        match self {
            Backend::Gpu(c) => c.summary.one_line(),
            Backend::Cpu => format!("native CPU ({} threads)", rayon::current_num_threads()),
        }
    }

    /// This backend for a kernel that `what` describes, needing up to `need` loop iterations
    /// per invocation: unchanged, unless its adapter would end the kernel's loops early
    /// ([`super::gpu::adapter::AdapterSummary::loop_limit`], lavapipe), where the CPU twin runs
    /// instead, with a warning pointing to the README section `readme`. Never a result cut short.
    pub fn within_loop_limit(self, what: &str, need: u64, readme: &str) -> Backend<'c> {
        let Backend::Gpu(ctx) = self else {
            return self;
        };
        match ctx.summary.loop_limit() {
            Some(limit) if need > limit => {
                log::warn!(
                    "{what} runs on the native CPU: {} ends shader loops after {limit} iterations and it needs up to {need} per pixel (README, {readme})",
                    ctx.summary.name
                );
                Backend::Cpu
            }
            _ => self,
        }
    }
}

/// Runs one set of indices window after window.
#[allow(clippy::large_enum_variant, reason = "one per run")]
pub enum Processor<'c> {
    Gpu(GpuRunner<'c>),
    Cpu {
        indices: Vec<IndexRef>,
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
        indices: &[IndexRef],
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
        stats: &mut [Partial],
    ) -> Result<()> {
        if let Processor::Gpu(r) = self {
            let want = !stats.is_empty();
            let mut merge = |j: usize, words: &[u32]| stats[j].merge(&Partial::from_words(words));
            let partials: Option<PartialWords<'_>> = want.then_some(&mut merge);
            return r.run_with_stats(data, pixels, outputs, partials);
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
                        let mut p = Partial::default();
                        for v in c {
                            p.add(v.to_bits(), *out_nodata_bits, *range);
                        }
                        p
                    })
                    .reduce(Partial::default, |mut a, b| {
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
