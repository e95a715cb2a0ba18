//! Sensor presets (`--sensor`): find each band a run needs in a product folder by the product's
//! own naming, with its DN → reflectance calibration, so that no `--band` is needed.
//!
//! - `landsat-l1-toa`: Landsat 4–9 Level-1, Collection 1 or 2. Top-of-atmosphere reflectance
//!   ρ = (REFLECTANCE_MULT_BAND_x · DN + REFLECTANCE_ADD_BAND_x) / sin(SUN_ELEVATION) from the MTL
//!   (USGS Landsat 8 Data Users Handbook, section 5.1), fill DN 0. Bands: OLI B1 coastal, B2 blue,
//!   B3 green, B4 red, B5 NIR, B6 SWIR 1, B7 SWIR 2; TM/ETM+ B1 blue, B2 green, B3 red, B4 NIR, B5
//!   SWIR 1, B7 SWIR 2.
//! - `landsat-c2l2`: Collection 2 Level-2 surface reflectance `SR_B*`: DN · 0.0000275 − 0.2, fill
//!   0; `ST_B10`/`ST_B6` surface temperature: DN · 0.00341802 + 149.0 K (USGS, "How do I use a
//!   scale factor with Landsat Level-2 science products?").
//! - `sentinel2-l2a`: Sentinel-2 Level-2A bands `B01`…`B12`, `B8A` (GeoTIFF; ESA distributes JPEG
//!   2000, which must be converted first, keeping the names). Reflectance = (DN +
//!   BOA_ADD_OFFSET) / BOA_QUANTIFICATION_VALUE (10000), with the offset per band from
//!   `MTD_MSIL2A.xml` (−1000 from processing baseline 04.00, 25 January 2022, 0 before; ESA
//!   Sentinel-2 L2A Product Specification), else from the baseline in the product name (`_N0400_`),
//!   else `--boa-offset`. DN 0 is no data. The finest resolution of each band is used; 20 m and
//!   60 m bands are resampled onto the 10 m grid by nearest neighbour (see the engine).
//!
//! Quality layers for `--mask`: Landsat C2 `QA_PIXEL`, Sentinel-2 `SCL`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::products::landsat::{Mission, Scene};
use crate::io::source::BandSource;
use crate::kernels::Role;

/// A product convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sensor {
    LandsatL1Toa,
    LandsatC2l2,
    Sentinel2L2a,
}

impl crate::choice::Choice for Sensor {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (
            Sensor::LandsatL1Toa,
            "landsat-l1-toa",
            "Landsat 4–9 Level-1: top-of-atmosphere reflectance from the MTL",
        ),
        (
            Sensor::LandsatC2l2,
            "landsat-c2l2",
            "Landsat Collection 2 Level-2 surface reflectance and temperature",
        ),
        (
            Sensor::Sentinel2L2a,
            "sentinel2-l2a",
            "Sentinel-2 Level-2A surface reflectance (SAFE or band folder)",
        ),
    ];
}

impl Sensor {
    pub fn name(self) -> &'static str {
        match self {
            Sensor::LandsatL1Toa => "landsat-l1-toa",
            Sensor::LandsatC2l2 => "landsat-c2l2",
            Sensor::Sentinel2L2a => "sentinel2-l2a",
        }
    }
}

/// What a preset found.
#[derive(Clone, Debug, Default)]
pub struct PresetBands {
    pub bands: Vec<BandSource>,
    /// The scene's quality layer (QA_PIXEL or SCL), if present.
    pub quality: Option<PathBuf>,
    pub metadata: Vec<(String, String)>,
}

/// Bands of `roles` in the product at `scene`.
pub fn resolve(
    sensor: Sensor,
    scene: &Path,
    roles: &[Role],
    boa_offset: Option<f64>,
) -> Result<PresetBands> {
    if !scene.is_dir() {
        return Err(Error::input(
            scene,
            "not a folder; --scene takes the product folder",
        ));
    }
    let mut out = match sensor {
        Sensor::LandsatL1Toa => landsat_l1(scene, roles)?,
        Sensor::LandsatC2l2 => landsat_l2(scene, roles)?,
        Sensor::Sentinel2L2a => sentinel2(scene, roles, boa_offset)?,
    };
    out.metadata
        .push(("CLIMIDX_SENSOR".into(), sensor.name().into()));
    out.metadata
        .push(("CLIMIDX_SCENE".into(), scene.display().to_string()));
    Ok(out)
}

