//! `climidx index` and `climidx expr`: arguments → [`crate::engine::IndexJob`] → run.

use super::run_and_report;
use crate::cli::args::{ExprArgs, IndexArgs};
use crate::cli::config::{band_job, parse_consts};
use crate::cli::report::Done;
use crate::cli::usage::check_raster_outputs;
use crate::error::{Error, Result};
use crate::kernels::catalogue::Catalog;
use crate::kernels::expr::{BandScope, Program};
use crate::kernels::resolve::resolve;
use crate::kernels::{self};

pub fn run(a: &IndexArgs) -> Result<Done> {
    check_raster_outputs(&a.output, &a.out)?;
    let catalog = a.catalog.as_deref().map(Catalog::load).transpose()?;
    let consts = parse_consts(&a.consts)?;
    let (descs, constants) = resolve(&a.indices, catalog.as_ref(), &consts)?;
    let job = band_job(descs, constants, &a.input, &a.output, &a.out, Vec::new())?;
    run_and_report("index", &job, &a.device, a.out.json)
}

/// `climidx expr FORMULA`: one compiled formula, constants from the ASI defaults and `--const`.
pub fn run_expr(a: &ExprArgs) -> Result<Done> {
    check_raster_outputs(&a.output, &a.out)?;
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
    let job = band_job(
        vec![d.clone()],
        vec![d.default_constants()],
        &a.input,
        &a.output,
        &a.out,
        meta,
    )?;
    run_and_report("expr", &job, &a.device, a.out.json)
}
