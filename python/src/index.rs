//! `climidx.index` and `climidx.expr` on arrays: names (built-in kernels, catalogue entries,
//! formulas) resolved exactly as on the CLI, every band packed as a file's window would be, and
//! all indices computed in one fused pass by [`climidx::engine::compute_into`] without the GIL.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use climidx::engine::compute_views;
use climidx::kernels::abi::BandParams;
use climidx::kernels::catalogue::Catalog;
use climidx::kernels::expr::{BandScope, Program};
use climidx::kernels::resolve::resolve;
use climidx::kernels::samples::{BandView, DataType, NodataMatch, PackedBand};
use climidx::kernels::{self, Consts, IndexRef, Role, ROLE_SLOTS};
use climidx::{Error, Result};
use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::arrays::{pack, Borrowed};
use crate::errors::to_py;

/// One input band as Python hands it over: role or ASI symbol, array, scale, offset, nodata.
pub type BandArg<'py> = (
    String,
    Bound<'py, PyAny>,
    Option<f32>,
    Option<f32>,
    Option<f64>,
);

/// The roles' known names, for the unknown-role message.
fn known_roles() -> String {
    Role::ALL
        .iter()
        .filter(|r| **r != Role::Mask)
        .map(|r| match r.asi_symbol() {
            Some(s) => format!("{} ({s})", r.name()),
            None => r.name().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn parse_role(key: &str) -> Result<Role> {
    match Role::parse(key.trim()) {
        Some(Role::Mask) => Err(Error::Usage(
            "bands: the mask role is for files (`climidx index --mask`); on arrays set masked pixels to the nodata value".into(),
        )),
        Some(r) => Ok(r),
        None => {
            let hint = kernels::suggest::role(key.trim())
                .map(|s| format!("; {s}"))
                .unwrap_or_default();
            Err(Error::Usage(format!(
                "bands: unknown role {key:?}{hint}; known roles: {}",
                known_roles()
            )))
        }
    }
}

/// The CLI's calibration check, naming the band.
pub fn check_calibration(what: &str, scale: Option<f32>, offset: Option<f32>) -> Result<()> {
    let bad_scale = scale.is_some_and(|s| !s.is_finite() || s == 0.0);
    let bad_offset = offset.is_some_and(|o| !o.is_finite());
    if bad_scale || bad_offset {
        return Err(Error::Usage(format!(
            "{what}: the scale must be finite and non-zero, the offset finite"
        )));
    }
    Ok(())
}

/// `formula` compiled as `climidx expr` does: ASI defaults for constants, every `consts` used.
fn compile_formula(formula: &str, consts: &[(String, f64)]) -> Result<(IndexRef, Consts)> {
    let scope = BandScope::with_asi_defaults(consts);
    let p = Program::compile(formula, &scope).map_err(|e| Error::Usage(e.to_string()))?;
    for (c, _) in consts {
        if !p.constants.iter().any(|(n, _)| n == c) {
            return Err(Error::Usage(format!(
                "consts: the formula does not use '{c}'"
            )));
        }
    }
    let d =
        kernels::IndexDesc::from_program(formula, "formula", kernels::Family::Expression, p, "");
    let k = d.default_constants();
    Ok((d, k))
}

/// Names to descriptors: `formula` forces the one name to be compiled as a formula (`expr`).
pub fn descriptors(
    names: &[String],
    consts: &[(String, f64)],
    catalog: Option<&PathBuf>,
    formula: bool,
) -> Result<(Vec<IndexRef>, Vec<Consts>)> {
    if formula {
        let (d, k) = compile_formula(&names[0], consts)?;
        return Ok((vec![d], vec![k]));
    }
    if names.is_empty() {
        return Err(Error::Usage("no index given".into()));
    }
    let catalog = catalog.map(|p| Catalog::load(p)).transpose()?;
    resolve(names, catalog.as_ref(), consts)
}

/// One checked input: role, decode parameters, the borrowed array, its f64 nodata, its name.
pub type Checked<'py> = (Role, BandParams, Borrowed<'py>, Option<f64>, String);

/// Check the bands against the indices and borrow the ones they use; returns them with the
/// shape they share.
fn gather<'py>(
    indices: &[IndexRef],
    bands: &[BandArg<'py>],
) -> PyResult<(Vec<usize>, Vec<Checked<'py>>)> {
    let mut roles: Vec<(Role, usize)> = Vec::new();
    for (i, (key, ..)) in bands.iter().enumerate() {
        let r = parse_role(key).map_err(to_py)?;
        if roles.iter().any(|(x, _)| *x == r) {
            return Err(to_py(Error::Usage(format!(
                "band role '{}' is given twice",
                r.name()
            ))));
        }
        roles.push((r, i));
    }
    for d in indices {
        if let Some(r) = d.roles.iter().find(|r| !roles.iter().any(|(x, _)| x == *r)) {
            return Err(to_py(Error::Usage(format!(
                "index '{}' needs the '{}' band; pass bands={{'{}': array, ...}}",
                d.name,
                r.name(),
                r.name()
            ))));
        }
    }
    let needed = kernels::registry::roles_used(indices);
    let mut shape: Option<(Vec<usize>, &str)> = None;
    let mut out = Vec::new();
    for (role, i) in roles.iter().filter(|(r, _)| needed.contains(r)) {
        let (key, obj, scale, offset, nodata) = &bands[*i];
        let what = format!("band '{key}'");
        check_calibration(&what, *scale, *offset).map_err(to_py)?;
        let b = Borrowed::of(obj, &what)?;
        let s = b.shape();
        match &shape {
            None => shape = Some((s, key)),
            Some((s0, k0)) if *s0 != s => {
                return Err(to_py(Error::Mismatch(format!(
                    "band '{key}' has shape {s:?} but band '{k0}' has {s0:?}; all bands must have one shape"
                ))))
            }
            _ => {}
        }
        let dtype = b.dtype();
        let bp = BandParams::new(
            dtype,
            NodataMatch::for_band(dtype, *nodata),
            scale.unwrap_or(1.0),
            offset.unwrap_or(0.0),
        );
        out.push((*role, bp, b, *nodata, what));
    }
    Ok((shape.map(|(s, _)| s).unwrap_or_default(), out))
}

/// A band as the kernels read it: numpy's own buffer viewed as packed words when it can be
/// (8/16-bit samples filling whole aligned words, 32-bit samples), else a packed copy.
enum Band<'a> {
    View(BandView<'a>),
    Packed(PackedBand),
}

impl Band<'_> {
    fn view(&self) -> BandView<'_> {
        match self {
            Band::View(v) => *v,
            Band::Packed(p) => p.view(),
        }
    }
}

