//! The `climidx._climidx` extension module: the engine's in-memory entry points and file jobs
//! for Python. The public API, its argument normalisation (dtypes, byte order, contiguity,
//! per-band dicts) and the xarray accessor live in python/climidx/; this crate only converts
//! and calls the library (`climidx` without its command-line feature).

mod arrays;
mod catalog;
mod climate;
mod device;
mod errors;
mod files;
mod index;
mod lst;
mod pool;

use pyo3::prelude::*;

/// Threads of the native CPU path (rayon's global pool).
#[pyfunction]
fn cpu_threads() -> usize {
    rayon::current_num_threads()
}

/// The vector form of the native CPU kernels on this CPU (`avx2` or `baseline`).
#[pyfunction]
fn cpu_simd() -> &'static str {
    climidx::kernels::simd::level()
}

#[pymodule]
fn _climidx(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(index::_index, m)?)?;
    m.add_function(wrap_pyfunction!(lst::_lst, m)?)?;
    m.add_function(wrap_pyfunction!(climate::_climatology, m)?)?;
    m.add_function(wrap_pyfunction!(files::_run_index, m)?)?;
    m.add_function(wrap_pyfunction!(files::adapters, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::list_indices, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::show, m)?)?;
    m.add_function(wrap_pyfunction!(cpu_threads, m)?)?;
    m.add_function(wrap_pyfunction!(cpu_simd, m)?)?;
    m.add_function(wrap_pyfunction!(index::_last_engine_seconds, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