/// The product's own name of the band that plays `role` (`Landsat B6`, `Landsat ST_B10`,
/// `Sentinel-2 B11`), if the product has one; for Landsat the mission is read from the scene.
pub fn band_name(sensor: Sensor, scene: &Path, role: Role) -> Option<String> {
    match sensor {
        Sensor::Sentinel2L2a => s2_band(role).map(|(n, _, _)| format!("Sentinel-2 {n}")),
        Sensor::LandsatL1Toa | Sensor::LandsatC2l2 => {
            let mission = Scene::open(scene).ok()?.mission;
            match (sensor, role) {
                (Sensor::LandsatC2l2, Role::Thermal) => {
                    Some(format!("Landsat {}", mission.st_band()))
                }
                _ => landsat_band(mission, role).map(|k| format!("Landsat B{k}")),
            }
        }
    }
}

/// Landsat reflective band numbers per role.
fn landsat_band(mission: Mission, role: Role) -> Option<&'static str> {
    let oli = matches!(mission, Mission::Landsat8 | Mission::Landsat9);
    Some(match (role, oli) {
        (Role::Coastal, true) => "1",
        (Role::Blue, true) => "2",
        (Role::Green, true) => "3",
        (Role::Red, true) => "4",
        (Role::Nir, true) => "5",
        (Role::Swir1, true) => "6",
        (Role::Swir2, true) => "7",
        (Role::Blue, false) => "1",
        (Role::Green, false) => "2",
        (Role::Red, false) => "3",
        (Role::Nir, false) => "4",
        (Role::Swir1, false) => "5",
        (Role::Swir2, false) => "7",
        _ => return None,
    })
}

fn no_band(sensor: &str, role: Role, hint: &str) -> Error {
    Error::Usage(format!(
        "{sensor} has no '{}' band{hint}; pass --band {}=FILE",
        role.name(),
        role.name()
    ))
}

fn landsat_l1(dir: &Path, roles: &[Role]) -> Result<PresetBands> {
    let scene = Scene::open(dir)?;
    let mut out = PresetBands::default();
    for &r in roles {
        if matches!(r, Role::Thermal | Role::Thermal2) {
            return Err(Error::Usage(
                "thermal bands are not reflectance: use `climidx lst --scene`".into(),
            ));
        }
        let key = landsat_band(scene.mission, r).ok_or_else(|| no_band("landsat-l1-toa", r, ""))?;
        let (scale, offset) = scene.toa_reflectance_scale(key)?;
        let mut b = BandSource::new(r, scene.band_file(key)?, 1);
        b.scale = Some(scale as f32);
        b.offset = Some(offset as f32);
        b.nodata = Some(0.0);
        out.bands.push(b);
    }
    out.quality = scene
        .mtl
        .get("FILE_NAME_QUALITY_L1_PIXEL")
        .map(|n| dir.join(n))
        .filter(|p| p.is_file());
    out.metadata
        .push(("CLIMIDX_MTL".into(), scene.mtl.path.display().to_string()));
    Ok(out)
}

/// A file in `dir` whose upper-cased name ends with `suffix` (e.g. `_SR_B4.TIF`).
fn find_suffix(dir: &Path, suffix: &str) -> Option<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.to_ascii_uppercase().ends_with(suffix))
        })
        .collect();
    v.sort();
    v.into_iter().next()
}

fn landsat_l2(dir: &Path, roles: &[Role]) -> Result<PresetBands> {
    // The MTL names the mission; the files follow the `_SR_B<n>.TIF` / `_ST_B10.TIF` naming.
    let scene = Scene::open(dir)?;
    let mut out = PresetBands::default();
    for &r in roles {
        let (suffix, scale, offset) = match r {
            Role::Thermal => (
                format!("_{}.TIF", scene.mission.st_band()),
                0.00341802f32,
                149.0f32,
            ),
            _ => {
                let key =
                    landsat_band(scene.mission, r).ok_or_else(|| no_band("landsat-c2l2", r, ""))?;
                (format!("_SR_B{key}.TIF"), 0.0000275, -0.2)
            }
        };
        let path = find_suffix(dir, &suffix).ok_or_else(|| {
            Error::input(
                dir,
                format!(
                    "no *{suffix} in the Level-2 scene folder (the '{}' band)",
                    r.name()
                ),
            )
        })?;
        let mut b = BandSource::new(r, path, 1);
        b.scale = Some(scale);
        b.offset = Some(offset);
        b.nodata = Some(0.0);
        out.bands.push(b);
    }
    out.quality = find_suffix(dir, "_QA_PIXEL.TIF");
    out.metadata
        .push(("CLIMIDX_MTL".into(), scene.mtl.path.display().to_string()));
    Ok(out)
}

