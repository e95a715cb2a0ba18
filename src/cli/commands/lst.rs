//! `climidx lst`: a Landsat scene (MTL + bands) → an [`IndexJob`] over the thermal family.

use std::collections::HashMap;

use crate::cli::args::{LstArgs, LstMethod, LstOutput, TempUnit};
use crate::cli::config::parse_band;
use crate::cli::report::Done;
use crate::cli::usage::check_raster_outputs;
use crate::error::{Error, Result};
use crate::io::products::landsat::Scene;
use crate::io::BandSource;
use crate::kernels::thermal::{ThermalBand, JM2014, RHO_UM_K};
use crate::kernels::{self, Consts, IndexDesc, IndexRef, Role};

/// Collection 2 Level-2 surface temperature scale and offset (USGS Landsat Level-2 science
/// products FAQ): ST = DN·0.00341802 + 149.0 K.
pub const ST_SCALE: f32 = 0.00341802;
pub const ST_OFFSET: f32 = 149.0;

/// Emissivity settings shared by every thermal entry that computes one.
struct Emissivity {
    mode: f32,
    eps_const: f32,
}

fn parse_emissivity(v: &[String]) -> Result<Emissivity> {
    let bad = || {
        Error::Usage(format!(
            "--emissivity {}: expected ndvi-threshold, avdan or `constant VALUE`",
            v.join(" ")
        ))
    };
    match (v.first().map(String::as_str), v.get(1)) {
        (Some("ndvi-threshold"), None) => Ok(Emissivity {
            mode: 0.0,
            eps_const: 0.0,
        }),
        (Some("avdan"), None) => Ok(Emissivity {
            mode: 1.0,
            eps_const: 0.0,
        }),
        (Some("constant"), Some(x)) => {
            let e: f32 = x.parse().map_err(|_| bad())?;
            if !(e > 0.0 && e <= 1.0) {
                return Err(Error::Usage(format!(
                    "--emissivity constant {e}: must be in (0, 1]"
                )));
            }
            Ok(Emissivity {
                mode: 2.0,
                eps_const: e,
            })
        }
        _ => Err(bad()),
    }
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
    a: &LstArgs,
    e: &Emissivity,
    band: &ThermalBand,
    suffix: &str,
) {
    if suffix.is_empty() {
        set(k, d, "MODE", e.mode as f64);
        set(k, d, "NDVI_S", a.ndvi_soil as f64);
        set(k, d, "NDVI_V", a.ndvi_veg as f64);
        set(k, d, "CAVITY", a.cavity as f64);
        set(k, d, "SOIL_FIXED", a.emissivity_soil.unwrap_or(0.0) as f64);
        set(k, d, "EPS_CONST", e.eps_const as f64);
    }
    set(
        k,
        d,
        &format!("EPS_S{suffix}"),
        a.emissivity_soil.unwrap_or(band.eps_s) as f64,
    );
    set(
        k,
        d,
        &format!("EPS_V{suffix}"),
        a.emissivity_veg.unwrap_or(band.eps_v) as f64,
    );
    set(k, d, &format!("SOIL_A{suffix}"), band.soil_a as f64);
    set(k, d, &format!("SOIL_B{suffix}"), band.soil_b as f64);
}

/// A missing Landsat band file or MTL key, said as the band `who_needs` (`lst needs`).
fn lacks(who_needs: &str, role: Role, key: &str, e: Error) -> Error {
    let label = match key.starts_with(|c: char| c.is_ascii_digit()) {
        true => format!("Landsat B{key}"),
        false => format!("Landsat {key}"),
    };
    crate::cli::config::needs_band(who_needs, role, &label, "file or MTL key", e)
}

