//! numpy arrays in: the sample types the CLI reads, borrowed read-only while they are packed
//! (the Python layer has already made each array C-contiguous and native-endian, copying only
//! the arrays that were not).

use climidx::kernels::samples::{DataType, PackedBand};
use numpy::{PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// One borrowed input array of a supported sample type.
pub enum Borrowed<'py> {
    U8(PyReadonlyArrayDyn<'py, u8>),
    I8(PyReadonlyArrayDyn<'py, i8>),
    U16(PyReadonlyArrayDyn<'py, u16>),
    I16(PyReadonlyArrayDyn<'py, i16>),
    U32(PyReadonlyArrayDyn<'py, u32>),
    I32(PyReadonlyArrayDyn<'py, i32>),
    F32(PyReadonlyArrayDyn<'py, f32>),
    F64(PyReadonlyArrayDyn<'py, f64>),
}

/// The sample types, in the words of the error messages.
pub const SUPPORTED: &str = "uint8, int8, uint16, int16, uint32, int32, float32 or float64";

macro_rules! try_as {
    ($obj:expr, $t:ty, $v:ident) => {
        if let Ok(a) = $obj.cast::<PyArrayDyn<$t>>() {
            return Ok(Borrowed::$v(a.try_readonly().map_err(|e| {
                PyValueError::new_err(format!("{}: {e}", "array is being written elsewhere"))
            })?));
        }
    };
}

impl<'py> Borrowed<'py> {
    /// Borrow `obj` (a numpy array) for reading; `what` names it in errors.
    pub fn of(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Self> {
        try_as!(obj, u8, U8);
        try_as!(obj, i8, I8);
        try_as!(obj, u16, U16);
        try_as!(obj, i16, I16);
        try_as!(obj, u32, U32);
        try_as!(obj, i32, I32);
        try_as!(obj, f32, F32);
        try_as!(obj, f64, F64);
        let dtype = obj
            .getattr("dtype")
            .and_then(|d| d.str().map(|s| s.to_string()))
            .unwrap_or_else(|_| "unknown".into());
        Err(PyTypeError::new_err(format!(
            "{what}: unsupported sample type {dtype}; climidx reads {SUPPORTED} (convert with .astype)"
        )))
    }

    pub fn dtype(&self) -> DataType {
        match self {
            Borrowed::U8(_) => DataType::U8,
            Borrowed::I8(_) => DataType::I8,
            Borrowed::U16(_) => DataType::U16,
            Borrowed::I16(_) => DataType::I16,
            Borrowed::U32(_) => DataType::U32,
            Borrowed::I32(_) => DataType::I32,
            Borrowed::F32(_) => DataType::F32,
            Borrowed::F64(_) => DataType::F64,
        }
    }

    pub fn shape(&self) -> Vec<usize> {
        match self {
            Borrowed::U8(a) => a.shape().to_vec(),
            Borrowed::I8(a) => a.shape().to_vec(),
            Borrowed::U16(a) => a.shape().to_vec(),
            Borrowed::I16(a) => a.shape().to_vec(),
            Borrowed::U32(a) => a.shape().to_vec(),
            Borrowed::I32(a) => a.shape().to_vec(),
            Borrowed::F32(a) => a.shape().to_vec(),
            Borrowed::F64(a) => a.shape().to_vec(),
        }
    }

    /// The samples as native-endian bytes (the array is C-contiguous and aligned).
    pub fn bytes(&self, what: &str) -> PyResult<&[u8]> {
        fn b<'a, T: numpy::Element + bytemuck::Pod>(
            a: &'a PyReadonlyArrayDyn<'_, T>,
            what: &str,
        ) -> PyResult<&'a [u8]> {
            a.as_slice().map(bytemuck::cast_slice).map_err(|_| {
                PyValueError::new_err(format!("{what}: the array is not C-contiguous and aligned"))
            })
        }
        match self {
            Borrowed::U8(a) => b(a, what),
            Borrowed::I8(a) => b(a, what),
            Borrowed::U16(a) => b(a, what),
            Borrowed::I16(a) => b(a, what),
            Borrowed::U32(a) => b(a, what),
            Borrowed::I32(a) => b(a, what),
            Borrowed::F32(a) => b(a, what),
            Borrowed::F64(a) => b(a, what),
        }
    }
}

/// Pack `bytes` of `dtype` (f64 nodata applied while converting, as for files).
pub fn pack(dtype: DataType, bytes: &[u8], nodata: Option<f64>) -> PackedBand {
    PackedBand::from_native(dtype, bytes, nodata)
}
