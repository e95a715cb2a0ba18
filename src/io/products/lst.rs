//! Land-surface temperature of a Landsat scene as an index plan: which thermal-family kernels
//! run, with which constants (K1/K2 and the radiance/reflectance rescaling from the MTL, the
//! band's emissivities and wavelength), over which bands calibrated how. The CLI (`climidx
//! lst`) attaches the scene's files to the plan, the Python package (`climidx.lst`) arrays.

use crate::error::{Error, Result};
use crate::io::products::landsat::Scene;
use crate::io::products::needs_band;
use crate::kernels::thermal::{ThermalBand, JM2014, RHO_UM_K};
use crate::kernels::{self, Consts, IndexDesc, IndexRef, Role};

/// Collection 2 Level-2 surface temperature scale and offset (USGS Landsat Level-2 science
/// products FAQ): ST = DN·0.00341802 + 149.0 K.
pub const ST_SCALE: f32 = 0.00341802;
pub const ST_OFFSET: f32 = 149.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LstMethod {
    /// Single channel with emissivity (B10 on Landsat 8/9, B6 on TM/ETM+).
    SingleChannel,
    /// Jiménez-Muñoz et al. 2014 split window, Landsat 8/9 B10 + B11.
    SplitWindow,
    /// Collection 2 Level-2 ST band.
    C2l2St,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LstOutput {
    /// Land-surface temperature.
    Lst,
    /// Brightness temperature only.
    Bt,
}

/// The emissivity model of the single-channel and split-window methods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Emissivity {
    /// Sobrino et al. 2004 NDVI thresholds.
    NdviThreshold,
    /// Avdan & Jovanovska 2016: 0.004·Pv + 0.986.
    Avdan,
    /// One value for every pixel.
    Constant(f32),
}

impl Emissivity {
    /// `ndvi-threshold`, `avdan` or `constant VALUE`, as words.
    pub fn parse(words: &[String]) -> Result<Self> {
        let bad = || {
            Error::Usage(format!(
                "--emissivity {}: expected ndvi-threshold, avdan or `constant VALUE`",
                words.join(" ")
            ))
        };
        match (words.first().map(String::as_str), words.get(1)) {
            (Some("ndvi-threshold"), None) => Ok(Emissivity::NdviThreshold),
            (Some("avdan"), None) => Ok(Emissivity::Avdan),
            (Some("constant"), Some(x)) => Ok(Emissivity::Constant(x.parse().map_err(|_| bad())?)),
            _ => Err(bad()),
        }
    }

    /// The kernels' MODE and EPS_CONST.
    fn consts(self) -> (f32, f32) {
        match self {
            Emissivity::NdviThreshold => (0.0, 0.0),
            Emissivity::Avdan => (1.0, 0.0),
            Emissivity::Constant(e) => (2.0, e),
        }
    }
}

/// What to compute and how (the flags of `climidx lst`).
#[derive(Debug, Clone, PartialEq)]
pub struct LstConfig {
    pub method: LstMethod,
    pub output: LstOutput,
    pub emissivity: Emissivity,
    pub ndvi_soil: f32,
    pub ndvi_veg: f32,
    pub emissivity_soil: Option<f32>,
    pub emissivity_veg: Option<f32>,
    pub cavity: f32,
    pub wavelength: Option<f32>,
    pub water_vapour: Option<f32>,
    pub celsius: bool,
    pub with_emissivity: bool,
    pub high_gain: bool,
}

impl LstConfig {
    /// Refuse settings outside their physical ranges (NaN included).
    pub fn validate(&self) -> Result<()> {
        if self.ndvi_veg.partial_cmp(&self.ndvi_soil) != Some(std::cmp::Ordering::Greater) {
            return Err(Error::Usage(format!(
                "--ndvi-veg ({}) must be above --ndvi-soil ({})",
                self.ndvi_veg, self.ndvi_soil
            )));
        }
        let mut emissivities = vec![
            ("--emissivity-soil", self.emissivity_soil),
            ("--emissivity-veg", self.emissivity_veg),
        ];
        if let Emissivity::Constant(e) = self.emissivity {
            emissivities.push(("--emissivity constant", Some(e)));
        }
        for (flag, v) in emissivities {
            if let Some(e) = v {
                if !(e > 0.0 && e <= 1.0) {
                    return Err(Error::Usage(format!("{flag} {e}: must be in (0, 1]")));
                }
            }
        }
        if !(self.cavity >= 0.0 && self.cavity.is_finite()) {
            return Err(Error::Usage("--cavity must be 0 or more".into()));
        }
        if let Some(w) = self.wavelength {
            if !(w > 0.0 && w < 100.0) {
                return Err(Error::Usage(format!(
                    "--wavelength {w}: expected micrometres, e.g. 10.895"
                )));
            }
        }
        if let Some(w) = self.water_vapour {
            if !(0.0..=10.0).contains(&w) {
                return Err(Error::Usage(format!(
                    "--water-vapour {w}: expected g/cm2 in [0, 10]"
                )));
            }
        }
        Ok(())
    }
}

