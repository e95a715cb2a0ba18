//! Zarr v2 and v3 groups on the local file system through the `zarrs` crate, laid out as
//! xarray writes them: one array per variable under the group, dimension names in
//! `_ARRAY_DIMENSIONS` (v2) or `dimension_names` (v3), CF attributes beside them, and CF's
//! `_FillValue` in the v2 array's `fill_value` or in the v3 attributes (base64 for floats).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use zarrs::array::{Array, ArraySubset};
use zarrs::filesystem::FilesystemStore;

use super::store::{Attr, Store, VarMeta};
use crate::error::{Error, Result};

pub struct Zarr {
    store: Arc<FilesystemStore>,
    path: PathBuf,
}

/// True when `path` is a Zarr group (v2 `.zgroup`, v3 `zarr.json`).
pub fn is_group(path: &Path) -> bool {
    path.join(".zgroup").is_file() || path.join("zarr.json").is_file()
}

fn is_array(dir: &Path) -> bool {
    if dir.join(".zarray").is_file() {
        return true;
    }
    std::fs::read_to_string(dir.join("zarr.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v["node_type"] == "array")
}

/// The sample type of an array, from its metadata.
#[derive(Clone, Copy, Debug)]
enum Dt {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

fn dtype(meta: &serde_json::Value) -> Option<Dt> {
    let s = meta
        .get("data_type")
        .or_else(|| meta.get("dtype"))?
        .as_str()?;
    let s = s.trim_start_matches(['<', '>', '|', '=']);
    Some(match s {
        "int8" | "i1" => Dt::I8,
        "uint8" | "u1" => Dt::U8,
        "int16" | "i2" => Dt::I16,
        "uint16" | "u2" => Dt::U16,
        "int32" | "i4" => Dt::I32,
        "uint32" | "u4" => Dt::U32,
        "int64" | "i8" => Dt::I64,
        "uint64" | "u8" => Dt::U64,
        "float32" | "f4" => Dt::F32,
        "float64" | "f8" => Dt::F64,
        _ => return None,
    })
}

/// A JSON fill value: a number, "NaN"/"Infinity", or (v3 attributes) base64 of the raw
/// little-endian sample.
fn fill(v: &serde_json::Value, dt: Option<Dt>) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            b64 => {
                let b = base64(b64)?;
                match (dt, b.len()) {
                    (_, 8) => Some(f64::from_le_bytes(b.try_into().ok()?)),
                    (_, 4) => Some(f32::from_le_bytes(b.try_into().ok()?) as f64),
                    _ => None,
                }
            }
        },
        _ => None,
    }
}

fn base64(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for q in bytes.chunks(4) {
        let mut n = 0u32;
        for (k, &c) in q.iter().enumerate() {
            n |= val(c)? << (18 - 6 * k);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..q.len()]);
    }
    Some(out)
}

fn attr(v: &serde_json::Value) -> Option<Attr> {
    match v {
        serde_json::Value::String(s) => Some(Attr::Text(s.clone())),
        serde_json::Value::Number(n) => Some(Attr::Num(vec![n.as_f64()?])),
        serde_json::Value::Array(a) => {
            let nums: Option<Vec<f64>> = a.iter().map(|x| x.as_f64()).collect();
            nums.map(Attr::Num)
        }
        _ => None,
    }
}

impl Zarr {
    pub fn open(path: &Path) -> Result<Zarr> {
        let store = FilesystemStore::new(path)
            .map_err(|e| Error::input(path, format!("cannot open as a Zarr store: {e}")))?;
        Ok(Zarr {
            store: Arc::new(store),
            path: path.to_path_buf(),
        })
    }

    /// The array's metadata document as stored (`.zarray` for v2, `zarr.json` for v3).
    fn raw_meta(&self, name: &str) -> Result<serde_json::Value> {
        let dir = self.path.join(name);
        let f = if dir.join(".zarray").is_file() {
            dir.join(".zarray")
        } else {
            dir.join("zarr.json")
        };
        let text = std::fs::read_to_string(&f)
            .map_err(|e| Error::input(&f, format!("cannot read: {e}")))?;
        serde_json::from_str(&text).map_err(|e| Error::input(&f, format!("not JSON: {e}")))
    }

