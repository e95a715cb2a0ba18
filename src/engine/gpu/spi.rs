//! Runs the SPI kernel (`shaders/spi.wgsl`) over successive windows: one upload of a window's
//! series buffer, then per scale a short sequence of dispatches (k-month sums, the twelve
//! fits, SPI), reusing the buffers and the pipeline.
//!
//! Why several dispatches: lavapipe (llvmpipe) stops every loop of an invocation once its loops
//! together have run 65 535 iterations (gallivm `LP_MAX_TGSI_LOOP_ITERATIONS`, shared by all
//! loops of a shader), silently leaving outputs unwritten. The kernel computes one pixel per
//! invocation, and [`crate::kernels::spi::dispatch_plan`] splits its work so that no dispatch
//! runs more than 8 000 iterations per invocation, counting both sides of every branch: the
//! sums and the SPI for a slice of months at a time, the fit in one pass over the calibration
//! (so a calibration of at most ~3 980 months, checked by the job). Before it dispatches, the
//! runner checks each dispatch's bound against the adapter's limit and refuses if one is over.
//!
//! GPU memory: the series buffer, `4·(T + T·P)` bytes for `P` window pixels of `T` months, and
//! `4·(T + 48)·P` bytes of sums/SPI and fit state (+ the same again for the readback buffer when
//! staging).

use super::context::GpuContext;
use super::dispatch;
use super::transfer;
use crate::error::{Error, Result};
use crate::kernels::abi::{BandParams, TileParams};
use crate::kernels::spi::{
    constants, dispatch_iterations, dispatch_plan, spi_kernel, SpiParams, SPI_PX_PER_INVOCATION,
};
use crate::kernels::{MAX_CONSTS, MAX_OUTPUTS, ROLE_SLOTS};

/// Fit state words per pixel after the months (12 months × n, q, α, β).
pub const STATE_WORDS: usize = 48;

pub struct SpiRunner<'c> {
    ctx: &'c GpuContext,
    pipeline: std::sync::Arc<wgpu::ComputePipeline>,
    params: TileParams,
    bufs: transfer::WindowBuffers,
    t_len: usize,
    capacity: usize,
    pixels: usize,
}

impl<'c> SpiRunner<'c> {
    /// Buffers for windows of up to `capacity` pixels of `t_len` months.
    pub fn new(
        ctx: &'c GpuContext,
        t_len: usize,
        capacity: usize,
        out_nodata_bits: u32,
    ) -> Result<Self> {
        let (key, src) = spi_kernel();
        let pipeline = ctx.pipeline(&key, &src)?;
        let params = TileParams {
            pixel_count: 0,
            out_stride: capacity as u32,
            out_nodata_bits,
            n_outputs: 1,
            bands: [BandParams::default(); ROLE_SLOTS],
            k: [[0.0; 4]; MAX_OUTPUTS * MAX_CONSTS / 4],
            hist: [[0.0; 4]; MAX_OUTPUTS / 2],
        };
        let in_bytes = ((t_len + t_len * capacity).next_multiple_of(64) * 4) as u64;
        let out_bytes = (((t_len + STATE_WORDS) * capacity).next_multiple_of(64) * 4) as u64;
        let bufs = transfer::window_buffers(
            ctx,
            "climidx.spi.params",
            &format!("SPI window of {capacity} px × {t_len} months"),
            capacity,
            in_bytes,
            out_bytes,
        )?;
        Ok(SpiRunner {
            ctx,
            pipeline,
            params,
            bufs,
            t_len,
            capacity,
            pixels: 0,
        })
    }

    /// Upload one window's series buffer of `pixels` pixels ([`crate::kernels::series`]).
    pub fn upload(&mut self, series: &[u32], pixels: usize) -> Result<()> {
        let words = self.t_len + self.t_len * pixels;
        if pixels > self.capacity || series.len() < words {
            return Err(Error::Internal(
                "SPI window larger than the runner's capacity".into(),
            ));
        }
        self.pixels = pixels;
        if pixels == 0 {
            return Ok(());
        }
        transfer::upload(self.ctx, &self.bufs.input, &[(0, &series[..words])])
    }

    /// SPI of the uploaded window at scale `p`: month t of pixel i into `out[t * pixels + i]`
    /// for the months t with `keep[t]`, the output nodata for the others (not computed).
    pub fn run(&mut self, p: &SpiParams, keep: &[bool], out: &mut [u32]) -> Result<()> {
        let (pixels, t_len) = (self.pixels, self.t_len);
        if pixels == 0 {
            return Ok(());
        }
        if out.len() < t_len * pixels || keep.len() != t_len {
            return Err(Error::Internal("SPI output or keep mask too small".into()));
        }
        self.params.pixel_count = pixels as u32;
        self.params.out_stride = pixels as u32;
        let k = constants(p, t_len);
        for (c, v) in k.iter().enumerate() {
            self.params.k[c / 4][c % 4] = *v;
        }
        let plan = dispatch_plan(p, t_len, keep);
        for d in &plan {
            self.ctx.summary.check_loop_bound(
                &format!(
                    "SPI at scale {} over {t_len} months (stage {})",
                    p.scale, d.stage
                ),
                dispatch_iterations(p, t_len, d),
            )?;
        }
        let last = plan.len() - 1;
        let mut enc = None;
        for (j, d) in plan.into_iter().enumerate() {
            let c = k.len();
            for (o, v) in [d.stage as f32, d.t0 as f32, d.t1 as f32]
                .into_iter()
                .enumerate()
            {
                self.params.k[(c + o) / 4][(c + o) % 4] = v;
            }
            self.ctx
                .queue
                .write_buffer(&self.bufs.params, 0, bytemuck::bytes_of(&self.params));
            let e = dispatch::encode(
                self.ctx,
                &self.pipeline,
                &self.bufs.bind_group,
                (pixels, SPI_PX_PER_INVOCATION),
                None,
            );
            if j == last {
                enc = Some(e);
            } else {
                self.ctx.queue.submit([e.finish()]);
            }
        }
        let enc = enc.ok_or_else(|| Error::Internal("empty SPI plan".into()))?;
        // Read up to the last kept month; the months not kept hold their sums: nodata instead.
        let last_kept = keep.iter().rposition(|&k| k).map_or(0, |t| t + 1);
        let nodata = self.params.out_nodata_bits;
        let used = (last_kept * pixels).next_multiple_of(2).max(2) as u64 * 4;
        transfer::read_back(
            self.ctx,
            enc,
            &self.bufs.output,
            self.bufs.readback.as_ref(),
            used,
            |w| {
                for (t, &k) in keep.iter().enumerate() {
                    let o = &mut out[t * pixels..(t + 1) * pixels];
                    if k {
                        o.copy_from_slice(&w[t * pixels..(t + 1) * pixels]);
                    } else {
                        o.fill(nodata);
                    }
                }
            },
        )
    }
}
