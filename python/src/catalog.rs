//! `climidx.list_indices()` and `climidx.show(name)`: the built-in kernels and the catalogue
//! (built-in or a file), as dictionaries.

use std::path::PathBuf;

use climidx::kernels::catalogue::{Catalog, Entry};
use climidx::kernels::{self, IndexDesc, INDICES};
use climidx::Error;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::to_py;

fn kernel_dict<'py>(py: Python<'py>, d: &IndexDesc) -> PyResult<Bound<'py, PyDict>> {
    let m = PyDict::new(py);
    m.set_item("name", d.name.as_ref())?;
    m.set_item("long_name", d.long_name.as_ref())?;
    m.set_item("kind", "built-in kernel")?;
    m.set_item("domain", d.family.name())?;
    m.set_item("formula", d.formula.as_ref())?;
    let roles: Vec<&str> = d.roles.iter().map(|r| r.name()).collect();
    m.set_item("bands", roles)?;
    let consts: Vec<(&str, f32)> = d.constants.iter().map(|c| (c.name, c.value)).collect();
    m.set_item(
        "constants",
        PyDict::from_sequence(&consts.into_pyobject(py)?)?,
    )?;
    m.set_item("reference", d.reference.as_ref())?;
    Ok(m)
}

fn entry_dict<'py>(py: Python<'py>, e: &Entry, source: &str) -> PyResult<Bound<'py, PyDict>> {
    let m = PyDict::new(py);
    m.set_item("name", &e.name)?;
    m.set_item("long_name", &e.long_name)?;
    m.set_item("kind", format!("{source} catalogue"))?;
    m.set_item("domain", &e.domain)?;
    m.set_item("formula", &e.formula)?;
    m.set_item("bands", e.bands())?;
    let c = PyDict::new(py);
    for (k, v) in &e.constants {
        c.set_item(k, *v)?;
    }
    m.set_item("constants", c)?;
    m.set_item("reference", &e.reference)?;
    m.set_item("note", &e.note)?;
    m.set_item("unsupported", e.unsupported.as_deref())?;
    Ok(m)
}

/// Every built-in kernel, then every entry of the catalogue (`catalog` file, else built-in).
#[pyfunction]
#[pyo3(signature = (catalog=None))]
pub fn list_indices(py: Python<'_>, catalog: Option<PathBuf>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    let mut out = Vec::new();
    if let Some(p) = catalog {
        let cat = Catalog::load(&p).map_err(to_py)?;
        for e in &cat.entries {
            out.push(entry_dict(py, e, &cat.source)?);
        }
        return Ok(out);
    }
    for d in INDICES {
        out.push(kernel_dict(py, d)?);
    }
    for e in &Catalog::builtin().entries {
        out.push(entry_dict(py, e, "built-in")?);
    }
    Ok(out)
}

/// What `climidx show NAME` prints, as a dict (the kernel when there is one, else the entry).
#[pyfunction]
#[pyo3(signature = (name, catalog=None))]
pub fn show<'py>(
    py: Python<'py>,
    name: &str,
    catalog: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let file = catalog
        .as_deref()
        .map(Catalog::load)
        .transpose()
        .map_err(to_py)?;
    if let Some(e) = file.as_ref().and_then(|c| c.find(name)) {
        return entry_dict(
            py,
            e,
            &file.as_ref().map(|c| c.source.clone()).unwrap_or_default(),
        );
    }
    if let Some(d) = kernels::find(name) {
        return kernel_dict(py, &d);
    }
    if let Some(e) = Catalog::builtin().find(name) {
        return entry_dict(py, e, "built-in");
    }
    let hint = kernels::resolve::suggest_index(name, file.as_ref())
        .map(|s| format!("; {s}"))
        .unwrap_or_default();
    Err(to_py(Error::Usage(format!(
        "unknown index {name:?}; see climidx.list_indices(){hint}"
    ))))
}
