//! `climidx.lst` on arrays: the library's LST plan ([`climidx::io::products::lst::plan`], the
//! one `climidx lst` runs) over a scene's metadata — an MTL file or its keys as a dict — with
//! the bands' digital numbers handed over as arrays, computed by [`crate::index::evaluate`].

use std::path::{Path, PathBuf};

use climidx::io::products::landsat::Scene;
use climidx::io::products::lst::{self, Emissivity, LstConfig, LstMethod, LstOutput};
use climidx::io::products::mtl::Mtl;
use climidx::{Error, Result};
use numpy::PyArrayDyn;
use pyo3::prelude::*;

use crate::errors::to_py;
use crate::index::{evaluate, parse_role, BandArg};

fn method(word: &str) -> Result<LstMethod> {
    match word {
        "single-channel" => Ok(LstMethod::SingleChannel),
        "split-window" => Ok(LstMethod::SplitWindow),
        "c2l2-st" => Ok(LstMethod::C2l2St),
        _ => Err(Error::Usage(format!(
            "method {word:?}: expected 'single-channel', 'split-window' or 'c2l2-st'"
        ))),
    }
}

fn output(word: &str) -> Result<LstOutput> {
    match word {
        "lst" => Ok(LstOutput::Lst),
        "bt" => Ok(LstOutput::Bt),
        _ => Err(Error::Usage(format!(
            "output {word:?}: expected 'lst' or 'bt'"
        ))),
    }
}

/// The scene's metadata: an MTL file, or its `KEY → value` pairs.
fn scene(path: Option<PathBuf>, keys: Option<Vec<(String, String)>>) -> Result<Option<Scene>> {
    match (path, keys) {
        (Some(p), _) => Scene::from_mtl(&p).map(Some),
        (None, Some(k)) => {
            let mtl = Mtl::from_pairs(k, Path::new("mtl (dict)"))?;
            Scene::of(mtl, PathBuf::from(".")).map(Some)
        }
        (None, None) => Ok(None),
    }
}

/// The core of `lst` (see python/climidx/__init__.py for the public signature).
#[pyfunction]
#[pyo3(signature = (bands, mtl_path, mtl_keys, method_, output_, emissivity, ndvi_soil, ndvi_veg,
    emissivity_soil, emissivity_veg, cavity, wavelength, water_vapour, celsius, with_emissivity,
    high_gain, nodata, device, adapter, out_nodata))]
#[allow(clippy::too_many_arguments)]
pub fn _lst<'py>(
    py: Python<'py>,
    bands: Vec<(String, Bound<'py, PyAny>)>,
    mtl_path: Option<PathBuf>,
    mtl_keys: Option<Vec<(String, String)>>,
    method_: &str,
    output_: &str,
    emissivity: Vec<String>,
    ndvi_soil: f32,
    ndvi_veg: f32,
    emissivity_soil: Option<f32>,
    emissivity_veg: Option<f32>,
    cavity: f32,
    wavelength: Option<f32>,
    water_vapour: Option<f32>,
    celsius: bool,
    with_emissivity: bool,
    high_gain: bool,
    nodata: Option<f64>,
    device: &str,
    adapter: Option<String>,
    out_nodata: f64,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let choice = crate::device::parse(device).map_err(to_py)?;
    let cfg = LstConfig {
        method: method(method_).map_err(to_py)?,
        output: output(output_).map_err(to_py)?,
        emissivity: Emissivity::parse(&emissivity).map_err(to_py)?,
        ndvi_soil,
        ndvi_veg,
        emissivity_soil,
        emissivity_veg,
        cavity,
        wavelength,
        water_vapour,
        celsius,
        with_emissivity,
        high_gain,
    };
    let sc = scene(mtl_path, mtl_keys).map_err(to_py)?;
    if sc.is_none() && cfg.method != LstMethod::C2l2St {
        return Err(to_py(Error::Usage(format!(
            "method {method_:?} needs the scene's calibration: pass mtl=PATH of its *_MTL.txt or mtl={{KEY: value, ...}}"
        ))));
    }
    let plan = lst::plan(&cfg, sc.as_ref()).map_err(to_py)?;
    let mut given = Vec::new();
    for (key, arr) in bands {
        let role = parse_role(&key).map_err(to_py)?;
        if !plan.bands.iter().any(|b| b.role == role) {
            return Err(to_py(Error::Usage(format!(
                "bands: method {method_:?} does not use the '{}' band (it reads {})",
                role.name(),
                plan.bands
                    .iter()
                    .map(|b| format!("'{}'", b.role.name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))));
        }
        given.push((role, key, arr));
    }
    let mut args: Vec<BandArg<'py>> = Vec::new();
    for b in &plan.bands {
        let Some((_, key, arr)) = given.iter().find(|(r, ..)| *r == b.role) else {
            return Err(to_py(Error::Usage(format!(
                "{} the '{}' band ({}): pass bands={{'{}': array of its DNs, ...}}",
                b.needed_by,
                b.role.name(),
                b.label(),
                b.role.name()
            ))));
        };
        args.push((
            key.clone(),
            arr.clone(),
            Some(b.scale as f32),
            Some(b.offset as f32),
            nodata,
        ));
    }
    evaluate(
        py,
        &plan.indices,
        &plan.consts,
        &args,
        choice,
        adapter,
        out_nodata,
        None,
    )
}
