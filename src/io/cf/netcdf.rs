//! NetCDF-4 (HDF5) and NetCDF-3 classic files through the pure-Rust `netcdf-reader` crate.

use std::path::{Path, PathBuf};

use netcdf_reader::{NcAttrValue, NcFile, NcFormat, NcOpenOptions, NcSliceInfo, NcSliceInfoElem};

use super::store::{Attr, Store, VarMeta};
use crate::error::{Error, Result};

/// The decoded-chunk cache of one open file (netcdf-reader's default is 64 MiB).
pub const CHUNK_CACHE_BYTES: usize = 8 << 20;

pub struct NetCdf {
    file: NcFile,
    path: PathBuf,
    /// NetCDF-4 (HDF5) rather than NetCDF-3.
    hdf5: bool,
}

/// True when the file starts with a NetCDF-3 (`CDF\1`, `CDF\2`, `CDF\5`) or HDF5 signature.
pub fn has_signature(path: &Path) -> bool {
    use std::io::Read;
    let mut b = [0u8; 8];
    let ok = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut b));
    ok.is_ok() && (b == *b"\x89HDF\r\n\x1a\n" || (&b[..3] == b"CDF" && matches!(b[3], 1 | 2 | 5)))
}

impl NetCdf {
    pub fn open(path: &Path) -> Result<NetCdf> {
        // Each member is opened for one window read: a small chunk cache is enough.
        let mut options = NcOpenOptions::default();
        options.chunk_cache_bytes = CHUNK_CACHE_BYTES;
        let file = NcFile::open_with_options(path, options)
            .map_err(|e| Error::input(path, format!("cannot read as NetCDF: {e}")))?;
        Ok(NetCdf {
            hdf5: matches!(file.format(), NcFormat::Nc4 | NcFormat::Nc4Classic),
            file,
            path: path.to_path_buf(),
        })
    }

    /// The HDF5 chunk shape of variable `name` of a NetCDF-4 file (none for NetCDF-3, whose
    /// variables are stored row by row, or a contiguous variable). netcdf-reader does not expose
    /// it, so the file is opened once more with its HDF5 reader; a file that reader cannot open
    /// simply reports no chunks (the shape only sizes how a stack is read, never what is read).
    fn chunk_shape(&self, name: &str) -> Option<Vec<u64>> {
        if !self.hdf5 {
            return None;
        }
        let f = hdf5_reader::Hdf5File::open(&self.path).ok()?;
        let dims = f.dataset(name).ok()?.chunks()?;
        Some(dims.into_iter().map(u64::from).collect())
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::input(&self.path, e)
    }
}

fn attr(v: &NcAttrValue) -> Option<Attr> {
    match v {
        NcAttrValue::Chars(s) => Some(Attr::Text(s.clone())),
        NcAttrValue::Strings(s) => Some(Attr::Text(s.join(""))),
        other => other.as_f64_vec().map(Attr::Num),
    }
}

impl Store for NetCdf {
    fn path(&self) -> &Path {
        &self.path
    }

    fn variables(&self) -> Result<Vec<String>> {
        Ok(self
            .file
            .variables()
            .map_err(|e| self.err(e))?
            .iter()
            .map(|v| v.name().to_string())
            .collect())
    }

    fn meta(&self, name: &str) -> Result<Option<VarMeta>> {
        let vars = self.file.variables().map_err(|e| self.err(e))?;
        let Some(v) = vars.iter().find(|v| v.name() == name) else {
            return Ok(None);
        };
        Ok(Some(VarMeta {
            dims: v.dimensions().iter().map(|d| d.name.clone()).collect(),
            shape: v.shape(),
            attrs: v
                .attributes()
                .iter()
                .filter_map(|a| Some((a.name.clone(), attr(&a.value)?)))
                .collect(),
            format_fill: None,
            chunks: if v.dimensions().len() == 3 {
                self.chunk_shape(name)
            } else {
                None
            },
        }))
    }

    fn read(&self, name: &str, start: &[u64], count: &[u64]) -> Result<Vec<f64>> {
        let sel = NcSliceInfo {
            selections: start
                .iter()
                .zip(count)
                .map(|(&s, &c)| NcSliceInfoElem::Slice {
                    start: s,
                    end: s + c,
                    step: 1,
                })
                .collect(),
        };
        let a = self
            .file
            .read_variable_slice_as_f64(name, &sel)
            .map_err(|e| self.err(format!("reading {name}: {e}")))?;
        Ok(a.iter().copied().collect())
    }
}
