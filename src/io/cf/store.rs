//! What climidx needs from a NetCDF file or a Zarr store: variable names, each variable's
//! dimensions, shape and attributes, and hyperslabs read as f64 (only the chunks that cover
//! them are decoded).

use std::path::Path;

use crate::error::Result;

/// An attribute value, as far as CF decoding needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Attr {
    Text(String),
    Num(Vec<f64>),
}

impl Attr {
    pub fn text(&self) -> Option<&str> {
        match self {
            Attr::Text(s) => Some(s),
            Attr::Num(_) => None,
        }
    }
    pub fn num(&self) -> Option<f64> {
        match self {
            Attr::Num(v) => v.first().copied(),
            Attr::Text(_) => None,
        }
    }
}

/// One variable's description.
#[derive(Clone, Debug, Default)]
pub struct VarMeta {
    pub dims: Vec<String>,
    pub shape: Vec<u64>,
    pub attrs: Vec<(String, Attr)>,
    /// The fill value the format itself declares where CF's `_FillValue` lives there (Zarr
    /// v2 `fill_value`, which xarray uses as `_FillValue`).
    pub format_fill: Option<f64>,
    /// The chunk shape, when the variable is chunked.
    pub chunks: Option<Vec<u64>>,
}

impl VarMeta {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }
    pub fn text(&self, name: &str) -> Option<&str> {
        self.attr(name).and_then(Attr::text)
    }
    pub fn num(&self, name: &str) -> Option<f64> {
        self.attr(name).and_then(Attr::num)
    }
    pub fn nums(&self, name: &str) -> Vec<f64> {
        match self.attr(name) {
            Some(Attr::Num(v)) => v.clone(),
            _ => Vec::new(),
        }
    }
}

/// A NetCDF file or a Zarr group.
pub trait Store: Send {
    /// Where it is, for messages.
    fn path(&self) -> &Path;
    /// The variables (arrays) it holds.
    fn variables(&self) -> Result<Vec<String>>;
    /// A variable's description; `Ok(None)` when there is no such variable.
    fn meta(&self, name: &str) -> Result<Option<VarMeta>>;
    /// The hyperslab `start .. start + count` of `name`, C order, as f64.
    fn read(&self, name: &str, start: &[u64], count: &[u64]) -> Result<Vec<f64>>;
}
