//! `climidx index` and `climidx expr`: arguments → [`crate::engine::IndexJob`] → run.

use std::path::Path;

use super::collection::{run_each, scenes, Scenes};
use super::run_and_report;
use crate::cli::args::{BandArgs, DeviceArgs, ExprArgs, IndexArgs, OutputArgs};
use crate::cli::config::{band_job_item, parse_consts};
use crate::cli::report::Done;
use crate::cli::usage::check_raster_outputs;
use crate::engine::IndexJob;
use crate::error::{Error, Result};
use crate::io::products::stac::Item;
use crate::kernels::catalogue::Catalog;
use crate::kernels::expr::{BandScope, Program};
use crate::kernels::resolve::resolve;
use crate::kernels::{self};

pub fn run(a: &IndexArgs) -> Result<Done> {
    let scenes = scenes(&a.input, &a.output)?;
    if let Scenes::One(_) = scenes {
        check_raster_outputs(&a.output, &a.out)?;
    }
    let catalog = a.catalog.as_deref().map(Catalog::load).transpose()?;
    let consts = parse_consts(&a.consts)?;
    let (descs, constants) = resolve(&a.indices, catalog.as_ref(), &consts)?;
    let make = |item: Option<&Item>, output: &Path, out: &OutputArgs| {
        let (d, c) = (descs.clone(), constants.clone());
        band_job_item(d, c, &a.input, output, out, Vec::new(), item)
    };
    run_scenes(
        "index",
        &scenes,
        (&a.input, &a.output, &a.out, &a.device),
        &make,
    )
}

/// `climidx expr FORMULA`: one compiled formula, constants from the ASI defaults and `--const`.
pub fn run_expr(a: &ExprArgs) -> Result<Done> {
    let scenes = scenes(&a.input, &a.output)?;
    if let Scenes::One(_) = scenes {
        check_raster_outputs(&a.output, &a.out)?;
    }
    let consts = parse_consts(&a.consts)?;
    let scope = BandScope::with_asi_defaults(&consts);
    let p = Program::compile(&a.formula, &scope).map_err(|e| Error::Usage(e.to_string()))?;
    for (c, _) in &consts {
        if !p.constants.iter().any(|(n, _)| n == c) {
            return Err(Error::Usage(format!(
                "--const {c}: the formula does not use '{c}'"
            )));
        }
    }
    let d =
        kernels::IndexDesc::from_program(&a.name, "formula", kernels::Family::Expression, p, "");
    let meta = vec![("CLIMIDX_EXPRESSION".into(), a.formula.clone())];
    let make = |item: Option<&Item>, output: &Path, out: &OutputArgs| {
        let (k, m) = (vec![d.default_constants()], meta.clone());
        band_job_item(vec![d.clone()], k, &a.input, output, out, m, item)
    };
    run_scenes(
        "expr",
        &scenes,
        (&a.input, &a.output, &a.out, &a.device),
        &make,
    )
}

/// One scene to `output`, or each item of an ItemCollection to the folder `output`.
fn run_scenes(
    command: &str,
    scenes: &Scenes,
    (input, output, out, device): (&BandArgs, &Path, &OutputArgs, &DeviceArgs),
    make: &dyn Fn(Option<&Item>, &Path, &OutputArgs) -> Result<IndexJob>,
) -> Result<Done> {
    match scenes {
        Scenes::Many(items) => {
            run_each(command, items, input, output, out, device, &|i, o, out| {
                make(Some(i), o, out)
            })
        }
        Scenes::One(item) => {
            let job = make(item.as_ref(), output, out)?;
            run_and_report(command, &job, device, out.json)
        }
    }
}
