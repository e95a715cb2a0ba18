//! The GPU context: instance, adapter, device and queue, created once and passed to every
//! kernel. It requests the adapter's own limits (wgpu's defaults cap buffers at 256 MiB),
//! installs an uncaptured-error handler and a device-lost callback that turn faults into
//! [`Error::Device`] instead of panics, and bounds every wait with a timeout.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::adapter::{self, AdapterSummary, DeviceChoice};
use crate::error::{Error, Result};

/// Default bound on one wait for the device (override: `CLIMIDX_GPU_TIMEOUT_S`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How windows travel between host and device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transfer {
    /// Mapped buffers on software adapters that offer `MAPPABLE_PRIMARY_BUFFERS` (host memory:
    /// no copies), staging everywhere else.
    #[default]
    Auto,
    /// `queue.write_buffer` uploads and a readback copy, as on hardware GPUs, on any adapter
    /// (tests run the hardware path on lavapipe with this).
    Staging,
    /// Mapped primary buffers; an error where the adapter lacks the feature.
    Mapped,
}

impl crate::choice::Choice for Transfer {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (
            Transfer::Auto,
            "auto",
            "Mapped buffers on software adapters, staging on hardware GPUs",
        ),
        (
            Transfer::Staging,
            "staging",
            "write_buffer uploads and a readback copy, on any adapter",
        ),
        (
            Transfer::Mapped,
            "mapped",
            "Mapped primary buffers (software adapters)",
        ),
    ];
}

/// Choices made when the device is created.
#[derive(Clone, Copy, Debug)]
pub struct GpuOptions {
    pub transfer: Transfer,
    /// Bound on any single wait for the device.
    pub timeout: Duration,
}

