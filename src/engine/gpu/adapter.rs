//! Adapter discovery and choice.
//!
//! The instance honours wgpu's environment variables (`WGPU_BACKEND`, `WGPU_VALIDATION`, …)
//! through `InstanceDescriptor::new_without_display_handle_from_env`. `WGPU_ADAPTER_NAME` is read
//! here (not by wgpu's helper, which panics on no match) and acts like `--adapter`.

use crate::error::{Error, Result};

/// Which device runs the kernels (`--device`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice {
    /// A hardware GPU if there is one, else the native CPU path (faster than a software
    /// adapter on CPU-only machines; see README "Performance").
    Auto,
    /// A hardware GPU; an error if there is none.
    Gpu,
    /// wgpu's software adapter (Mesa lavapipe / llvmpipe, WARP).
    Software,
    /// The native Rust path (multi-threaded CPU reference).
    Cpu,
}

impl crate::choice::Choice for DeviceChoice {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (
            DeviceChoice::Auto,
            "auto",
            "A hardware GPU if there is one, else the native CPU path",
        ),
        (
            DeviceChoice::Gpu,
            "gpu",
            "A hardware GPU; an error if there is none",
        ),
        (
            DeviceChoice::Software,
            "software",
            "wgpu's software adapter (Mesa lavapipe / llvmpipe, WARP)",
        ),
        (
            DeviceChoice::Cpu,
            "cpu",
            "The native Rust path (multi-threaded CPU reference)",
        ),
    ];
}

/// What `climidx adapters` prints about one adapter.
#[derive(Clone, Debug)]
pub struct AdapterSummary {
    pub name: String,
    pub backend: wgpu::Backend,
    pub device_type: wgpu::DeviceType,
    pub driver: String,
    pub driver_info: String,
    pub max_storage_binding: u64,
    pub max_buffer: u64,
    pub max_workgroups_per_dim: u32,
    pub mappable_primary_buffers: bool,
    pub timestamps: bool,
}

impl AdapterSummary {
    pub fn of(a: &wgpu::Adapter) -> Self {
        let info = a.get_info();
        let limits = a.limits();
        let f = a.features();
        AdapterSummary {
            name: info.name,
            backend: info.backend,
            device_type: info.device_type,
            driver: info.driver,
            driver_info: info.driver_info,
            max_storage_binding: limits.max_storage_buffer_binding_size,
            max_buffer: limits.max_buffer_size,
            max_workgroups_per_dim: limits.max_compute_workgroups_per_dimension,
            mappable_primary_buffers: f.contains(wgpu::Features::MAPPABLE_PRIMARY_BUFFERS),
            timestamps: f.contains(wgpu::Features::TIMESTAMP_QUERY),
        }
    }

    pub fn is_software(&self) -> bool {
        self.device_type == wgpu::DeviceType::Cpu
    }

    /// The most loop iterations one shader invocation may run in all before the driver ends
    /// its loops early, silently: Mesa's llvmpipe (lavapipe on Vulkan, llvmpipe on GL) counts
    /// every loop of a shader against one limiter of 65 535 iterations
    /// (`LP_MAX_TGSI_LOOP_ITERATIONS` in gallivm). `None`: no such limit known.
    pub fn loop_limit(&self) -> Option<u64> {
        let llvmpipe = |s: &str| s.to_ascii_lowercase().contains("llvmpipe");
        (llvmpipe(&self.name) || llvmpipe(&self.driver)).then_some(65_535)
    }

    /// Refuse (`Error::Device`, pointing to `--device cpu`) a kernel that `what` describes,
    /// needing up to `need` loop iterations per invocation, where [`Self::loop_limit`] would end
    /// its loops early.
    pub fn check_loop_bound(&self, what: &str, need: u64) -> Result<()> {
        match self.loop_limit() {
            Some(limit) if need > limit => Err(Error::Device(format!(
                "{what} needs up to {need} loop iterations per GPU invocation, more than {} allows ({limit}); use --device cpu",
                self.name
            ))),
            _ => Ok(()),
        }
    }

    pub fn one_line(&self) -> String {
        format!(
            "{} ({:?}, {:?}, {} {})",
            self.name, self.backend, self.device_type, self.driver, self.driver_info
        )
    }
}

/// A wgpu instance configured from the environment (`WGPU_BACKEND` etc.).
pub fn instance() -> wgpu::Instance {
    wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env())
}

/// Every adapter the instance sees.
pub fn enumerate(instance: &wgpu::Instance) -> Vec<wgpu::Adapter> {
    pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()))
}

