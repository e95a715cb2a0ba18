//! Runs one generated kernel over successive windows, reusing its buffers and pipeline.
//!
//! The buffers and the two transfer strategies (mapped, staging) are in
//! `gpu::transfer`; benchmark timings of the kernel in `gpu::timing`.
//!
//! GPU memory: input `Σ words(band) × 4` bytes + output `n_outputs × 4` bytes per pixel of
//! window capacity (+ the same again for the readback buffer when staging).

use std::ops::Deref;

use super::context::GpuContext;
use super::dispatch;
use super::transfer::{self, bind_group, output_buffers};
use crate::error::{Error, Result};
use crate::kernels::abi::{BandParams, TileParams, PARTIAL_WORDS, PX_PER_INVOCATION};
use crate::kernels::samples::DataType;
use crate::kernels::wgsl;
use crate::kernels::{Consts, IndexDesc, MAX_CONSTS, MAX_OUTPUTS, ROLE_SLOTS};

/// Words are reserved in multiples of this (256 bytes), which keeps every band's region
/// aligned for mapping and copies.
const ALIGN_WORDS: usize = 64;

fn round_up(n: usize) -> usize {
    n.div_ceil(ALIGN_WORDS).max(1) * ALIGN_WORDS
}

/// Bit pattern written into outputs before a dispatch when poisoning is on.
pub const POISON_BITS: u32 = 0x7fa5_5a5a;

/// Receives the statistics kernel's raw partial words: `(output, words)` per workgroup.
pub type PartialWords<'a> = &'a mut dyn FnMut(usize, &[u32]);

pub struct GpuRunner<'c> {
    pub(super) ctx: &'c GpuContext,
    pub(super) pipeline: std::sync::Arc<wgpu::ComputePipeline>,
    params: TileParams,
    params_buf: wgpu::Buffer,
    input: wgpu::Buffer,
    output: wgpu::Buffer,
    readback: Option<wgpu::Buffer>,
    bind_group: wgpu::BindGroup,
    pub(super) capacity: usize,
    n_out: usize,
    out_stride: usize,
    /// Word range reserved for each role slot (offset, capacity in words).
    regions: [Option<(usize, usize)>; ROLE_SLOTS],
    /// Fill the output with [`POISON_BITS`] before each dispatch (tests).
    pub poison: bool,
    /// The statistics kernel, when `--stats` asked for it (see [`Self::enable_stats`]).
    stats: Option<std::sync::Arc<wgpu::ComputePipeline>>,
}

impl<'c> GpuRunner<'c> {
    /// Input bytes per pixel of window capacity for bands of these types (packing included).
    pub fn input_bytes_per_pixel(dtypes: &[DataType]) -> f64 {
        dtypes
            .iter()
            .map(|d| 4.0 / d.pixels_per_word() as f64)
            .sum()
    }

    /// Prepare buffers for windows of up to `capacity` pixels. `bands[slot]` gives each used
    /// role's decode parameters; `k[j]` the constants of output `j`.
    pub fn new(
        ctx: &'c GpuContext,
        indices: &[impl Deref<Target = IndexDesc>],
        k: &[Consts],
        bands: &[Option<BandParams>; ROLE_SLOTS],
        out_nodata_bits: u32,
        capacity: usize,
    ) -> Result<Self> {
        if indices.is_empty() || indices.len() > MAX_OUTPUTS {
            return Err(Error::Usage(format!(
                "between 1 and {MAX_OUTPUTS} indices per run"
            )));
        }
        let dtypes: [Option<DataType>; ROLE_SLOTS] =
            std::array::from_fn(|s| bands[s].map(|b| DataType::from_shader_code(b.dtype)));
        let source = wgsl::kernel_source(indices, &dtypes);
        let names: Vec<String> = indices.iter().map(|d| d.wgsl_name()).collect();
        let types: Vec<String> = dtypes.iter().flatten().map(|d| format!("{d:?}")).collect();
        let key = format!("{}:{}", names.join("+"), types.join(","));
        Self::with_kernel(
            ctx,
            &key,
            &source,
            indices.len(),
            k,
            bands,
            out_nodata_bits,
            capacity,
        )
    }

