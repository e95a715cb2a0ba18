//! Landsat scenes as USGS distributes them: a folder with `*_MTL.txt` and one GeoTIFF per band.
//!
//! Band numbering per sensor (USGS Landsat Collection 2 Level-1 Data Format Control Book,
//! LSDS-1656): OLI/TIRS (Landsat 8, 9) red B4, NIR B5, thermal B10 and B11; ETM+ (Landsat 7) red
//! B3, NIR B4, thermal B6 (`6_VCID_1` low gain, `6_VCID_2` high gain); TM (Landsat 4, 5) red B3,
//! NIR B4, thermal B6.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::products::mtl::Mtl;
use crate::kernels::thermal::{self, ThermalBand};

/// Which Landsat a scene comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mission {
    Landsat4,
    Landsat5,
    Landsat7,
    Landsat8,
    Landsat9,
}

impl Mission {
    pub fn from_spacecraft_id(id: &str) -> Option<Mission> {
        match id.trim().to_ascii_uppercase().as_str() {
            "LANDSAT_4" => Some(Mission::Landsat4),
            "LANDSAT_5" => Some(Mission::Landsat5),
            "LANDSAT_7" => Some(Mission::Landsat7),
            "LANDSAT_8" => Some(Mission::Landsat8),
            "LANDSAT_9" => Some(Mission::Landsat9),
            _ => None,
        }
    }

    /// Band keys (as in `FILE_NAME_BAND_<key>`) of red and NIR.
    pub fn red_nir(self) -> (&'static str, &'static str) {
        match self {
            Mission::Landsat8 | Mission::Landsat9 => ("4", "5"),
            _ => ("3", "4"),
        }
    }

    /// The primary thermal band key and its constants.
    pub fn thermal(self, etm_high_gain: bool) -> (&'static str, ThermalBand) {
        match self {
            Mission::Landsat8 | Mission::Landsat9 => ("10", thermal::TIRS_B10),
            Mission::Landsat7 if etm_high_gain => ("6_VCID_2", thermal::ETM_B6),
            Mission::Landsat7 => ("6_VCID_1", thermal::ETM_B6),
            Mission::Landsat5 => ("6", thermal::TM5_B6),
            Mission::Landsat4 => ("6", thermal::TM4_B6),
        }
    }

    /// The second thermal band (split window), on TIRS only.
    pub fn thermal2(self) -> Option<(&'static str, ThermalBand)> {
        match self {
            Mission::Landsat8 | Mission::Landsat9 => Some(("11", thermal::TIRS_B11)),
            _ => None,
        }
    }

    /// Key of the Collection 2 Level-2 surface temperature band.
    pub fn st_band(self) -> &'static str {
        match self {
            Mission::Landsat8 | Mission::Landsat9 => "ST_B10",
            _ => "ST_B6",
        }
    }
}

/// A Landsat scene folder.
#[derive(Clone, Debug)]
pub struct Scene {
    pub dir: PathBuf,
    pub mtl: Mtl,
    pub mission: Mission,
}

/// Find the single `*_MTL.txt` in `dir`.
pub fn find_mtl(dir: &Path) -> Result<PathBuf> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| Error::input(dir, format!("cannot read scene folder: {e}")))?;
    let mut found: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.to_ascii_uppercase().ends_with("_MTL.TXT"))
        })
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::input(
            dir,
            "no *_MTL.txt file in the scene folder; pass --mtl FILE",
        )),
        _ => Err(Error::input(
            dir,
            "several *_MTL.txt files in the scene folder; pass --mtl FILE",
        )),
    }
}

impl Scene {
    /// Open from an MTL file; band files are looked up beside it.
    pub fn from_mtl(path: &Path) -> Result<Scene> {
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Scene::of(Mtl::read(path)?, dir)
    }

    /// A scene of metadata already read (an MTL file, or keys handed over in memory), its
    /// band files looked up in `dir`.
    pub fn of(mtl: Mtl, dir: PathBuf) -> Result<Scene> {
        let path = mtl.path.as_path();
        let id = mtl
            .get("SPACECRAFT_ID")
            .ok_or_else(|| Error::input(path, "SPACECRAFT_ID is missing"))?;
        let mission = Mission::from_spacecraft_id(id).ok_or_else(|| {
            Error::input(
                path,
                format!("SPACECRAFT_ID {id:?} is not Landsat 4, 5, 7, 8 or 9"),
            )
        })?;
        Ok(Scene { dir, mtl, mission })
    }

    pub fn open(dir: &Path) -> Result<Scene> {
        Scene::from_mtl(&find_mtl(dir)?)
    }