    fn array(&self, name: &str) -> Result<Array<FilesystemStore>> {
        Array::open(self.store.clone(), &format!("/{name}")).map_err(|e| {
            Error::input(
                &self.path,
                format!("cannot open the Zarr array {name}: {e} (climidx reads the zstd, gzip, zlib and blosc codecs)"),
            )
        })
    }
}

impl Store for Zarr {
    fn path(&self) -> &Path {
        &self.path
    }

    fn variables(&self) -> Result<Vec<String>> {
        let rd = std::fs::read_dir(&self.path)
            .map_err(|e| Error::input(&self.path, format!("cannot list: {e}")))?;
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter(|e| is_array(&e.path()))
            .filter_map(|e| e.file_name().to_str().map(String::from))
            .collect();
        names.sort();
        Ok(names)
    }

    fn meta(&self, name: &str) -> Result<Option<VarMeta>> {
        if name.contains(['/', '\\']) || !is_array(&self.path.join(name)) {
            return Ok(None);
        }
        let a = self.array(name)?;
        let meta = self.raw_meta(name)?;
        let dt = dtype(&meta);
        let attrs = a.attributes();
        let mut dims: Vec<String> = a
            .dimension_names()
            .as_ref()
            .map(|d| {
                d.iter()
                    .map(|n| n.as_deref().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default();
        if dims.is_empty() {
            if let Some(serde_json::Value::Array(d)) = attrs.get("_ARRAY_DIMENSIONS") {
                dims = d
                    .iter()
                    .map(|x| x.as_str().unwrap_or_default().to_string())
                    .collect();
            }
        }
        let mut out: Vec<(String, Attr)> = Vec::new();
        let mut format_fill = None;
        for (k, v) in attrs {
            if k == "_FillValue" {
                if let Some(f) = fill(v, dt) {
                    out.push((k.clone(), Attr::Num(vec![f])));
                }
            } else if let Some(a) = attr(v) {
                out.push((k.clone(), a));
            }
        }
        if meta.get("zarr_format").and_then(|v| v.as_u64()) == Some(2) {
            format_fill = meta.get("fill_value").and_then(|v| fill(v, dt));
        }
        let chunks = meta
            .get("chunks")
            .or_else(|| meta.pointer("/chunk_grid/configuration/chunk_shape"))
            .and_then(|c| c.as_array())
            .map(|c| c.iter().filter_map(|x| x.as_u64()).collect());
        Ok(Some(VarMeta {
            dims,
            shape: a.shape().to_vec(),
            attrs: out,
            format_fill,
            chunks,
        }))
    }

    fn read(&self, name: &str, start: &[u64], count: &[u64]) -> Result<Vec<f64>> {
        let a = self.array(name)?;
        let meta = self.raw_meta(name)?;
        let ranges: Vec<std::ops::Range<u64>> =
            start.iter().zip(count).map(|(&s, &c)| s..s + c).collect();
        let sub = ArraySubset::new_with_ranges(&ranges);
        let err = |e: zarrs::array::ArrayError| {
            Error::input(&self.path, format!("reading the Zarr array {name}: {e}"))
        };
        macro_rules! get {
            ($t:ty) => {
                a.retrieve_array_subset::<Vec<$t>>(&sub)
                    .map_err(err)?
                    .into_iter()
                    .map(|v| v as f64)
                    .collect()
            };
        }
        Ok(match dtype(&meta) {
            Some(Dt::I8) => get!(i8),
            Some(Dt::U8) => get!(u8),
            Some(Dt::I16) => get!(i16),
            Some(Dt::U16) => get!(u16),
            Some(Dt::I32) => get!(i32),
            Some(Dt::U32) => get!(u32),
            Some(Dt::I64) => get!(i64),
            Some(Dt::U64) => get!(u64),
            Some(Dt::F32) => get!(f32),
            Some(Dt::F64) => get!(f64),
            None => {
                return Err(Error::input(
                    &self.path,
                    format!("the Zarr array {name} has a sample type climidx does not read (integers and floats only)"),
                ))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_fill_values() {
        // xarray's NaN fill for float64, as it writes it in v3 attributes.
        let b = super::base64("AAAAAAAA+H8=").unwrap();
        assert!(f64::from_le_bytes(b.try_into().unwrap()).is_nan());
        let b = super::base64("AACAvw==").unwrap();
        assert_eq!(f32::from_le_bytes(b.try_into().unwrap()), -1.0);
    }
}
