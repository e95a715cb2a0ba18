//! `climidx lst`: a Landsat scene (MTL + bands) → the LST plan
//! ([`crate::io::products::lst::plan`]) → an [`crate::engine::IndexJob`] over its files.

use std::collections::HashMap;

use crate::cli::args::{LstArgs, LstMethod, LstOutput, TempUnit};
use crate::cli::config::parse_band;
use crate::cli::report::Done;
use crate::cli::usage::check_raster_outputs;
use crate::error::{Error, Result};
use crate::io::products::landsat::Scene;
use crate::io::products::lst::{self, Emissivity, LstConfig, LANDSAT_FILL};
use crate::io::BandSource;
use crate::kernels::Role;

/// The flags as the library's settings.
fn config(a: &LstArgs) -> Result<LstConfig> {
    Ok(LstConfig {
        method: match a.method {
            LstMethod::SingleChannel => lst::LstMethod::SingleChannel,
            LstMethod::SplitWindow => lst::LstMethod::SplitWindow,
            LstMethod::C2l2St => lst::LstMethod::C2l2St,
        },
        output: match a.output_kind {
            LstOutput::Lst => lst::LstOutput::Lst,
            LstOutput::Bt => lst::LstOutput::Bt,
        },
        emissivity: Emissivity::parse(&a.emissivity)?,
        ndvi_soil: a.ndvi_soil,
        ndvi_veg: a.ndvi_veg,
        emissivity_soil: a.emissivity_soil,
        emissivity_veg: a.emissivity_veg,
        cavity: a.cavity,
        wavelength: a.wavelength,
        water_vapour: a.water_vapour,
        celsius: a.unit == TempUnit::Celsius,
        with_emissivity: a.with_emissivity,
        high_gain: a.high_gain,
    })
}

pub fn run(a: &LstArgs) -> Result<Done> {
    check_raster_outputs(&a.output, &a.out)?;
    let cfg = config(a)?;
    cfg.validate()?;
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
    let plan = lst::plan(&cfg, scene.as_ref())?;
    // A band: the override's file, or the scene's; calibration from the plan.
    let mut bands = Vec::new();
    for pb in &plan.bands {
        let mut b = match (overrides.get(&pb.role), &scene) {
            (Some(b), _) => b.clone(),
            (None, Some(s)) => {
                BandSource::new(pb.role, s.band_file(pb.key).map_err(|e| pb.lacks(e))?, 1)
            }
            (None, None) => return Err(pb.lacks(Error::Usage(
                "locating the bands needs the scene's calibration: pass --scene DIR or --mtl FILE"
                    .into(),
            ))),
        };
        b.scale = Some(pb.scale as f32);
        b.offset = Some(pb.offset as f32);
        b.nodata = Some(LANDSAT_FILL);
        bands.push(b);
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
    let mut job = crate::cli::config::make_job(
        plan.indices,
        plan.consts,
        bands,
        &a.output,
        &a.out,
        plan.metadata,
    )?;
    job.calibration.nodata = a.nodata;
    super::run_and_report("lst", &job, &a.device, a.out.json)
}
