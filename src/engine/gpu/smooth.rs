//! Runs the temporal smoother (`shaders/smooth.wgsl`) over successive series windows, in
//! place: the series buffer goes up, the smoothed values come back into it.
//!
//! GPU memory: the series buffer, `4·(T + T·P)` bytes for `P` window pixels of `T` inputs, and
//! the smoothed values, `4·T·P` bytes (+ the same again for the readback buffer when staging).

use super::context::GpuContext;
use super::dispatch;
use super::transfer;
use crate::error::{Error, Result};
use crate::kernels::abi::{BandParams, TileParams};
use crate::kernels::series::{INVALID_BITS, SERIES_PX_PER_INVOCATION};
use crate::kernels::smooth::{loop_iterations, Smoother};
use crate::kernels::wgsl::smooth_kernel;
use crate::kernels::{MAX_CONSTS, MAX_OUTPUTS, ROLE_SLOTS};

pub struct SmoothRunner<'c> {
    ctx: &'c GpuContext,
    pipeline: std::sync::Arc<wgpu::ComputePipeline>,
    params: TileParams,
    params_buf: wgpu::Buffer,
    input: wgpu::Buffer,
    output: wgpu::Buffer,
    readback: Option<wgpu::Buffer>,
    bind_group: wgpu::BindGroup,
    t_len: usize,
    capacity: usize,
    out_stride: usize,
}

/// Words rounded up to 256 bytes.
fn round_up(n: usize) -> usize {
    n.div_ceil(64).max(1) * 64
}

impl<'c> SmoothRunner<'c> {
    /// Buffers for windows of up to `capacity` pixels of `t_len` inputs.
    pub fn new(
        ctx: &'c GpuContext,
        smoother: &Smoother,
        t_len: usize,
        capacity: usize,
    ) -> Result<Self> {
        smoother.check_len(t_len).map_err(Error::Usage)?;
        ctx.summary.check_loop_bound(
            &format!("--smooth {} over {t_len} inputs", smoother.name()),
            loop_iterations(smoother, t_len),
        )?;
        let (key, src) = smooth_kernel();
        let pipeline = ctx.pipeline(&key, &src)?;
        let mut params = TileParams {
            pixel_count: 0,
            out_stride: 0,
            out_nodata_bits: INVALID_BITS,
            n_outputs: 1,
            bands: [BandParams::default(); ROLE_SLOTS],
            k: [[0.0; 4]; MAX_OUTPUTS * MAX_CONSTS / 4],
            hist: [[0.0; 4]; MAX_OUTPUTS / 2],
        };
        for (c, v) in smoother.constants(t_len).iter().enumerate() {
            params.k[c / 4][c % 4] = *v;
        }
        let out_stride = round_up(capacity);
        params.out_stride = out_stride as u32;
        let in_bytes = (round_up(t_len + t_len * capacity) * 4) as u64;
        let out_bytes = (t_len * out_stride * 4) as u64;
        let transfer::WindowBuffers {
            input,
            output,
            readback,
            params: params_buf,
            bind_group,
        } = transfer::window_buffers(
            ctx,
            "climidx.smooth.params",
            &format!("smoothing window of {capacity} px × {t_len} inputs"),
            capacity,
            in_bytes,
            out_bytes,
        )?;
        Ok(SmoothRunner {
            ctx,
            pipeline,
            params,
            params_buf,
            input,
            output,
            readback,
            bind_group,
            t_len,
            capacity,
            out_stride,
        })
    }

    /// Smooth the values of one series buffer of `pixels` pixels in place.
    pub fn run(&mut self, series: &mut [u32], pixels: usize) -> Result<()> {
        if pixels == 0 {
            return Ok(());
        }
        let t_len = self.t_len;
        let words = t_len + t_len * pixels;
        if pixels > self.capacity || series.len() < words {
            return Err(Error::Internal(
                "smoothing window larger than the runner's capacity".into(),
            ));
        }
        transfer::upload(self.ctx, &self.input, &[(0, &series[..words])])?;
        self.params.pixel_count = pixels as u32;
        self.ctx
            .queue
            .write_buffer(&self.params_buf, 0, bytemuck::bytes_of(&self.params));
        let enc = dispatch::encode(
            self.ctx,
            &self.pipeline,
            &self.bind_group,
            (pixels, SERIES_PX_PER_INVOCATION),
            None,
        );
        let stride = self.out_stride;
        let used = ((t_len - 1) * stride + pixels).next_multiple_of(2) as u64 * 4;
        transfer::read_back(
            self.ctx,
            enc,
            &self.output,
            self.readback.as_ref(),
            used,
            |w| {
                for k in 0..t_len {
                    series[t_len + k * pixels..t_len + (k + 1) * pixels]
                        .copy_from_slice(&w[k * stride..k * stride + pixels]);
                }
            },
        )
    }
}