    /// Buffers and pipeline for any kernel on the shared binding layout (shaders/common.wgsl):
    /// `source` (cached under `key`) writes `n_out` regions of `output`, each a `u32` per pixel.
    #[allow(clippy::too_many_arguments)]
    pub fn with_kernel(
        ctx: &'c GpuContext,
        key: &str,
        source: &str,
        n_out: usize,
        k: &[Consts],
        bands: &[Option<BandParams>; ROLE_SLOTS],
        out_nodata_bits: u32,
        capacity: usize,
    ) -> Result<Self> {
        if n_out == 0 || n_out > MAX_OUTPUTS || k.len() > MAX_OUTPUTS {
            return Err(Error::Internal(format!("{n_out} outputs per kernel")));
        }
        let pipeline = ctx.pipeline(key, source)?;
        let mut params = TileParams {
            pixel_count: 0,
            out_stride: 0,
            out_nodata_bits,
            n_outputs: n_out as u32,
            bands: [BandParams::default(); ROLE_SLOTS],
            k: [[0.0; 4]; MAX_OUTPUTS * MAX_CONSTS / 4],
            hist: [[0.0; 4]; MAX_OUTPUTS / 2],
        };
        for (j, kj) in k.iter().enumerate() {
            for (c, v) in kj.iter().enumerate() {
                params.k[j * MAX_CONSTS / 4 + c / 4][c % 4] = *v;
            }
        }
        let mut regions = [None; ROLE_SLOTS];
        let mut words = 0usize;
        for (slot, b) in bands.iter().enumerate() {
            if let Some(b) = b {
                let dtype = DataType::from_shader_code(b.dtype);
                let n = round_up(dtype.words_for(capacity));
                let mut bp = *b;
                bp.word_offset =
                    u32::try_from(words).map_err(|_| Error::Internal("window too large".into()))?;
                params.bands[slot] = bp;
                regions[slot] = Some((words, n));
                words += n;
            }
        }
        let out_stride = round_up(capacity);
        params.out_stride = out_stride as u32;
        let in_bytes = (words.max(ALIGN_WORDS) * 4) as u64;
        let out_bytes = (n_out * out_stride * 4) as u64;
        let transfer::WindowBuffers {
            input,
            output,
            readback,
            params: params_buf,
            bind_group,
        } = transfer::window_buffers(
            ctx,
            "climidx.params",
            &format!("window of {capacity} px"),
            capacity,
            in_bytes,
            out_bytes,
        )?;
        log::debug!(
            "gpu runner: {} px/window, input {} KiB, output {} KiB, {} transfers",
            capacity,
            in_bytes >> 10,
            out_bytes >> 10,
            if ctx.mappable { "mapped" } else { "staging" }
        );
        Ok(GpuRunner {
            ctx,
            pipeline,
            params,
            params_buf,
            input,
            output,
            readback,
            bind_group,
            capacity,
            n_out,
            out_stride,
            regions,
            poison: false,
            stats: None,
        })
    }

