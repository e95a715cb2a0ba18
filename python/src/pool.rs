//! New output arrays without new memory: when the array of a large result is freed, its buffer
//! is kept (one at most) and the next call that needs a buffer of the same length writes into
//! it. A fresh 10980² float32 array is 482 MB the kernel must map and zero page by page on
//! first touch (on the 2-vCPU VM more than a third of a new NDVI array's time) and unmap when
//! Python frees it; a recycled one costs neither. `out=` remains the way to hold no spare.
//!
//! A recycled buffer holds the last result's values: the engine writes every element of its
//! outputs (valid value or nodata), and a test computes twice into the same buffer.

use std::sync::{Mutex, MutexGuard};

use numpy::ndarray::ArrayView1;
use numpy::PyArray1;
use pyo3::prelude::*;

/// Buffers at least this large are kept when their array is freed; the allocator recycles
/// smaller ones itself.
const KEEP_BYTES: usize = 64 << 20;

/// The last large output buffer whose array was freed.
static SPARE: Mutex<Option<Vec<f32>>> = Mutex::new(None);

fn spare() -> MutexGuard<'static, Option<Vec<f32>>> {
    // A panic elsewhere cannot leave an Option half-written.
    SPARE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A buffer of `n` floats for a new output, its contents unspecified (the caller overwrites
/// every element): the spare one if it has that length, else new (zeroed, advised for huge
/// pages). A spare of another length is freed, so no stale buffer outlives a change of size.
pub fn take(n: usize) -> Vec<f32> {
    let old = {
        let mut s = spare();
        match s.take() {
            Some(v) if v.len() == n => return v,
            other => other,
        }
    };
    drop(old);
    climidx::hugepages::zeroed_f32(n)
}

/// The Python object that owns a result's buffer: the base of the numpy array, which gives the
/// buffer back as the spare when it is freed.
#[pyclass(module = "climidx._climidx")]
pub struct OutputBuffer {
    data: Vec<f32>,
}

impl Drop for OutputBuffer {
    fn drop(&mut self) {
        let data = std::mem::take(&mut self.data);
        if data.len() * 4 >= KEEP_BYTES {
            let old = spare().replace(data);
            drop(old);
        }
    }
}

/// `data` as a one-dimensional numpy array owned by an [`OutputBuffer`].
pub fn into_array(py: Python<'_>, data: Vec<f32>) -> PyResult<Bound<'_, PyArray1<f32>>> {
    let owner = Bound::new(py, OutputBuffer { data })?;
    let held = owner.borrow();
    let view = ArrayView1::from(&held.data[..]);
    // SAFETY: the view's memory is the owner's Vec, which nothing reallocates or frees while
    // the owner lives (its only mutation is the `take` in Drop), and the array keeps the
    // owner alive as its base.
    let array = unsafe { PyArray1::borrow_from_array(&view, owner.clone().into_any()) };
    drop(held);
    Ok(array)
}