/// One input band of the plan: its role, the scene's band key (`10`, `ST_B10`), the DN →
/// physical rescaling (scale, offset), and who needs it (for messages).
#[derive(Debug, Clone, PartialEq)]
pub struct LstBand {
    pub role: Role,
    pub key: &'static str,
    pub scale: f64,
    pub offset: f64,
    pub needed_by: &'static str,
}

impl LstBand {
    /// A missing file or key of this band, said as what it means.
    pub fn lacks(&self, e: Error) -> Error {
        lacks(self.needed_by, self.role, self.key, e)
    }

    /// The band as Landsat names it: `Landsat B10`, `Landsat ST_B10`.
    pub fn label(&self) -> String {
        label(self.key)
    }
}

/// The kernels, constants, bands and provenance metadata of one LST computation.
#[derive(Debug, Clone)]
pub struct LstPlan {
    pub indices: Vec<IndexRef>,
    pub consts: Vec<Consts>,
    /// Landsat's fill value is 0 in every band.
    pub bands: Vec<LstBand>,
    pub metadata: Vec<(String, String)>,
}

impl LstPlan {
    fn add(&mut self, d: IndexRef, k: Consts) {
        self.indices.push(d);
        self.consts.push(k);
    }
}

/// Landsat's fill value, the bands' nodata unless the user says otherwise.
pub const LANDSAT_FILL: f64 = 0.0;

fn label(key: &str) -> String {
    match key.starts_with(|c: char| c.is_ascii_digit()) {
        true => format!("Landsat B{key}"),
        false => format!("Landsat {key}"),
    }
}

fn lacks(who_needs: &str, role: Role, key: &str, e: Error) -> Error {
    needs_band(who_needs, role, &label(key), "file or MTL key", e)
}

/// Set constant `name` of `d` (an internal invariant that it exists).
fn set(k: &mut Consts, d: &IndexDesc, name: &str, v: f64) {
    let slot = d
        .const_slot(name)
        .unwrap_or_else(|| panic!("{} has no constant {name}", d.name));
    k[slot] = v as f32;
}

fn emissivity_consts(
    k: &mut Consts,
    d: &IndexDesc,
    c: &LstConfig,
    band: &ThermalBand,
    suffix: &str,
) {
    if suffix.is_empty() {
        let (mode, eps_const) = c.emissivity.consts();
        set(k, d, "MODE", mode as f64);
        set(k, d, "NDVI_S", c.ndvi_soil as f64);
        set(k, d, "NDVI_V", c.ndvi_veg as f64);
        set(k, d, "CAVITY", c.cavity as f64);
        set(k, d, "SOIL_FIXED", c.emissivity_soil.unwrap_or(0.0) as f64);
        set(k, d, "EPS_CONST", eps_const as f64);
    }
    let soil = c.emissivity_soil.unwrap_or(band.eps_s) as f64;
    let veg = c.emissivity_veg.unwrap_or(band.eps_v) as f64;
    set(k, d, &format!("EPS_S{suffix}"), soil);
    set(k, d, &format!("EPS_V{suffix}"), veg);
    set(k, d, &format!("SOIL_A{suffix}"), band.soil_a as f64);
    set(k, d, &format!("SOIL_B{suffix}"), band.soil_b as f64);
}

