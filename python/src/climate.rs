//! `climidx.climatology` on a `(T, H, W)` array: per-pixel count, mean, std, min and max with
//! the engine's [`Accumulator`] (the CPU twin or the GPU kernel), window by window. Each window
//! of each time step is packed just before it is added, so the extra memory is one window, not
//! a copy of the stack.

use climidx::engine::accumulator::Accumulator;
use climidx::kernels::abi::BandParams;
use climidx::kernels::climatology::STATS;
use climidx::kernels::samples::{DataType, NodataMatch, PackedBand};
use climidx::{Error, Result};
use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::Borrowed;
use crate::errors::to_py;
use crate::index::check_calibration;

/// Pixels per window (a multiple of 4, so every window starts on a word of any packing).
const WINDOW: usize = 1 << 20;

fn run(
    bytes: &[u8],
    dtype: DataType,
    steps: usize,
    pixels: usize,
    bp: BandParams,
    nodata: Option<f64>,
    k: [u32; 2],
    device: (climidx::engine::gpu::DeviceChoice, Option<&str>),
    nodata_bits: u32,
) -> Result<Vec<Vec<u32>>> {
    let backend = crate::device::backend(device.0, device.1)?;
    let win = WINDOW.min(pixels.max(1).next_multiple_of(4));
    let kf = [k[0] as f32, k[1] as f32];
    let mut acc = Accumulator::new(backend, win, nodata_bits, kf)?;
    let mut out = vec![vec![0u32; pixels]; STATS.len()];
    let mut outs = vec![vec![0u32; win]; STATS.len()];
    let size = dtype.file_bytes();
    let mut start = 0;
    while start < pixels {
        let n = win.min(pixels - start);
        acc.reset(n);
        for t in 0..steps {
            let at = (t * pixels + start) * size;
            let band: PackedBand =
                PackedBand::from_native(dtype, &bytes[at..at + n * size], nodata);
            acc.add(bp, &band.words, n)?;
        }
        acc.finish(n, kf, nodata_bits, &mut outs)?;
        for (o, w) in out.iter_mut().zip(&outs) {
            o[start..start + n].copy_from_slice(&w[..n]);
        }
        start += n;
    }
    Ok(out)
}

/// The core of `climidx.climatology` (see python/climidx/__init__.py).
#[pyfunction]
#[pyo3(signature = (stack, scale, offset, nodata, min_count, ddof, device, adapter, out_nodata))]
#[allow(clippy::too_many_arguments)]
pub fn _climatology<'py>(
    py: Python<'py>,
    stack: Bound<'py, PyAny>,
    scale: Option<f32>,
    offset: Option<f32>,
    nodata: Option<f64>,
    min_count: u32,
    ddof: u32,
    device: &str,
    adapter: Option<String>,
    out_nodata: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let choice = crate::device::parse(device).map_err(to_py)?;
    check_calibration("climatology", scale, offset).map_err(to_py)?;
    if min_count < 1 {
        return Err(to_py(Error::Usage("min_count must be at least 1".into())));
    }
    let b = Borrowed::of(&stack, "stack")?;
    let shape = b.shape();
    if shape.len() != 3 {
        return Err(to_py(Error::Usage(format!(
            "stack: expected a (time, y, x) array, got shape {shape:?}"
        ))));
    }
    let dtype = b.dtype();
    let bp = BandParams::new(
        dtype,
        NodataMatch::for_band(dtype, nodata),
        scale.unwrap_or(1.0),
        offset.unwrap_or(0.0),
    );
    let bytes = b.bytes("stack")?;
    let (steps, pixels) = (shape[0], shape[1] * shape[2]);
    let nodata_bits = (out_nodata as f32).to_bits();
    let ad = adapter.as_deref();
    let outs = py
        .detach(|| {
            run(
                bytes,
                dtype,
                steps,
                pixels,
                bp,
                nodata,
                [min_count, ddof],
                (choice, ad),
                nodata_bits,
            )
        })
        .map_err(to_py)?;
    let d = PyDict::new(py);
    let hw = [shape[1], shape[2]];
    for (name, words) in STATS.iter().zip(outs) {
        if *name == "count" {
            d.set_item(*name, words.into_pyarray(py).reshape(hw)?)?;
        } else {
            let f: Vec<f32> = bytemuck::cast_vec(words);
            d.set_item(*name, f.into_pyarray(py).reshape(hw)?)?;
        }
    }
    Ok(d)
}