fn validate(a: &LstArgs) -> Result<()> {
    // (also rejects NaN)
    if a.ndvi_veg.partial_cmp(&a.ndvi_soil) != Some(std::cmp::Ordering::Greater) {
        return Err(Error::Usage(format!(
            "--ndvi-veg ({}) must be above --ndvi-soil ({})",
            a.ndvi_veg, a.ndvi_soil
        )));
    }
    for (flag, v) in [
        ("--emissivity-soil", a.emissivity_soil),
        ("--emissivity-veg", a.emissivity_veg),
    ] {
        if let Some(e) = v {
            if !(e > 0.0 && e <= 1.0) {
                return Err(Error::Usage(format!("{flag} {e}: must be in (0, 1]")));
            }
        }
    }
    if !(a.cavity >= 0.0 && a.cavity.is_finite()) {
        return Err(Error::Usage("--cavity must be 0 or more".into()));
    }
    if let Some(w) = a.wavelength {
        if !(w > 0.0 && w < 100.0) {
            return Err(Error::Usage(format!(
                "--wavelength {w}: expected micrometres, e.g. 10.895"
            )));
        }
    }
    if let Some(w) = a.water_vapour {
        if !(0.0..=10.0).contains(&w) {
            return Err(Error::Usage(format!(
                "--water-vapour {w}: expected g/cm2 in [0, 10]"
            )));
        }
    }
    Ok(())
}