/// Compute `indices` over the bands (`(role, params, dtype, native bytes, f64 nodata)`, all of
/// `pixels` samples) on `device` into `out`, one `(n, pixels)` float32 buffer. Runs without the
/// GIL.
pub fn compute(
    indices: &[IndexRef],
    k: &[Consts],
    bands: &[(Role, BandParams, DataType, &[u8], Option<f64>)],
    pixels: usize,
    device: (climidx::engine::gpu::DeviceChoice, Option<&str>),
    out_nodata: f64,
    out: &mut [f32],
) -> Result<()> {
    let held: Vec<(Role, BandParams, Band<'_>)> = bands
        .iter()
        .map(|(r, bp, dtype, bytes, nd)| {
            let dtype = *dtype;
            let band = match BandView::borrow(dtype, bytes) {
                Some(v) => Band::View(v),
                None => Band::Packed(pack(dtype, bytes, *nd)),
            };
            (*r, *bp, band)
        })
        .collect();
    let mut slots: [Option<(BandParams, BandView<'_>)>; ROLE_SLOTS] = [None; ROLE_SLOTS];
    for (r, bp, b) in &held {
        slots[r.slot()] = Some((*bp, b.view()));
    }
    let backend = crate::device::backend(device.0, device.1)?;
    if out.len() != pixels * indices.len() {
        return Err(Error::Internal("output buffer of the wrong size".into()));
    }
    if pixels > 0 {
        let mut views: Vec<&mut [f32]> = out.chunks_mut(pixels).collect();
        let nodata_bits = (out_nodata as f32).to_bits();
        let t = std::time::Instant::now();
        compute_views(
            backend,
            indices,
            k,
            &slots,
            nodata_bits,
            None,
            false,
            &mut views,
        )?;
        ENGINE_NS.store(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }
    Ok(())
}

/// Nanoseconds the last `compute` spent in the engine ([`compute_views`], the Rust in-memory
/// path `climidx bench --no-file` times), for the benchmark's binding-overhead figure.
static ENGINE_NS: AtomicU64 = AtomicU64::new(0);

/// Seconds the last index computation in this process spent in the engine itself (the rest of
/// a call's time is the binding's: argument checks, borrowing, the output array).
#[pyfunction]
pub fn _last_engine_seconds() -> f64 {
    ENGINE_NS.load(Ordering::Relaxed) as f64 * 1e-9
}

/// The core of `index` and `expr` (see python/climidx/__init__.py for the public signature).
#[pyfunction]
#[pyo3(signature = (names, bands, consts, catalog, device, adapter, out_nodata, formula, out=None))]
#[allow(clippy::too_many_arguments)]
pub fn _index<'py>(
    py: Python<'py>,
    names: Vec<String>,
    bands: Vec<BandArg<'py>>,
    consts: Vec<(String, f64)>,
    catalog: Option<PathBuf>,
    device: &str,
    adapter: Option<String>,
    out_nodata: f64,
    formula: bool,
    out: Option<Bound<'py, PyArrayDyn<f32>>>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let choice = crate::device::parse(device).map_err(to_py)?;
    let (indices, k) = descriptors(&names, &consts, catalog.as_ref(), formula).map_err(to_py)?;
    evaluate(py, &indices, &k, &bands, choice, adapter, out_nodata, out)
}

/// `indices` with constants `k` over `bands` on the device `choice`: a `(len(indices), *shape)`
/// float32 array, new or `out` written in place. The work of `_index` once its names are
/// resolved, and of `_lst`.
#[allow(clippy::too_many_arguments)]
pub fn evaluate<'py>(
    py: Python<'py>,
    indices: &[IndexRef],
    k: &[Consts],
    bands: &[BandArg<'py>],
    choice: climidx::engine::gpu::DeviceChoice,
    adapter: Option<String>,
    out_nodata: f64,
    out: Option<Bound<'py, PyArrayDyn<f32>>>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let (band_shape, checked) = gather(indices, bands)?;
    let views: Vec<(Role, BandParams, DataType, &[u8], Option<f64>)> = checked
        .iter()
        .map(|(r, bp, b, nd, what)| Ok((*r, *bp, b.dtype(), b.bytes(what)?, *nd)))
        .collect::<PyResult<_>>()?;
    let pixels: usize = band_shape.iter().product();
    let mut shape = vec![indices.len()];
    shape.extend(&band_shape);
    let run = |buf: &mut [f32]| {
        py.detach(|| {
            compute(
                indices,
                k,
                &views,
                pixels,
                (choice, adapter.as_deref()),
                out_nodata,
                buf,
            )
        })
        .map_err(to_py)
    };
    match out {
        // The caller's array, written in place (no allocation, no first-touch page faults).
        Some(arr) => {
            if arr.shape() != shape.as_slice() {
                return Err(PyValueError::new_err(format!(
                    "out: shape {:?}, expected {shape:?} (indices, then the bands' shape)",
                    arr.shape()
                )));
            }
            {
                let mut rw = arr
                    .try_readwrite()
                    .map_err(|e| PyValueError::new_err(format!("out: cannot write to it ({e})")))?;
                let buf = rw.as_slice_mut().map_err(|_| {
                    PyValueError::new_err("out: must be C-contiguous (np.empty(shape, np.float32))")
                })?;
                run(buf)?;
            }
            Ok(arr)
        }
        None => {
            // The last freed result's buffer when it fits (no page faults), else a new one
            // advised for huge pages (crate::pool).
            let mut buf = crate::pool::take(pixels * indices.len());
            run(&mut buf)?;
            crate::pool::into_array(py, buf)?.reshape(shape)
        }
    }
}