    /// Path of band `key` (`FILE_NAME_BAND_<key>`), which must exist.
    pub fn band_file(&self, key: &str) -> Result<PathBuf> {
        let k = format!("FILE_NAME_BAND_{key}");
        let name = self
            .mtl
            .get(&k)
            .ok_or_else(|| Error::input(&self.mtl.path, format!("{k} is missing")))?;
        let p = self.dir.join(name);
        if !p.is_file() {
            return Err(Error::input(
                &p,
                format!("band file named by {k} is missing from the scene folder"),
            ));
        }
        Ok(p)
    }

    /// DN → radiance: (RADIANCE_MULT_BAND_x, RADIANCE_ADD_BAND_x).
    pub fn radiance_scale(&self, key: &str) -> Result<(f64, f64)> {
        Ok((
            self.mtl.number(&format!("RADIANCE_MULT_BAND_{key}"))?,
            self.mtl.number(&format!("RADIANCE_ADD_BAND_{key}"))?,
        ))
    }

    /// DN → top-of-atmosphere reflectance corrected for the sun angle:
    /// ρ = (REFLECTANCE_MULT·DN + REFLECTANCE_ADD) / sin(SUN_ELEVATION), as (scale, offset).
    pub fn toa_reflectance_scale(&self, key: &str) -> Result<(f64, f64)> {
        let m = self.mtl.number(&format!("REFLECTANCE_MULT_BAND_{key}"))?;
        let a = self.mtl.number(&format!("REFLECTANCE_ADD_BAND_{key}"))?;
        let elev = self.mtl.number("SUN_ELEVATION")?;
        if !(0.0..=90.0).contains(&elev) || elev < 1e-3 {
            return Err(Error::input(
                &self.mtl.path,
                format!("SUN_ELEVATION {elev} is outside (0, 90] degrees"),
            ));
        }
        let s = elev.to_radians().sin();
        Ok((m / s, a / s))
    }

    /// (K1, K2) of a thermal band: the MTL's values, else `fallback`'s.
    pub fn k1_k2(&self, key: &str, fallback: &ThermalBand) -> Result<(f64, f64)> {
        let k1 = self
            .mtl
            .optional_number(&format!("K1_CONSTANT_BAND_{key}"))?;
        let k2 = self
            .mtl
            .optional_number(&format!("K2_CONSTANT_BAND_{key}"))?;
        match (k1, k2) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => {
                log::warn!(
                    "{}: no K1/K2 for band {key}; using the published constants of {}",
                    self.mtl.path.display(),
                    fallback.name
                );
                Ok((fallback.k1 as f64, fallback.k2 as f64))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_keys_per_mission() {
        // LSDS-1656 file naming: OLI/TIRS B4/B5/B10/B11, ETM+ B3/B4/B6_VCID_1|2, TM B3/B4/B6.
        let m = |id| Mission::from_spacecraft_id(id).unwrap();
        assert_eq!(m("LANDSAT_9").red_nir(), ("4", "5"));
        assert_eq!(m("LANDSAT_9").thermal(false).0, "10");
        assert_eq!(m("LANDSAT_8").thermal2().unwrap().0, "11");
        assert_eq!(m("LANDSAT_7").red_nir(), ("3", "4"));
        assert_eq!(m("LANDSAT_7").thermal(false).0, "6_VCID_1");
        assert_eq!(m("LANDSAT_7").thermal(true).0, "6_VCID_2");
        assert_eq!(m("LANDSAT_7").thermal(false).1, thermal::ETM_B6);
        assert!(m("LANDSAT_7").thermal2().is_none());
        assert_eq!(m("LANDSAT_5").thermal(false), ("6", thermal::TM5_B6));
        assert_eq!(m("LANDSAT_4").thermal(false).1.k1, 671.62);
        assert_eq!(m("LANDSAT_5").st_band(), "ST_B6");
        assert_eq!(m("LANDSAT_8").st_band(), "ST_B10");
        assert!(Mission::from_spacecraft_id("SENTINEL_2A").is_none());
    }

    #[test]
    fn toa_reflectance_divides_by_the_sun_elevation_sine() {
        let text = "GROUP = X\n SPACECRAFT_ID = \"LANDSAT_8\"\n SUN_ELEVATION = 30.0\n REFLECTANCE_MULT_BAND_4 = 2.0E-05\n REFLECTANCE_ADD_BAND_4 = -0.1\nEND_GROUP = X\nEND\n";
        let mtl = Mtl::parse(text, Path::new("x_MTL.txt")).unwrap();
        let s = Scene {
            dir: PathBuf::from("."),
            mtl,
            mission: Mission::Landsat8,
        };
        let (m, a) = s.toa_reflectance_scale("4").unwrap();
        // sin 30° = 0.5: scale 4e-5, offset -0.2
        assert!(
            (m - 4.0e-5).abs() < 1e-15 && (a + 0.2).abs() < 1e-12,
            "{m} {a}"
        );
    }
}
