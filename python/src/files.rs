//! File jobs from Python: `climidx.run_index` runs the streaming engine (the CLI's
//! `climidx index`) on GeoTIFFs, in a scoped thread while the calling thread, without the GIL,
//! checks for Python signals every 50 ms: Ctrl-C in a notebook trips the job's
//! [`CancelToken`], the job stops at the next window and removes its partial output, and the
//! call raises `KeyboardInterrupt`. `climidx.adapters()` lists what wgpu sees.

use std::path::PathBuf;
use std::time::Duration;

use climidx::engine::gpu::{adapter, AdapterSummary};
use climidx::engine::{run_index_job, CancelToken, Control, IndexJob, NoProgress};
use climidx::io::geotiff::encode::Compression;
use climidx::io::BandSource;
use climidx::Error;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::to_py;
use crate::index::{check_calibration, descriptors, parse_role};

/// One file band: role, path, 1-based band, scale, offset, nodata.
pub type FileBand = (String, PathBuf, u16, Option<f32>, Option<f32>, Option<f64>);

/// The core of `climidx.run_index` (see python/climidx/__init__.py).
#[pyfunction]
#[pyo3(signature = (names, bands, output, scale, offset, nodata, consts, catalog, device, adapter, out_nodata, overwrite, formula))]
#[allow(clippy::too_many_arguments)]
pub fn _run_index<'py>(
    py: Python<'py>,
    names: Vec<String>,
    bands: Vec<FileBand>,
    output: PathBuf,
    scale: Option<f32>,
    offset: Option<f32>,
    nodata: Option<f64>,
    consts: Vec<(String, f64)>,
    catalog: Option<PathBuf>,
    device: &str,
    adapter: Option<String>,
    out_nodata: f64,
    overwrite: bool,
    formula: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let choice = crate::device::parse(device).map_err(to_py)?;
    check_calibration("scale", scale, offset).map_err(to_py)?;
    let (indices, constants) =
        descriptors(&names, &consts, catalog.as_ref(), formula).map_err(to_py)?;
    let mut sources = Vec::new();
    for (role, path, band, s, o, nd) in bands {
        let r = parse_role(&role).map_err(to_py)?;
        check_calibration(&format!("band '{role}'"), s, o).map_err(to_py)?;
        if band == 0 {
            return Err(to_py(Error::Usage(format!(
                "band '{role}': band number must be 1 or more"
            ))));
        }
        let mut b = BandSource::new(r, path, band);
        if s.is_some() || o.is_some() {
            b.scale = Some(s.unwrap_or(1.0));
            b.offset = Some(o.unwrap_or(0.0));
        }
        b.force_nodata = nd;
        sources.push(b);
    }
    let job = IndexJob {
        indices,
        constants,
        bands: sources,
        calibration: climidx::engine::Calibration {
            scale,
            offset,
            nodata,
        },
        out_nodata,
        output,
        overwrite,
        window_pixels: None,
        mem_limit: 256 << 20,
        metadata: Vec::new(),
        compression: Compression::default(),
        tile: 512,
        pyramid: Default::default(),
        stats: None,
        quicklook: None,
        scaled_int16: None,
    };
    job.validate().map_err(to_py)?;
    let token = CancelToken::new();
    let ctl = Control {
        cancel: token.clone(),
        progress: std::sync::Arc::new(NoProgress),
    };
    let mut interrupt: Option<PyErr> = None;
    let result = py.detach(|| {
        let backend = crate::device::backend(choice, adapter.as_deref())?;
        std::thread::scope(|s| {
            let h = s.spawn(|| run_index_job(&job, backend, &ctl));
            while !h.is_finished() {
                std::thread::sleep(Duration::from_millis(50));
                if interrupt.is_none() {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        token.cancel();
                        interrupt = Some(e);
                    }
                }
            }
            h.join()
                .unwrap_or_else(|_| Err(Error::Internal("the job thread panicked".into())))
        })
    });
    if let Some(e) = interrupt {
        return Err(e);
    }
    let r = result.map_err(to_py)?;
    let d = PyDict::new(py);
    d.set_item("output", r.output)?;
    d.set_item("width", r.width)?;
    d.set_item("height", r.height)?;
    d.set_item("windows", r.windows)?;
    d.set_item("device", r.device)?;
    d.set_item("seconds", r.total.as_secs_f64())?;
    let inputs: Vec<(String, PathBuf, u16, f32, f32, &str)> = r
        .inputs
        .into_iter()
        .map(|i| {
            (
                i.role.name().to_string(),
                i.path,
                i.band,
                i.scale,
                i.offset,
                i.calibration,
            )
        })
        .collect();
    d.set_item("inputs", inputs)?;
    Ok(d)
}

/// Every adapter wgpu sees (name, backend, type, driver) and what `device=` would pick.
#[pyfunction]
#[pyo3(signature = (device="auto", adapter=None))]
pub fn adapters<'py>(
    py: Python<'py>,
    device: &str,
    adapter: Option<String>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let choice = crate::device::parse(device).map_err(to_py)?;
    let list: Vec<AdapterSummary> = py.detach(|| {
        let instance = adapter::instance();
        adapter::enumerate(&instance)
            .iter()
            .map(AdapterSummary::of)
            .collect()
    });
    let name = adapter::name_filter(adapter.as_deref());
    let picked = adapter::pick(&list, choice, name.as_deref()).ok().flatten();
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let d = PyDict::new(py);
            d.set_item("name", &a.name)?;
            d.set_item("backend", format!("{:?}", a.backend).to_lowercase())?;
            d.set_item("type", format!("{:?}", a.device_type))?;
            d.set_item("driver", format!("{} {}", a.driver, a.driver_info))?;
            d.set_item("software", a.is_software())?;
            d.set_item("picked", picked == Some(i))?;
            Ok(d)
        })
        .collect()
}