impl Default for GpuOptions {
    fn default() -> Self {
        GpuOptions {
            transfer: Transfer::Auto,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl GpuOptions {
    /// The defaults, overridden by `CLIMIDX_GPU_TRANSFER` (`auto`, `staging`, `mapped`) and
    /// `CLIMIDX_GPU_TIMEOUT_S` (seconds). A value that does not parse is an error.
    pub fn from_env() -> Result<Self> {
        use crate::choice::Choice;
        let mut o = GpuOptions::default();
        if let Ok(s) = std::env::var("CLIMIDX_GPU_TRANSFER") {
            o.transfer = Transfer::from_word(&s).ok_or_else(|| {
                Error::Usage(format!(
                    "CLIMIDX_GPU_TRANSFER={s:?}: expected one of {}",
                    Transfer::words().join(", ")
                ))
            })?;
        }
        if let Ok(s) = std::env::var("CLIMIDX_GPU_TIMEOUT_S") {
            let secs = s.parse::<f64>().ok().filter(|v| *v > 0.0).ok_or_else(|| {
                Error::Usage(format!("CLIMIDX_GPU_TIMEOUT_S={s:?}: expected seconds > 0"))
            })?;
            o.timeout = Duration::from_secs_f64(secs);
        }
        Ok(o)
    }
}

pub struct GpuContext {
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub summary: AdapterSummary,
    pub limits: wgpu::Limits,
    /// Storage buffers can be mapped directly (software adapters): no staging copies.
    pub mappable: bool,
    pub timeout: Duration,
    fault: Arc<Mutex<Option<String>>>,
    layout: wgpu::BindGroupLayout,
    pipelines: Mutex<HashMap<String, Arc<wgpu::ComputePipeline>>>,
}

impl GpuContext {
    /// Open the device `choice` asks for among the adapters wgpu sees (`name`: an adapter name
    /// filter, else `WGPU_ADAPTER_NAME`): `Some(context)` for a wgpu adapter, `None` for the
    /// native CPU path. What `--device`/`--adapter` do on the CLI and `device=` in Python.
    pub fn open(choice: DeviceChoice, name: Option<&str>) -> Result<Option<Self>> {
        if choice == DeviceChoice::Cpu {
            return Ok(None);
        }
        let instance = adapter::instance();
        let mut adapters = adapter::enumerate(&instance);
        let summaries: Vec<AdapterSummary> = adapters.iter().map(AdapterSummary::of).collect();
        let name = adapter::name_filter(name);
        match adapter::pick(&summaries, choice, name.as_deref())? {
            Some(i) => Ok(Some(Self::new(adapters.swap_remove(i))?)),
            None => {
                log::info!("no hardware GPU adapter: using the native CPU path");
                Ok(None)
            }
        }
    }

    /// Create the device on `adapter` with [`GpuOptions::from_env`].
    pub fn new(adapter: wgpu::Adapter) -> Result<Self> {
        Self::with_options(adapter, GpuOptions::from_env()?)
    }

    /// Create the device on `adapter`.
    pub fn with_options(adapter: wgpu::Adapter, opts: GpuOptions) -> Result<Self> {
        let summary = AdapterSummary::of(&adapter);
        let mut features = wgpu::Features::empty();
        // Mapped primary buffers are host memory on CPU adapters (a win) but slow host-visible
        // storage on discrete GPUs, so only ask for them on software adapters.
        let mappable = match opts.transfer {
            Transfer::Auto => summary.is_software() && summary.mappable_primary_buffers,
            Transfer::Staging => false,
            Transfer::Mapped if summary.mappable_primary_buffers => true,
            Transfer::Mapped => {
                return Err(Error::Device(format!(
                    "{} has no mappable primary buffers; use the staging transfer",
                    summary.one_line()
                )))
            }
        };
        if mappable {
            features |= wgpu::Features::MAPPABLE_PRIMARY_BUFFERS;
        }
        if summary.timestamps {
            features |= wgpu::Features::TIMESTAMP_QUERY;
        }
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("climidx"),
            required_features: features,
            required_limits: adapter.limits(),
            ..Default::default()
        }))
        .map_err(|e| Error::Device(format!("cannot open {}: {e}", summary.one_line())))?;
        let fault: Arc<Mutex<Option<String>>> = Arc::default();
        let f = fault.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            log::error!("wgpu: {e}");
            let mut g = f.lock().unwrap_or_else(|p| p.into_inner());
            g.get_or_insert_with(|| e.to_string().lines().next().unwrap_or("").to_string());
        }));
        let f = fault.clone();
        device.set_device_lost_callback(move |reason, msg| {
            if reason != wgpu::DeviceLostReason::Destroyed {
                let mut g = f.lock().unwrap_or_else(|p| p.into_inner());
                g.get_or_insert_with(|| format!("device lost ({reason:?}): {msg}"));
            }
        });
        let timeout = opts.timeout;
        let entry = |binding, ty| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty,
            count: None,
        };
        let storage = |read_only| wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("climidx.layout"),
            entries: &[
                entry(
                    0,
                    wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                ),
                entry(1, storage(true)),
                entry(2, storage(false)),
            ],
        });
        let limits = device.limits();
        log::info!(
            "adapter: {} ({} transfer)",
            summary.one_line(),
            if mappable { "mapped" } else { "staging" }
        );
        let ctx = GpuContext {
            adapter,
            device,
            queue,
            summary,
            limits,
            mappable,
            timeout,
            fault,
            layout,
            pipelines: Mutex::default(),
        };
        ctx.check()?;
        Ok(ctx)
    }

    /// Return the first device fault seen since the last check, as an error.
    pub fn check(&self) -> Result<()> {
        let mut g = self.fault.lock().unwrap_or_else(|p| p.into_inner());
        match g.take() {
            Some(m) => Err(Error::Device(m)),
            None => Ok(()),
        }
    }

    pub fn bind_group_layout(&self) -> &wgpu::BindGroupLayout {
        &self.layout
    }

    /// Largest buffer we may bind as one storage binding.
    pub fn max_binding_bytes(&self) -> u64 {
        self.limits
            .max_storage_buffer_binding_size
            .min(self.limits.max_buffer_size)
    }

    /// The compute pipeline for WGSL `source` (entry point `main`), compiled once per source.
    pub fn pipeline(&self, key: &str, source: &str) -> Result<Arc<wgpu::ComputePipeline>> {
        let mut cache = self.pipelines.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = cache.get(key) {
            return Ok(p.clone());
        }
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(key),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
        let layout = self
            .device
            .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(key),
                bind_group_layouts: &[Some(&self.layout)],
                immediate_size: 0,
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(key),
                layout: Some(&layout),
                module: &module,
                entry_point: Some(crate::kernels::abi::ENTRY_POINT),
                compilation_options: Default::default(),
                cache: None,
            });
        // A kernel that does not compile is a bug in climidx, not a device condition: report it
        // as internal so no caller retries it as if memory were short.
        self.check().map_err(|e| {
            Error::Internal(format!(
                "kernel {key} does not compile: {}",
                e.to_string().trim()
            ))
        })?;
        let p = Arc::new(pipeline);
        cache.insert(key.to_string(), p.clone());
        Ok(p)
    }

    /// Wait for `submission` (or all work) with the context's timeout.
    pub fn wait(&self, submission: Option<wgpu::SubmissionIndex>) -> Result<()> {
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: submission,
                timeout: Some(self.timeout),
            })
            .map_err(|e| match e {
                wgpu::PollError::Timeout => Error::Device(format!(
                    "the GPU did not finish within {:?} (set CLIMIDX_GPU_TIMEOUT_S to wait longer)",
                    self.timeout
                )),
                other => Error::Device(other.to_string()),
            })?;
        self.check()
    }
}
