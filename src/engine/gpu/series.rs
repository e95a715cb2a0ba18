//! Runs a per-pixel series reducer (`shaders/series.wgsl`) over successive windows, reusing its
//! buffers and pipeline.
//!
//! GPU memory: the series buffer, `4·(T + T·P)` bytes for `P` window pixels of `T` inputs, and
//! the outputs, `4·n_out·P` bytes (+ the same again for the readback buffer when staging). The
//! window planner ([`crate::engine::jobs::series`]) keeps the series buffer inside one binding.

use super::context::GpuContext;
use super::dispatch;
use super::transfer;
use crate::error::{Error, Result};
use crate::kernels::abi::{BandParams, TileParams};
use crate::kernels::series::{constants, loop_iterations, Reducer, SERIES_PX_PER_INVOCATION};
use crate::kernels::wgsl::series_kernel;
use crate::kernels::{MAX_CONSTS, MAX_OUTPUTS, ROLE_SLOTS};

pub struct SeriesRunner<'c> {
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
    n_out: usize,
    out_stride: usize,
}

/// Words rounded up to 256 bytes.
fn round_up(n: usize) -> usize {
    n.div_ceil(64).max(1) * 64
}

impl<'c> SeriesRunner<'c> {
    /// Buffers for windows of up to `capacity` pixels of `t_len` inputs.
    pub fn new(
        ctx: &'c GpuContext,
        reducer: &Reducer,
        t_len: usize,
        capacity: usize,
        out_nodata_bits: u32,
    ) -> Result<Self> {
        let n_out = reducer.outputs().len();
        let k = constants(reducer, t_len);
        if n_out == 0 || n_out > MAX_OUTPUTS || k.len() > MAX_OUTPUTS * MAX_CONSTS {
            return Err(Error::Internal(format!("{n_out} series outputs")));
        }
        ctx.summary.check_loop_bound(
            &format!("{} over {t_len} inputs", reducer.describe()),
            loop_iterations(reducer, t_len),
        )?;
        let (key, src) = series_kernel(reducer);
        let pipeline = ctx.pipeline(&key, &src)?;
        let mut params = TileParams {
            pixel_count: 0,
            out_stride: 0,
            out_nodata_bits,
            n_outputs: n_out as u32,
            bands: [BandParams::default(); ROLE_SLOTS],
            k: [[0.0; 4]; MAX_OUTPUTS * MAX_CONSTS / 4],
            hist: [[0.0; 4]; MAX_OUTPUTS / 2],
        };
        for (c, v) in k.iter().enumerate() {
            params.k[c / 4][c % 4] = *v;
        }
        let out_stride = round_up(capacity);
        params.out_stride = out_stride as u32;
        let in_bytes = (round_up(t_len + t_len * capacity) * 4) as u64;
        let out_bytes = (n_out * out_stride * 4) as u64;
        let transfer::WindowBuffers {
            input,
            output,
            readback,
            params: params_buf,
            bind_group,
        } = transfer::window_buffers(
            ctx,
            "climidx.series.params",
            &format!("series window of {capacity} px × {t_len} inputs"),
            capacity,
            in_bytes,
            out_bytes,
        )?;
        Ok(SeriesRunner {
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
            n_out,
            out_stride,
        })
    }

    /// Reduce one window: `series` is the series buffer of `pixels` pixels
    /// ([`crate::kernels::series`]); output `j` goes to `outs[j][..pixels]` as raw words.
    pub fn run(&mut self, series: &[u32], pixels: usize, outs: &mut [Vec<u32>]) -> Result<()> {
        if pixels == 0 {
            return Ok(());
        }
        let words = self.t_len + self.t_len * pixels;
        if pixels > self.capacity || series.len() < words || outs.len() < self.n_out {
            return Err(Error::Internal(
                "series window larger than the runner's capacity".into(),
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
        let (n_out, stride) = (self.n_out, self.out_stride);
        let used = ((n_out - 1) * stride + pixels).next_multiple_of(2) as u64 * 4;
        transfer::read_back(
            self.ctx,
            enc,
            &self.output,
            self.readback.as_ref(),
            used,
            |w| {
                for (j, o) in outs.iter_mut().enumerate().take(n_out) {
                    o[..pixels].copy_from_slice(&w[j * stride..j * stride + pixels]);
                }
            },
        )
    }
}
