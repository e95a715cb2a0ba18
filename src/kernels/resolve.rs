//! From the names a user types to index descriptors: a built-in kernel (the fast path), else a
//! catalogue entry, else a formula compiled on the spot — with constant overrides checked.

use super::catalogue::Catalog;
use super::expr::{BandScope, Program};
use super::indices;
use super::registry::{Eval, Family, IndexDesc, IndexRef};
use super::vocab::{Consts, MAX_OUTPUTS};
use crate::error::{Error, Result};

/// A formula rather than a name: it has an operator, a parenthesis or a space.
fn looks_like_formula(s: &str) -> bool {
    s.chars().any(|c| "()+-*/^<>=, ".contains(c))
}

/// `did you mean ndvi?` for an index name nobody knows: the nearest built-in kernels, entries of
/// the built-in catalogue and of `catalog`, ignoring case.
pub fn suggest_index(name: &str, catalog: Option<&Catalog>) -> Option<String> {
    let builtin = Catalog::builtin();
    let names = indices::INDICES
        .iter()
        .map(|d| d.name.as_ref())
        .chain(builtin.entries.iter().map(|e| e.name.as_str()))
        .chain(
            catalog
                .into_iter()
                .flat_map(|c| c.entries.iter().map(|e| e.name.as_str())),
        );
    // One spelling per name (a kernel and its catalogue entry differ in case only).
    let mut seen: Vec<String> = Vec::new();
    let unique: Vec<&str> = names
        .filter(|n| {
            let l = n.to_ascii_lowercase();
            let new = !seen.contains(&l);
            seen.push(l);
            new
        })
        .collect();
    super::suggest::did_you_mean(name, unique, |s| s.to_string())
}

/// Resolve `names` to indices and their constants: a built-in kernel (the fast path), else a
/// catalogue entry (`catalog` first when given, then the built-in catalogue), else a formula.
/// `consts` override constants by name; each must be used by at least one index.
pub fn resolve(
    names: &[String],
    catalog: Option<&Catalog>,
    consts: &[(String, f64)],
) -> Result<(Vec<IndexRef>, Vec<Consts>)> {
    let builtin_catalog = Catalog::builtin();
    let mut descs: Vec<IndexRef> = Vec::new();
    let mut ks = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    for name in names {
        let from_file = catalog.and_then(|c| c.find(name));
        let d: IndexRef = if let Some(e) = from_file {
            e.compile(consts)?
        } else if let Some(d) = indices::find(name) {
            if d.family == Family::Thermal {
                return Err(Error::Usage(format!(
                    "'{}' needs scene calibration constants: use `climidx lst` (see `climidx lst --help`)",
                    d.name
                )));
            }
            d
        } else if let Some(e) = builtin_catalog.find(name) {
            e.compile(consts)?
        } else if looks_like_formula(name) {
            let scope = BandScope::with_asi_defaults(consts);
            let p = Program::compile(name, &scope).map_err(|e| Error::Usage(e.to_string()))?;
            IndexDesc::from_program(name, "formula", Family::Expression, p, "")
        } else {
            return Err(Error::Usage(format!(
                "unknown index {name:?}: not a built-in index (`climidx list`), not in the catalogue{}, and not a formula{}",
                if catalog.is_some() { " file" } else { "" },
                suggest_index(name, catalog)
                    .map(|s| format!("; {s}"))
                    .unwrap_or_default()
            )));
        };
        if let Eval::Program { program, .. } = &d.cpu {
            used.extend(
                consts
                    .iter()
                    .filter(|(c, _)| program.constants.iter().any(|(n, _)| n == c))
                    .map(|(c, _)| c.as_str()),
            );
        }
        if descs.iter().any(|x| x.name == d.name) {
            return Err(Error::Usage(format!("index {name:?} is given twice")));
        }
        // Built-in kernels take their constants as parameters.
        let mut k = d.default_constants();
        for (c, v) in consts {
            let slot = d.const_slot(c).or_else(|| {
                d.constants
                    .iter()
                    .position(|x| x.name.eq_ignore_ascii_case(c))
            });
            if let Some(slot) = slot {
                k[slot] = *v as f32;
                used.push(c.as_str());
            }
        }
        descs.push(d);
        ks.push(k);
    }
    for (c, _) in consts {
        if !used.contains(&c.as_str()) {
            // The constants the indices do have, for a suggestion.
            let mut have: Vec<&str> = descs
                .iter()
                .flat_map(|d| d.constants.iter().map(|k| k.name))
                .collect();
            for d in &descs {
                if let Eval::Program { program, .. } = &d.cpu {
                    have.extend(program.constants.iter().map(|(n, _)| n.as_str()));
                }
            }
            let hint = super::suggest::did_you_mean(c, have, |s| format!("'{s}'"))
                .map(|s| format!("; {s}"))
                .unwrap_or_default();
            return Err(Error::Usage(format!(
                "--const {c}: no index given uses a constant named '{c}' (see `climidx show NAME`){hint}"
            )));
        }
    }
    if descs.len() > MAX_OUTPUTS {
        return Err(Error::Usage(format!(
            "at most {} indices per run",
            MAX_OUTPUTS
        )));
    }
    Ok((descs, ks))
}
