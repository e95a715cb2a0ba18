//! `climidx index` and `climidx expr`: arguments → [`crate::engine::IndexJob`] → run.

use super::collection::{run_each, scenes, Scenes};
use super::run_and_report;
use crate::cli::args::{ExprArgs, IndexArgs};
use crate::cli::config::{band_job_item, parse_consts};
use crate::cli::report::Done;
use crate::cli::usage::check_raster_outputs;
use crate::error::{Error, Result};
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
    let make = |item: Option<&_>, output: &std::path::Path, out: &_| {
        let (d, c) = (descs.clone(), constants.clone());
        band_job_item(d, c, &a.input, output, out, Vec::new(), item)
    };
    match &scenes {
        Scenes::Many(items) => run_each(
            "index",
            items,
            &a.input,
            &a.output,
            &a.out,
            &a.device,
            &|i, o, out| make(Some(i), o, out),
        ),
        Scenes::One(item) => {
            let job = make(item.as_ref(), &a.output, &a.out)?;
            run_and_report("index", &job, &a.device, a.out.json)
        }
    }
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
    let make = |item: Option<&_>, output: &std::path::Path, out: &_| {
        let (k, m) = (vec![d.default_constants()], meta.clone());
        band_job_item(vec![d.clone()], k, &a.input, output, out, m, item)
    };
    match &scenes {
        Scenes::Many(items) => run_each(
            "expr",
            items,
            &a.input,
            &a.output,
            &a.out,
            &a.device,
            &|i, o, out| make(Some(i), o, out),
        ),
        Scenes::One(item) => {
            let job = make(item.as_ref(), &a.output, &a.out)?;
            run_and_report("expr", &job, &a.device, a.out.json)
        }
    }
}