/// The plan of `c` over `scene` (none: only `c2l2-st`, whose rescaling is fixed, runs).
pub fn plan(c: &LstConfig, scene: Option<&Scene>) -> Result<LstPlan> {
    c.validate()?;
    let unit = if c.celsius { -273.15 } else { 0.0 };
    let mut p = LstPlan {
        indices: Vec::new(),
        consts: Vec::new(),
        bands: Vec::new(),
        metadata: vec![
            ("CLIMIDX_LST_METHOD".to_string(), format!("{:?}", c.method)),
            (
                "CLIMIDX_UNIT".to_string(),
                if c.celsius { "degC" } else { "K" }.into(),
            ),
        ],
    };
    let find = |n: &str| kernels::find(n).expect("thermal entries are in the registry");
    // A Level-2 scene has no Level-1 thermal bands, a Level-1 scene no ST band: say so.
    if let Some(sc) = scene {
        let level = sc
            .mtl
            .get("PROCESSING_LEVEL")
            .or_else(|| sc.mtl.get("DATA_TYPE"))
            .unwrap_or("");
        let path = sc.mtl.path.display();
        match c.method {
            LstMethod::C2l2St if level.starts_with("L1") => {
                return Err(Error::Usage(format!(
                    "{path} is a Level-1 product ({level}); --method c2l2-st needs a Collection 2 Level-2 (L2SP) scene"
                )))
            }
            LstMethod::SingleChannel | LstMethod::SplitWindow if level.starts_with("L2") => {
                return Err(Error::Usage(format!(
                    "{path} is a Level-2 product ({level}): its ST band already is surface temperature; use --method c2l2-st"
                )))
            }
            _ => {}
        }
    }
    let mut bands = Vec::new();
    if c.method == LstMethod::C2l2St {
        if c.output == LstOutput::Bt || c.with_emissivity {
            return Err(Error::Usage(
                "--method c2l2-st gives surface temperature only (no bt or emissivity)".into(),
            ));
        }
        bands.push(LstBand {
            role: Role::Thermal,
            key: scene.map(|s| s.mission.st_band()).unwrap_or("ST_B10"),
            scale: ST_SCALE as f64,
            offset: ST_OFFSET as f64,
            needed_by: "--method c2l2-st needs",
        });
        let d = find("st");
        let mut k = d.default_constants();
        set(&mut k, &d, "UNIT", unit);
        p.add(d, k);
        p.bands = bands;
        return Ok(p);
    }
    let s = scene.ok_or_else(|| {
        Error::Usage(
            "--method single-channel and split-window needs the scene's calibration: pass --scene DIR or --mtl FILE".into(),
        )
    })?;
    let band = |role, key, scale: Result<(f64, f64)>, needed_by| -> Result<LstBand> {
        let (scale, offset) = scale.map_err(|e| lacks(needed_by, role, key, e))?;
        Ok(LstBand {
            role,
            key,
            scale,
            offset,
            needed_by,
        })
    };
    p.metadata
        .push(("CLIMIDX_SCENE".into(), s.mtl.path.display().to_string()));
    let (tkey, tband) = s.mission.thermal(c.high_gain);
    let (k1, k2) = s.k1_k2(tkey, &tband)?;
    bands.push(band(
        Role::Thermal,
        tkey,
        s.radiance_scale(tkey),
        "lst needs",
    )?);
    if c.output == LstOutput::Lst || c.with_emissivity {
        // TOA reflectance for NDVI (read even for a constant emissivity: the kernels take the
        // same bands whatever the emissivity model).
        let (rkey, nkey) = s.mission.red_nir();
        for (role, key) in [(Role::Red, rkey), (Role::Nir, nkey)] {
            let who = "the emissivity's NDVI needs";
            bands.push(band(role, key, s.toa_reflectance_scale(key), who)?);
        }
    }
    match (c.method, c.output) {
        (_, LstOutput::Bt) => {
            let d = find("bt");
            let mut k = d.default_constants();
            set(&mut k, &d, "K1", k1);
            set(&mut k, &d, "K2", k2);
            set(&mut k, &d, "UNIT", unit);
            p.add(d, k);
        }
        (LstMethod::SingleChannel, LstOutput::Lst) => {
            let d = find("lst");
            let mut k = d.default_constants();
            set(&mut k, &d, "K1", k1);
            set(&mut k, &d, "K2", k2);
            let lambda = c.wavelength.unwrap_or(tband.lambda_um) as f64;
            set(&mut k, &d, "LAMBDA", lambda);
            set(&mut k, &d, "RHO", RHO_UM_K as f64);
            emissivity_consts(&mut k, &d, c, &tband, "");
            set(&mut k, &d, "UNIT", unit);
            p.add(d, k);
        }
        (_, LstOutput::Lst) => {
            let (t2key, t2band) = s.mission.thermal2().ok_or_else(|| {
                Error::Usage(format!(
                    "split window needs two thermal bands; {:?} has one",
                    s.mission
                ))
            })?;
            let w = c.water_vapour.ok_or_else(|| {
                Error::Usage(
                    "--method split-window needs --water-vapour G_CM2 (column water vapour)".into(),
                )
            })?;
            let (k1b, k2b) = s.k1_k2(t2key, &t2band)?;
            let who = "--method split-window needs";
            bands.push(band(Role::Thermal2, t2key, s.radiance_scale(t2key), who)?);
            let d = find("lst_sw");
            let mut k = d.default_constants();
            for (name, v) in [
                ("K1_10", k1),
                ("K2_10", k2),
                ("K1_11", k1b),
                ("K2_11", k2b),
                ("W", w as f64),
            ] {
                set(&mut k, &d, name, v);
            }
            for (i, cj) in JM2014.iter().enumerate() {
                set(&mut k, &d, &format!("C{i}"), *cj as f64);
            }
            emissivity_consts(&mut k, &d, c, &tband, "");
            emissivity_consts(&mut k, &d, c, &t2band, "_11");
            set(&mut k, &d, "UNIT", unit);
            p.add(d, k);
        }
    }
    if c.with_emissivity {
        let d = find("emissivity");
        let mut k = d.default_constants();
        emissivity_consts(&mut k, &d, c, &tband, "");
        p.add(d, k);
    }
    p.bands = bands;
    Ok(p)
}