pub fn run(a: &LstArgs) -> Result<Done> {
    check_raster_outputs(&a.output, &a.out)?;
    validate(a)?;
    let emis = parse_emissivity(&a.emissivity)?;
    let mut overrides: HashMap<Role, BandSource> = HashMap::new();
    for spec in &a.bands {
        let b = parse_band(spec)?;
        if overrides.insert(b.role, b).is_some() {
            return Err(Error::Usage(format!("--band {spec}: role given twice")));
        }
    }
    let scene = match (&a.mtl, &a.scene) {
        (Some(m), _) => Some(Scene::from_mtl(m)?),
        (None, Some(d)) => Some(Scene::open(d)?),
        (None, None) => None,
    };
    let unit = match a.unit {
        TempUnit::Kelvin => 0.0,
        TempUnit::Celsius => -273.15,
    };
    let need_scene = |what: &str| -> Result<&Scene> {
        scene.as_ref().ok_or_else(|| {
            Error::Usage(format!(
                "{what} needs the scene's calibration: pass --scene DIR or --mtl FILE"
            ))
        })
    };
    // A band: the override's file, or the scene's; calibration from the scene.
    let band = |role: Role, key: &str, scale: (f64, f64)| -> Result<BandSource> {
        let mut b = match overrides.get(&role) {
            Some(b) => b.clone(),
            None => BandSource::new(role, need_scene("locating the bands")?.band_file(key)?, 1),
        };
        b.scale = Some(scale.0 as f32);
        b.offset = Some(scale.1 as f32);
        b.nodata = Some(0.0); // Landsat fill value
        Ok(b)
    };

    let mut descs: Vec<IndexRef> = Vec::new();
    let mut consts: Vec<Consts> = Vec::new();
    let mut bands: Vec<BandSource> = Vec::new();
    let mut meta = vec![
        ("CLIMIDX_LST_METHOD".to_string(), format!("{:?}", a.method)),
        (
            "CLIMIDX_UNIT".to_string(),
            if unit == 0.0 {
                "K".into()
            } else {
                "degC".into()
            },
        ),
    ];
    let find = |n: &str| kernels::find(n).expect("thermal entries are in the registry");

    // A Level-2 scene has no Level-1 thermal bands, a Level-1 scene no ST band: say so.
    if let Some(sc) = &scene {
        let level = sc
            .mtl
            .get("PROCESSING_LEVEL")
            .or_else(|| sc.mtl.get("DATA_TYPE"))
            .unwrap_or("");
        let path = sc.mtl.path.display();
        match a.method {
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
    match a.method {
        LstMethod::C2l2St => {
            if a.output_kind == LstOutput::Bt || a.with_emissivity {
                return Err(Error::Usage(
                    "--method c2l2-st gives surface temperature only (no bt or emissivity)".into(),
                ));
            }
            let key = scene
                .as_ref()
                .map(|s| s.mission.st_band())
                .unwrap_or("ST_B10");
            bands.push(
                band(Role::Thermal, key, (ST_SCALE as f64, ST_OFFSET as f64))
                    .map_err(|e| lacks("--method c2l2-st needs", Role::Thermal, key, e))?,
            );
            let d = find("st");
            let mut k = d.default_constants();
            set(&mut k, &d, "UNIT", unit);
            descs.push(d);
            consts.push(k);
        }
        LstMethod::SingleChannel | LstMethod::SplitWindow => {
            let s = need_scene("--method single-channel and split-window")?;
            meta.push(("CLIMIDX_SCENE".into(), s.mtl.path.display().to_string()));
            let (tkey, tband) = s.mission.thermal(a.high_gain);
            let (k1, k2) = s.k1_k2(tkey, &tband)?;
            bands.push(
                s.radiance_scale(tkey)
                    .and_then(|sc| band(Role::Thermal, tkey, sc))
                    .map_err(|e| lacks("lst needs", Role::Thermal, tkey, e))?,
            );
            if a.output_kind == LstOutput::Lst || a.with_emissivity {
                // TOA reflectance for NDVI (read even for a constant emissivity: the kernels take
                // the same bands whatever the emissivity model).
                let (rkey, nkey) = s.mission.red_nir();
                for (role, key) in [(Role::Red, rkey), (Role::Nir, nkey)] {
                    bands.push(
                        s.toa_reflectance_scale(key)
                            .and_then(|sc| band(role, key, sc))
                            .map_err(|e| lacks("the emissivity's NDVI needs", role, key, e))?,
                    );
                }
            }
            match (a.method, a.output_kind) {
                (_, LstOutput::Bt) => {
                    let d = find("bt");
                    let mut k = d.default_constants();
                    set(&mut k, &d, "K1", k1);
                    set(&mut k, &d, "K2", k2);
                    set(&mut k, &d, "UNIT", unit);
                    descs.push(d);
                    consts.push(k);
                }
                (LstMethod::SingleChannel, LstOutput::Lst) => {
                    let d = find("lst");
                    let mut k = d.default_constants();
                    set(&mut k, &d, "K1", k1);
                    set(&mut k, &d, "K2", k2);
                    set(
                        &mut k,
                        &d,
                        "LAMBDA",
                        a.wavelength.unwrap_or(tband.lambda_um) as f64,
                    );
                    set(&mut k, &d, "RHO", RHO_UM_K as f64);
                    emissivity_consts(&mut k, &d, a, &emis, &tband, "");
                    set(&mut k, &d, "UNIT", unit);
                    descs.push(d);
                    consts.push(k);
                }
                (_, LstOutput::Lst) => {
                    let (t2key, t2band) = s.mission.thermal2().ok_or_else(|| {
                        Error::Usage(format!(
                            "split window needs two thermal bands; {:?} has one",
                            s.mission
                        ))
                    })?;
                    let w = a.water_vapour.ok_or_else(|| {
                        Error::Usage("--method split-window needs --water-vapour G_CM2 (column water vapour)".into())
                    })?;
                    let (k1b, k2b) = s.k1_k2(t2key, &t2band)?;
                    bands.push(
                        s.radiance_scale(t2key)
                            .and_then(|sc| band(Role::Thermal2, t2key, sc))
                            .map_err(|e| {
                                lacks("--method split-window needs", Role::Thermal2, t2key, e)
                            })?,
                    );
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
                    for (i, c) in JM2014.iter().enumerate() {
                        set(&mut k, &d, &format!("C{i}"), *c as f64);
                    }
                    emissivity_consts(&mut k, &d, a, &emis, &tband, "");
                    emissivity_consts(&mut k, &d, a, &emis, &t2band, "_11");
                    set(&mut k, &d, "UNIT", unit);
                    descs.push(d);
                    consts.push(k);
                }
            }
            if a.with_emissivity {
                let d = find("emissivity");
                let mut k = d.default_constants();
                emissivity_consts(&mut k, &d, a, &emis, &tband, "");
                descs.push(d);
                consts.push(k);
            }
        }
    }
    for role in overrides.keys() {
        if !bands.iter().any(|x| x.role == *role) {
            return Err(Error::Usage(format!(
                "--band {}=…: this method does not use the {} band",
                role.name(),
                role.name()
            )));
        }
    }
    let mut job = crate::cli::config::make_job(descs, consts, bands, &a.output, &a.out, meta)?;
    job.calibration.nodata = a.nodata;
    super::run_and_report("lst", &job, &a.device, a.out.json)
}
