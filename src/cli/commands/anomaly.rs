//! `climidx anomaly` and `climidx vhi`: indices of the anomaly family, with their bands taken
//! from a climatology folder.

use crate::cli::args::{AnomalyArgs, AnomalyKind, VhiArgs};
use crate::engine::jobs::climatology::Manifest;
use crate::error::{Error, Result};
use crate::io::stack::dates::{check_pattern, date_of, Date};
use crate::io::BandSource;
use crate::kernels::{self, Role};

fn index_name(k: AnomalyKind) -> &'static str {
    match k {
        AnomalyKind::Diff => "diff",
        AnomalyKind::Zscore => "zscore",
        AnomalyKind::Percent => "percent",
        AnomalyKind::Vci => "vci",
        AnomalyKind::Tci => "tci",
    }
}

pub fn run(a: &AnomalyArgs) -> Result<()> {
    a.cal.check()?;
    let manifest = Manifest::load(&a.climatology)?;
    let date = match &a.date {
        Some(s) => Some(
            Date::parse(s)
                .ok_or_else(|| Error::Usage(format!("--date {s:?}: expected YYYY-MM-DD")))?,
        ),
        None if manifest.period.is_some() => {
            let pattern = a
                .date_pattern
                .as_deref()
                .or(manifest.date_pattern.as_deref());
            if let Some(p) = pattern {
                check_pattern(p)?;
            }
            Some(date_of(&a.input, pattern)?)
        }
        None => None,
    };
    let folder = manifest.folder_for(&a.climatology, date)?;
    let d = kernels::find(index_name(a.kind)).expect("anomaly kinds are registered");
    let mut bands = Vec::new();
    for r in d.roles.iter() {
        let b = if *r == Role::Value {
            let mut b = BandSource::new(Role::Value, a.input.clone(), a.band);
            b.force_nodata = a.cal.nodata;
            b.scale = Some(a.cal.scale);
            b.offset = Some(a.cal.offset);
            b
        } else {
            let p = folder.join(format!("{}.tif", r.name()));
            if !p.is_file() {
                return Err(Error::input(&p, "missing from the climatology folder"));
            }
            BandSource::new(*r, p, 1)
        };
        bands.push(b);
    }
    let mut metadata = vec![(
        "CLIMIDX_CLIMATOLOGY".to_string(),
        folder.display().to_string(),
    )];
    if let Some(d) = date {
        metadata.push(("CLIMIDX_DATE".to_string(), d.to_string()));
    }
    let job = crate::cli::config::make_job(
        vec![d.clone()],
        vec![d.default_constants()],
        bands,
        &a.output,
        &a.out,
        metadata,
    )?;
    super::run_job(&job, &a.device)
}

pub fn run_vhi(a: &VhiArgs) -> Result<()> {
    if !(0.0..=1.0).contains(&a.weight) {
        return Err(Error::Usage("--weight must be between 0 and 1".into()));
    }
    let d = kernels::find("vhi").expect("vhi is registered");
    let mut k = d.default_constants();
    k[d.const_slot("A").expect("vhi has A")] = a.weight;
    let bands = vec![
        BandSource::new(Role::Vci, a.vci.clone(), 1),
        BandSource::new(Role::Tci, a.tci.clone(), 1),
    ];
    let job = crate::cli::config::make_job(vec![d], vec![k], bands, &a.output, &a.out, Vec::new())?;
    super::run_job(&job, &a.device)
}