/// Sentinel-2 band name, BOA_ADD_OFFSET `band_id` and native resolution of a role.
fn s2_band(role: Role) -> Option<(&'static str, u32, u32)> {
    Some(match role {
        Role::Coastal => ("B01", 0, 60),
        Role::Blue => ("B02", 1, 10),
        Role::Green => ("B03", 2, 10),
        Role::Red => ("B04", 3, 10),
        Role::Re1 => ("B05", 4, 20),
        Role::Re2 => ("B06", 5, 20),
        Role::Re3 => ("B07", 6, 20),
        Role::Nir => ("B08", 7, 10),
        Role::Nir2 => ("B8A", 8, 20),
        Role::Wv => ("B09", 9, 60),
        Role::Swir1 => ("B11", 11, 20),
        Role::Swir2 => ("B12", 12, 20),
        _ => return None,
    })
}

/// Every file below `dir` (the SAFE layout nests the images three folders down).
fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() && depth < 6 {
            walk(&p, out, depth + 1);
        } else if p.is_file() {
            out.push(p);
        }
    }
}

/// The file of Sentinel-2 band `name` (e.g. `B04`, `SCL`), finest resolution first:
/// `*_B04_10m.tif` or `*_B04_10m.jp2` (the SAFE as ESA ships it), then `_20m`, `_60m`, then
/// `*_B04.tif` / `B04.tif` / `*_B04.jp2`. At one resolution a GeoTIFF wins over a JP2.
fn s2_file(files: &[PathBuf], name: &str) -> Result<Option<PathBuf>> {
    let stem = |p: &PathBuf| {
        p.file_name()
            .and_then(|n| n.to_str())
            .map(|n| n.to_ascii_uppercase())
            .unwrap_or_default()
    };
    for res in ["_10M", "_20M", "_60M", ""] {
        for ext in [".TIF", ".TIFF", ".JP2"] {
            let want = format!("{name}{res}{ext}");
            if let Some(p) = files.iter().find(|p| {
                let n = stem(p);
                n == want || n.ends_with(&format!("_{want}"))
            }) {
                return Ok(Some(p.clone()));
            }
        }
    }
    Ok(None)
}

/// BOA_ADD_OFFSET per band_id from `MTD_MSIL2A.xml`, or `None` when the file has none (products
/// before baseline 04.00).
fn s2_offsets(mtd: &Path) -> Result<Option<[f64; 13]>> {
    let text =
        std::fs::read_to_string(mtd).map_err(|e| Error::input(mtd, format!("cannot read: {e}")))?;
    let mut found = [None; 13];
    let mut rest = text.as_str();
    while let Some(i) = rest.find("<BOA_ADD_OFFSET ") {
        rest = &rest[i..];
        let end = rest
            .find("</BOA_ADD_OFFSET>")
            .ok_or_else(|| Error::input(mtd, "unterminated BOA_ADD_OFFSET element"))?;
        let elem = &rest[..end];
        let id = elem
            .split("band_id=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|&i| i < 13)
            .ok_or_else(|| Error::input(mtd, "BOA_ADD_OFFSET without a valid band_id"))?;
        let v: f64 = elem
            .rsplit('>')
            .next()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| {
                Error::input(
                    mtd,
                    format!("BOA_ADD_OFFSET of band_id {id} is not a number"),
                )
            })?;
        found[id] = Some(v);
        rest = &rest[end..];
    }
    if found.iter().all(Option::is_none) {
        return Ok(None);
    }
    let mut out = [0.0; 13];
    for (i, v) in found.iter().enumerate() {
        out[i] =
            v.ok_or_else(|| Error::input(mtd, format!("no BOA_ADD_OFFSET for band_id {i}")))?;
    }
    Ok(Some(out))
}

/// Processing baseline from a product name (`_N0509_` → 5.09).
fn s2_baseline(name: &str) -> Option<f64> {
    name.split('_')
        .find(|p| p.len() == 5 && p.starts_with('N') && p[1..].chars().all(|c| c.is_ascii_digit()))
        .map(|p| {
            p[1..3].parse::<f64>().unwrap_or(0.0) + p[3..5].parse::<f64>().unwrap_or(0.0) / 100.0
        })
}