fn backend_rank(b: wgpu::Backend) -> u32 {
    match b {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal => 0,
        wgpu::Backend::Dx12 => 1,
        _ => 2,
    }
}

fn type_rank(t: wgpu::DeviceType) -> u32 {
    match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

/// The adapter name filter: `--adapter` if given, else `WGPU_ADAPTER_NAME`.
pub fn name_filter(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_string)
        .or_else(|| std::env::var("WGPU_ADAPTER_NAME").ok())
        .filter(|s| !s.is_empty())
}

/// Pick the adapter for `choice` among `adapters`. `Ok(None)` means "use the native CPU path"
/// (only for [`DeviceChoice::Auto`] without a hardware GPU, and for [`DeviceChoice::Cpu`]).
pub fn pick(
    adapters: &[AdapterSummary],
    choice: DeviceChoice,
    name: Option<&str>,
) -> Result<Option<usize>> {
    if choice == DeviceChoice::Cpu {
        return Ok(None);
    }
    let listing = || {
        if adapters.is_empty() {
            "none".to_string()
        } else {
            adapters
                .iter()
                .map(|a| a.one_line())
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    let mut cands: Vec<usize> = (0..adapters.len())
        .filter(|&i| match name {
            Some(n) => adapters[i].name.to_lowercase().contains(&n.to_lowercase()),
            None => true,
        })
        .collect();
    if let Some(n) = name {
        if cands.is_empty() {
            return Err(Error::NoAdapter(format!(
                "no adapter name contains {n:?}; adapters found: {}",
                listing()
            )));
        }
    }
    match choice {
        DeviceChoice::Software => cands.retain(|&i| adapters[i].is_software()),
        // `--adapter NAME` with auto may name a software adapter on purpose.
        DeviceChoice::Auto if name.is_some() => {}
        _ => cands.retain(|&i| !adapters[i].is_software()),
    }
    cands.sort_by_key(|&i| {
        (
            type_rank(adapters[i].device_type),
            backend_rank(adapters[i].backend),
        )
    });
    match (cands.first(), choice) {
        (Some(&i), _) => Ok(Some(i)),
        (None, DeviceChoice::Auto) if name.is_none() => Ok(None),
        (None, DeviceChoice::Software) => Err(Error::NoAdapter(format!(
            "no software adapter found (adapters: {}); install Mesa's lavapipe \
             (`apt-get install mesa-vulkan-drivers`) or use --device cpu",
            listing()
        ))),
        (None, _) => Err(Error::NoAdapter(format!(
            "no hardware GPU adapter found (adapters: {}); use --device software or --device cpu",
            listing()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(name: &str, backend: wgpu::Backend, t: wgpu::DeviceType) -> AdapterSummary {
        AdapterSummary {
            name: name.into(),
            backend,
            device_type: t,
            driver: String::new(),
            driver_info: String::new(),
            max_storage_binding: 1 << 27,
            max_buffer: 1 << 31,
            max_workgroups_per_dim: 65535,
            mappable_primary_buffers: false,
            timestamps: false,
        }
    }

    #[test]
    fn choice_rules() {
        use wgpu::{Backend::*, DeviceType::*};
        let list = vec![
            a("llvmpipe", Gl, Cpu),
            a("llvmpipe", Vulkan, Cpu),
            a("Intel UHD", Vulkan, IntegratedGpu),
            a("NVIDIA H100", Gl, DiscreteGpu),
            a("NVIDIA H100", Vulkan, DiscreteGpu),
        ];
        assert_eq!(pick(&list, DeviceChoice::Auto, None).unwrap(), Some(4));
        assert_eq!(
            pick(&list, DeviceChoice::Gpu, Some("intel")).unwrap(),
            Some(2)
        );
        assert_eq!(pick(&list, DeviceChoice::Software, None).unwrap(), Some(1));
        assert_eq!(pick(&list, DeviceChoice::Cpu, None).unwrap(), None);
        assert_eq!(
            pick(&list, DeviceChoice::Auto, Some("llvm")).unwrap(),
            Some(1)
        );
        let err = pick(&list, DeviceChoice::Gpu, Some("radeon"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("radeon") && err.contains("NVIDIA H100"),
            "{err}"
        );

        let sw = vec![a("llvmpipe", Vulkan, Cpu)];
        assert_eq!(pick(&sw, DeviceChoice::Auto, None).unwrap(), None);
        assert!(pick(&sw, DeviceChoice::Gpu, None)
            .unwrap_err()
            .to_string()
            .contains("no hardware GPU"));
        assert!(pick(&[], DeviceChoice::Software, None)
            .unwrap_err()
            .to_string()
            .contains("mesa-vulkan-drivers"));
    }
}