    /// Compute per-output statistics on the device after each [`Self::run`]
    /// (`shaders/stats.wgsl`): grows the output buffer by one partial per workgroup and output,
    /// and sets each output's histogram range.
    pub fn enable_stats(&mut self, ranges: &[(f32, f32)]) -> Result<()> {
        use crate::kernels::stats;
        let ctx = self.ctx;
        for (j, r) in ranges.iter().enumerate().take(self.n_out) {
            let v = &mut self.params.hist[j / 2];
            v[2 * (j % 2)] = r.0;
            v[2 * (j % 2) + 1] = r.1;
        }
        let extra = self.n_out * stats::workgroups(self.capacity) as usize * PARTIAL_WORDS as usize;
        let out_bytes = ((self.n_out * self.out_stride + extra) * 4) as u64;
        if out_bytes > ctx.max_binding_bytes() {
            return Err(Error::Internal(
                "statistics do not fit the output binding".into(),
            ));
        }
        (self.output, self.readback) = output_buffers(ctx, out_bytes);
        self.bind_group = bind_group(ctx, &self.params_buf, &self.input, &self.output);
        ctx.check()
            .map_err(|e| Error::Device(format!("cannot allocate GPU buffers ({e})")))?;
        let (key, src) = wgsl::stats_kernel();
        self.stats = Some(ctx.pipeline(&key, &src)?);
        Ok(())
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Replace the decode parameters of role `slot` (type, nodata, scale) between windows; the
    /// new type must fit the region reserved for the slot at creation.
    pub fn set_band(&mut self, slot: usize, bp: BandParams) -> Result<()> {
        let (off, cap) = self.regions[slot]
            .ok_or_else(|| Error::Internal(format!("role slot {slot} has no region")))?;
        if DataType::from_shader_code(bp.dtype).words_for(self.capacity) > cap {
            return Err(Error::Internal("band type does not fit its region".into()));
        }
        self.params.bands[slot] = BandParams {
            word_offset: off as u32,
            ..bp
        };
        Ok(())
    }

    /// Switch the kernel [`Self::run`] and [`Self::accumulate`] dispatch.
    pub fn set_kernel(&mut self, key: &str, source: &str) -> Result<()> {
        self.pipeline = self.ctx.pipeline(key, source)?;
        Ok(())
    }

    /// Compute one window of `pixels` pixels. `data[slot]` holds each used role's packed words;
    /// `outputs[j][..pixels]` receives output `j`.
    pub fn run(
        &mut self,
        data: &[Option<&[u32]>; ROLE_SLOTS],
        pixels: usize,
        outputs: &mut [&mut [f32]],
    ) -> Result<()> {
        if pixels == 0 {
            return Ok(());
        }
        if outputs.len() != self.n_out {
            return Err(Error::Internal("wrong number of outputs".into()));
        }
        self.run_with_stats(data, pixels, outputs, None)
    }

    /// [`Self::run`], and when [`Self::enable_stats`] was called and `partials` is given, hand
    /// it each workgroup's raw partial words of the statistics kernel: `partials(j, words)` for
    /// output `j` (the engine merges them; see [`crate::kernels::stats::Partial::from_words`]).
    pub fn run_with_stats(
        &mut self,
        data: &[Option<&[u32]>; ROLE_SLOTS],
        pixels: usize,
        outputs: &mut [&mut [f32]],
        mut partials: Option<PartialWords<'_>>,
    ) -> Result<()> {
        if pixels == 0 {
            return Ok(());
        }
        if outputs.len() != self.n_out {
            return Err(Error::Internal("wrong number of outputs".into()));
        }
        self.prepare(data, pixels)?;
        if self.poison {
            self.fill_outputs(POISON_BITS);
        }
        let mut enc = self.encode_pass(&self.pipeline, pixels, None);
        let mut tail = 0;
        let nwg = crate::kernels::stats::workgroups(pixels);
        if let (Some(p), true) = (&self.stats, partials.is_some()) {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("climidx.stats"),
                timestamp_writes: None,
            });
            pass.set_pipeline(p);
            pass.set_bind_group(0, &self.bind_group, &[]);
            pass.dispatch_workgroups(nwg, self.n_out as u32, 1);
            drop(pass);
            tail = self.n_out * nwg as usize * PARTIAL_WORDS as usize;
        }
        let (n_out, stride) = (self.n_out, self.out_stride);
        self.finish_and_read(enc, pixels, tail, |words| {
            for (j, out) in outputs.iter_mut().enumerate() {
                out[..pixels].copy_from_slice(bytemuck::cast_slice(
                    &words[j * stride..j * stride + pixels],
                ));
            }
            if let (true, Some(f)) = (tail > 0, partials.as_mut()) {
                let pw = PARTIAL_WORDS as usize;
                let base = n_out * stride;
                for j in 0..n_out {
                    for w in 0..nwg as usize {
                        let o = base + (j * nwg as usize + w) * pw;
                        f(j, &words[o..o + pw]);
                    }
                }
            }
        })
    }

    /// Upload `data` and dispatch the kernel without reading anything back: for kernels that
    /// accumulate state in their outputs over several inputs (climatology).
    pub fn accumulate(&mut self, data: &[Option<&[u32]>; ROLE_SLOTS], pixels: usize) -> Result<()> {
        if pixels == 0 {
            return Ok(());
        }
        self.prepare(data, pixels)?;
        let enc = self.encode_pass(&self.pipeline, pixels, None);
        self.ctx.queue.submit([enc.finish()]);
        self.ctx.check()
    }

    /// Run `pipeline` (compiled from a source on the same layout, e.g. with
    /// [`GpuContext::pipeline`]) over the first `pixels` pixels of the current buffers, then read
    /// every output region back as raw words: `f(j, words)` per output.
    pub fn finish_with(
        &mut self,
        pipeline: &wgpu::ComputePipeline,
        pixels: usize,
        f: impl FnMut(usize, &[u32]),
    ) -> Result<()> {
        if pixels == 0 {
            return Ok(());
        }
        if pixels > self.capacity {
            return Err(Error::Internal(
                "window larger than the runner's capacity".into(),
            ));
        }
        self.params.pixel_count = pixels as u32;
        self.ctx
            .queue
            .write_buffer(&self.params_buf, 0, bytemuck::bytes_of(&self.params));
        let enc = self.encode_pass(pipeline, pixels, None);
        let (n_out, stride) = (self.n_out, self.out_stride);
        let mut f = f;
        self.finish_and_read(enc, pixels, 0, |words| {
            for j in 0..n_out {
                f(j, &words[j * stride..j * stride + pixels]);
            }
        })
    }

    /// Fill every output region with `bits` (poison in tests, initial state for accumulators).
    pub fn fill_outputs(&self, bits: u32) {
        let words = vec![bits; self.n_out * self.out_stride];
        self.ctx
            .queue
            .write_buffer(&self.output, 0, bytemuck::cast_slice(&words));
    }

    /// Zero output region `j`.
    pub fn clear_output(&self, j: usize) {
        let mut enc = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("climidx.clear"),
            });
        let stride = self.out_stride as u64 * 4;
        enc.clear_buffer(&self.output, j as u64 * stride, Some(stride));
        self.ctx.queue.submit([enc.finish()]);
    }

    /// Upload the bands of a window and set the pixel count.
    fn prepare(&mut self, data: &[Option<&[u32]>; ROLE_SLOTS], pixels: usize) -> Result<()> {
        if pixels > self.capacity {
            return Err(Error::Internal(
                "window larger than the runner's capacity".into(),
            ));
        }
        self.upload(data, pixels)?;
        self.params.pixel_count = pixels as u32;
        self.ctx
            .queue
            .write_buffer(&self.params_buf, 0, bytemuck::bytes_of(&self.params));
        Ok(())
    }

    /// Submit `enc` (plus the readback copy when staging), wait, and hand each output's first
    /// `pixels` words to `f`.
    fn finish_and_read(
        &self,
        enc: wgpu::CommandEncoder,
        pixels: usize,
        tail_words: usize,
        f: impl FnOnce(&[u32]),
    ) -> Result<()> {
        // The outputs (up to the last one's `pixels`), or through the statistics partials.
        let words = if tail_words > 0 {
            self.n_out * self.out_stride + tail_words
        } else {
            (self.n_out - 1) * self.out_stride + pixels
        };
        let used_bytes = words.next_multiple_of(2) as u64 * 4;
        transfer::read_back(
            self.ctx,
            enc,
            &self.output,
            self.readback.as_ref(),
            used_bytes,
            f,
        )
    }

    /// An encoder holding the compute pass over `pixels` pixels (optionally timestamped).
    pub(super) fn encode_pass(
        &self,
        pipeline: &wgpu::ComputePipeline,
        pixels: usize,
        timestamps: Option<&wgpu::QuerySet>,
    ) -> wgpu::CommandEncoder {
        dispatch::encode(
            self.ctx,
            pipeline,
            &self.bind_group,
            (pixels, PX_PER_INVOCATION),
            timestamps,
        )
    }

    /// Gather each used role's words of the window and upload them into its region.
    fn upload(&mut self, data: &[Option<&[u32]>; ROLE_SLOTS], pixels: usize) -> Result<()> {
        let mut parts: Vec<(usize, &[u32])> = Vec::new();
        for (slot, region) in self.regions.iter().enumerate() {
            if let Some((off, cap)) = region {
                let dtype = DataType::from_shader_code(self.params.bands[slot].dtype);
                let n = dtype.words_for(pixels);
                let words = data[slot]
                    .ok_or_else(|| Error::Internal(format!("no data for role slot {slot}")))?;
                if n > *cap || words.len() < n {
                    return Err(Error::Internal(
                        "band window does not fit its region".into(),
                    ));
                }
                parts.push((*off, &words[..n]));
            }
        }
        transfer::upload(self.ctx, &self.input, &parts)
    }
}