fn sentinel2(dir: &Path, roles: &[Role], boa_offset: Option<f64>) -> Result<PresetBands> {
    let mut files = Vec::new();
    walk(dir, &mut files, 0);
    let mtd = files
        .iter()
        .find(|p| p.file_name().is_some_and(|n| n == "MTD_MSIL2A.xml"))
        .cloned();
    let offsets: [f64; 13] = match (boa_offset, &mtd) {
        (Some(v), _) => [v; 13],
        // The metadata of products before baseline 04.00 has no offset.
        (None, Some(m)) => s2_offsets(m)?.unwrap_or([0.0; 13]),
        (None, None) => {
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
            match s2_baseline(name) {
                Some(b) if b >= 4.0 => [-1000.0; 13],
                Some(_) => [0.0; 13],
                None => {
                    return Err(Error::input(
                        dir,
                        "no MTD_MSIL2A.xml and no processing baseline (_NXXYY_) in the folder name: pass --boa-offset (-1000 from baseline 04.00, 0 before)",
                    ))
                }
            }
        }
    };
    let mut out = PresetBands::default();
    for &r in roles {
        let (name, id, _) = s2_band(r).ok_or_else(|| no_band("sentinel2-l2a", r, ""))?;
        let path = s2_file(&files, name)?.ok_or_else(|| {
            Error::input(
                dir,
                format!(
                    "no {name} file (the '{}' band) in the Sentinel-2 L2A product",
                    r.name()
                ),
            )
        })?;
        let mut b = BandSource::new(r, path, 1);
        b.scale = Some(1.0 / 10000.0);
        b.offset = Some((offsets[id as usize] / 10000.0) as f32);
        b.nodata = Some(0.0);
        out.bands.push(b);
    }
    out.quality = s2_file(&files, "SCL")?;
    if let Some(m) = mtd {
        out.metadata
            .push(("CLIMIDX_MTD".into(), m.display().to_string()));
    }
    let used: Vec<String> = roles
        .iter()
        .filter_map(|r| s2_band(*r))
        .map(|(n, id, _)| format!("{n}:{}", offsets[id as usize]))
        .collect();
    out.metadata
        .push(("CLIMIDX_BOA_ADD_OFFSET".into(), used.join(" ")));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel2_names_and_baselines() {
        assert_eq!(
            s2_baseline("S2B_MSIL2A_20230715T100559_N0509_R022_T33TUM_20230715T130022.SAFE"),
            Some(5.09)
        );
        assert_eq!(
            s2_baseline("S2A_MSIL2A_20210101T100559_N0214_R022_T33TUM_20210101T120000.SAFE"),
            Some(2.14)
        );
        assert_eq!(s2_baseline("scene"), None);
        let files: Vec<PathBuf> = [
            "a/R20m/T33TUM_20230715T100559_B04_20m.tif",
            "a/R10m/T33TUM_20230715T100559_B04_10m.tif",
            "a/R20m/T33TUM_X_SCL_20m.tif",
            "b/B8A.tif",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(
            s2_file(&files, "B04").unwrap().unwrap(),
            PathBuf::from("a/R10m/T33TUM_20230715T100559_B04_10m.tif")
        );
        assert_eq!(
            s2_file(&files, "SCL").unwrap().unwrap(),
            PathBuf::from("a/R20m/T33TUM_X_SCL_20m.tif")
        );
        assert_eq!(
            s2_file(&files, "B8A").unwrap().unwrap(),
            PathBuf::from("b/B8A.tif")
        );
        assert!(s2_file(&files, "B11").unwrap().is_none());
        let jp2: Vec<PathBuf> = [
            "x/R20m/T33TUM_20230715T100559_B02_20m.tif",
            "x/R10m/T33TUM_20230715T100559_B02_10m.jp2",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(
            s2_file(&jp2, "B02").unwrap().unwrap(),
            PathBuf::from("x/R10m/T33TUM_20230715T100559_B02_10m.jp2")
        );
    }

    #[test]
    fn landsat_numbering() {
        assert_eq!(landsat_band(Mission::Landsat8, Role::Red), Some("4"));
        assert_eq!(landsat_band(Mission::Landsat9, Role::Swir2), Some("7"));
        assert_eq!(landsat_band(Mission::Landsat5, Role::Red), Some("3"));
        assert_eq!(landsat_band(Mission::Landsat7, Role::Swir1), Some("5"));
        assert_eq!(landsat_band(Mission::Landsat7, Role::Swir2), Some("7"));
        assert_eq!(landsat_band(Mission::Landsat5, Role::Coastal), None);
    }
}
