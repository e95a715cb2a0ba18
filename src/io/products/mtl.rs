//! Landsat MTL metadata (`*_MTL.txt`): `GROUP = NAME` … `END_GROUP = NAME` blocks of
//! `KEY = VALUE` lines, as written for Collection 1 and Collection 2, Level-1 and Level-2.
//!
//! Keys are kept with the group they appear in, because Collection 2 Level-2 files repeat keys
//! (e.g. `REFLECTANCE_MULT_BAND_4` both in `LEVEL1_RADIOMETRIC_RESCALING` and in
//! `LEVEL2_SURFACE_REFLECTANCE_PARAMETERS`, with different values). [`Mtl::level1`] looks a
//! key up outside `LEVEL2_*` groups.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

#[derive(Clone, Debug)]
pub struct Mtl {
    pub path: PathBuf,
    /// (innermost group, key, value without quotes)
    entries: Vec<(String, String, String)>,
}

impl Mtl {
    pub fn read(path: &Path) -> Result<Mtl> {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::input(path, format!("cannot read MTL file: {e}")))?;
        let text = String::from_utf8_lossy(&bytes);
        Mtl::parse(&text, path)
    }

    /// Parse MTL text. Unknown lines are skipped; a text without a single `KEY = VALUE` line is
    /// an error.
    pub fn parse(text: &str, path: &Path) -> Result<Mtl> {
        let mut groups: Vec<String> = Vec::new();
        let mut entries = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line == "END" {
                break;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let value = value.trim().trim_matches('"').trim();
            match key {
                "GROUP" => groups.push(value.to_string()),
                "END_GROUP" => {
                    groups.pop();
                }
                _ if !key.is_empty()
                    && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
                {
                    let group = groups.last().cloned().unwrap_or_default();
                    entries.push((group, key.to_string(), value.to_string()));
                }
                _ => {}
            }
        }
        if entries.is_empty() {
            return Err(Error::input(
                path,
                "not a Landsat MTL file (no KEY = VALUE lines)",
            ));
        }
        Ok(Mtl {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// Metadata handed over as `KEY → value` pairs (no groups: every key counts as Level-1),
    /// named `label` in messages. No pair at all is an error.
    pub fn from_pairs(pairs: Vec<(String, String)>, label: &Path) -> Result<Mtl> {
        if pairs.is_empty() {
            return Err(Error::input(label, "no MTL keys given"));
        }
        let entries = pairs
            .into_iter()
            .map(|(k, v)| (String::new(), k.trim().to_string(), v.trim().to_string()))
            .collect();
        Ok(Mtl {
            path: label.to_path_buf(),
            entries,
        })
    }

    /// The first value of `key` in any group.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(_, k, _)| k == key)
            .map(|(_, _, v)| v.as_str())
    }

    /// The value of `key` outside `LEVEL2_*` groups (Level-1 calibration), else anywhere.
    pub fn level1(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(g, k, _)| k == key && !g.starts_with("LEVEL2"))
            .or_else(|| self.entries.iter().find(|(_, k, _)| k == key))
            .map(|(_, _, v)| v.as_str())
    }

    /// A Level-1 number, or an error naming the key and the file.
    pub fn number(&self, key: &str) -> Result<f64> {
        let v = self
            .level1(key)
            .ok_or_else(|| Error::input(&self.path, format!("{key} is missing")))?;
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| Error::input(&self.path, format!("{key} = {v:?} is not a number")))
    }

    /// A Level-1 number if present (and an error if present but not a number).
    pub fn optional_number(&self, key: &str) -> Result<Option<f64>> {
        match self.level1(key) {
            None => Ok(None),
            Some(_) => self.number(key).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C2_L2: &str = r#"GROUP = LANDSAT_METADATA_FILE
  GROUP = PRODUCT_CONTENTS
    FILE_NAME_BAND_ST_B10 = "LC08_L2SP_190028_20230715_20230725_02_T1_ST_B10.TIF"
  END_GROUP = PRODUCT_CONTENTS
  GROUP = IMAGE_ATTRIBUTES
    SPACECRAFT_ID = "LANDSAT_8"
    SUN_ELEVATION = 60.51234567
  END_GROUP = IMAGE_ATTRIBUTES
  GROUP = LEVEL2_SURFACE_REFLECTANCE_PARAMETERS
    REFLECTANCE_MULT_BAND_4 = 2.75E-05
  END_GROUP = LEVEL2_SURFACE_REFLECTANCE_PARAMETERS
  GROUP = LEVEL1_RADIOMETRIC_RESCALING
    REFLECTANCE_MULT_BAND_4 = 2.0000E-05
    RADIANCE_ADD_BAND_10 = BAD
  END_GROUP = LEVEL1_RADIOMETRIC_RESCALING
END_GROUP = LANDSAT_METADATA_FILE
END
"#;

    #[test]
    fn level1_keys_win_over_level2_duplicates() {
        let m = Mtl::parse(C2_L2, Path::new("x_MTL.txt")).unwrap();
        assert_eq!(m.get("SPACECRAFT_ID"), Some("LANDSAT_8"));
        assert_eq!(m.number("REFLECTANCE_MULT_BAND_4").unwrap(), 2.0e-5);
        assert_eq!(m.number("SUN_ELEVATION").unwrap(), 60.51234567);
        assert!(m
            .number("K1_CONSTANT_BAND_10")
            .unwrap_err()
            .to_string()
            .contains("K1_CONSTANT_BAND_10 is missing"));
        assert!(m
            .number("RADIANCE_ADD_BAND_10")
            .unwrap_err()
            .to_string()
            .contains("not a number"));
        assert_eq!(
            m.get("FILE_NAME_BAND_ST_B10"),
            Some("LC08_L2SP_190028_20230715_20230725_02_T1_ST_B10.TIF")
        );
    }

    #[test]
    fn collection1_layout_and_crlf() {
        let c1 = "GROUP = L1_METADATA_FILE\r\n  GROUP = PRODUCT_METADATA\r\n    SPACECRAFT_ID = \"LANDSAT_5\"\r\n  END_GROUP = PRODUCT_METADATA\r\n  GROUP = TIRS_THERMAL_CONSTANTS\r\n    K1_CONSTANT_BAND_6 = 607.76\r\n  END_GROUP = TIRS_THERMAL_CONSTANTS\r\nEND_GROUP = L1_METADATA_FILE\r\nEND\r\n";
        let m = Mtl::parse(c1, Path::new("x")).unwrap();
        assert_eq!(m.get("SPACECRAFT_ID"), Some("LANDSAT_5"));
        assert_eq!(m.number("K1_CONSTANT_BAND_6").unwrap(), 607.76);
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(Mtl::parse("hello\nworld\n", Path::new("x")).is_err());
    }
}
