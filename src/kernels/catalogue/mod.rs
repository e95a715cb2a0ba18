//! Index catalogues: the built-in one ([`builtin`], written in the crate) and Awesome Spectral
//! Indices JSON files (`spectral-indices-dict.json` of the ASI project or the spyndex package,
//! v0 and v1 layouts), loaded with [`Catalog::load`]. Entries compile to kernels with
//! [`crate::kernels::expr`]; entries a per-pixel kernel cannot compute (scene-wide reductions, kernel
//! inputs, radar backscatter, external variables such as PAR) are kept, marked unsupported with
//! the reason.

pub mod builtin;

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::kernels::expr::{BandScope, Program};
use crate::kernels::registry::{Family, IndexDesc, IndexRef};

/// One catalogue entry.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub long_name: String,
    pub domain: String,
    pub formula: String,
    /// Constants with their default (None: must be given with `--const`).
    pub constants: Vec<(String, Option<f64>)>,
    pub reference: String,
    /// Where the formula departs from the catalogue it came from, and why.
    pub note: String,
    /// Why a per-pixel kernel cannot compute this entry.
    pub unsupported: Option<String>,
}

/// A set of entries and where they came from.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub source: String,
    pub entries: Vec<Entry>,
}

impl Entry {
    /// Compile with the entry's defaults overridden by `overrides` (`--const`).
    pub fn compile(&self, overrides: &[(String, f64)]) -> Result<IndexRef> {
        if let Some(why) = &self.unsupported {
            return Err(Error::Usage(format!(
                "index '{}' is not supported: {why}",
                self.name
            )));
        }
        let mut consts = Vec::new();
        for (c, default) in &self.constants {
            match overrides
                .iter()
                .rev()
                .find(|(n, _)| n == c)
                .map(|(_, v)| *v)
                .or(*default)
            {
                Some(v) => consts.push((c.clone(), v)),
                None => {
                    return Err(Error::Usage(format!(
                        "constant '{c}' of '{}' has no default; pass --const {c}=VALUE",
                        self.name
                    )))
                }
            }
        }
        // Overrides of constants the entry does not list still apply (a formula may use any).
        consts.extend(overrides.iter().cloned());
        let program = Program::compile(&self.formula, &BandScope::new(consts))
            .map_err(|e| Error::Usage(format!("index '{}': {e}", self.name)))?;
        Ok(IndexDesc::from_program(
            &self.name,
            &self.long_name,
            Family::Expression,
            program,
            &self.reference,
        ))
    }

    /// The formula compiled with every constant set (those without a default to 1): what the
    /// loader checks and [`Self::bands`] reads, whatever values `--const` will give.
    fn trial(&self) -> std::result::Result<Program, crate::kernels::expr::ExprError> {
        let consts: Vec<(String, f64)> = self
            .constants
            .iter()
            .map(|(c, v)| (c.clone(), v.unwrap_or(1.0)))
            .collect();
        Program::compile(&self.formula, &BandScope::new(consts))
    }

    /// Band symbols the formula uses.
    pub fn bands(&self) -> Vec<String> {
        self.trial()
            .map(|p| {
                p.roles
                    .iter()
                    .map(|r| r.asi_symbol().unwrap_or(r.name()).to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Catalog {
    /// The catalogue written in the crate.
    pub fn builtin() -> Catalog {
        Catalog {
            source: "built-in".into(),
            entries: builtin::BUILTIN
                .iter()
                .map(|b| Entry {
                    name: b.name.into(),
                    long_name: b.long_name.into(),
                    domain: b.domain.into(),
                    formula: b.formula.into(),
                    constants: b
                        .constants
                        .iter()
                        .map(|(c, v)| (c.to_string(), Some(*v)))
                        .collect(),
                    reference: b.reference.into(),
                    note: b.note.into(),
                    unsupported: None,
                })
                .collect(),
        }
    }

    /// An entry by name: exact first, then ignoring case.
    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name).or_else(|| {
            self.entries
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(name))
        })
    }

    /// Load an Awesome Spectral Indices `spectral-indices-dict.json` (v0 or v1 layout). Constant
    /// defaults come from the entry (v1 `constants`), else from `constants.json` beside the file
    /// (v0: one global default per constant; v1: per index).
    pub fn load(path: &Path) -> Result<Catalog> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
        let sidecar = path
            .parent()
            .map(|d| d.join("constants.json"))
            .filter(|p| p.is_file())
            .and_then(|p| std::fs::read_to_string(p).ok());
        Catalog::from_json_str(&text, sidecar.as_deref(), path)
    }

    /// [`Self::load`] on text: `text` is the `spectral-indices-dict.json`, `constants` the
    /// `constants.json` beside it (ignored unless it is JSON), `path` names the file in errors.
    pub fn from_json_str(text: &str, constants: Option<&str>, path: &Path) -> Result<Catalog> {
        let root: Value = serde_json::from_str(text)
            .map_err(|e| Error::input(path, format!("not a JSON catalogue: {e}")))?;
        let dict = root
            .get("SpectralIndices")
            .unwrap_or(&root)
            .as_object()
            .ok_or_else(|| {
                Error::input(
                    path,
                    "expected an object of indices (\"SpectralIndices\": {...})",
                )
            })?;
        let sidecar: Option<Value> = constants.and_then(|t| serde_json::from_str(t).ok());
        let mut entries = Vec::new();
        for (key, v) in dict {
            let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            let name = s("short_name")
                .or_else(|| s("acronym"))
                .unwrap_or_else(|| key.clone());
            let Some(formula) = s("formula") else {
                entries.push(unsupported(&name, "no formula"));
                continue;
            };
            let domain = s("application_domain")
                .or_else(|| {
                    v.pointer("/classification/application_domain")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .or_else(|| {
                    v.pointer("/classification/family")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_default();
            let reference = s("reference")
                .or_else(|| {
                    v.pointer("/source/source_link")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .or_else(|| {
                    v.pointer("/source/doi")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_default();
            // The names the formula uses (the `bands` list mixes bands and constants in v0 and
            // may omit constants in v1), and the entry's own constant defaults (v1).
            let symbols: Vec<String> = match crate::kernels::expr::parse(&formula) {
                Ok(ast) => crate::kernels::expr::parse::names(&ast),
                Err(e) => {
                    let mut u =
                        unsupported(&name, &format!("formula does not parse: {}", e.message));
                    u.formula = formula.clone();
                    entries.push(u);
                    continue;
                }
            };
            let own: Vec<(String, Option<f64>)> = v
                .get("constants")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(c, d)| (c.clone(), default_of(d))).collect())
                .unwrap_or_default();
            let scope = BandScope::default();
            let mut constants = Vec::new();
            let mut foreign = Vec::new();
            for sym in &symbols {
                if matches!(
                    crate::kernels::expr::Scope::lookup(&scope, sym),
                    Some(crate::kernels::expr::Sym::Band(_))
                ) {
                    continue;
                }
                if sym.starts_with('k')
                    && sym.len() == 3
                    && sym[1..].chars().all(|c| c.is_ascii_uppercase())
                {
                    foreign.push(sym.clone()); // kernel inputs kNN, kNR, ...
                    continue;
                }
                if matches!(sym.as_str(), "VV" | "VH" | "HH" | "HV" | "PAR") {
                    foreign.push(sym.clone());
                    continue;
                }
                let d = own
                    .iter()
                    .find(|(c, _)| c == sym)
                    .and_then(|(_, d)| *d)
                    .or_else(|| {
                        sidecar
                            .as_ref()
                            .and_then(|sc| sidecar_default(sc, sym, &name))
                    });
                if !constants
                    .iter()
                    .any(|(c, _): &(String, Option<f64>)| c == sym)
                {
                    constants.push((sym.clone(), d));
                }
            }
            let mut why = None;
            if !foreign.is_empty() {
                why = Some(format!(
                    "needs inputs climidx has no band for: {}",
                    foreign.join(", ")
                ));
            }
            let reductions = v
                .get("reductions")
                .map(|r| {
                    !r.is_null()
                        && r != &Value::Array(vec![])
                        && r != &Value::Object(Default::default())
                })
                .unwrap_or(false);
            if reductions || formula.contains("spatial_") {
                why = Some("needs a scene-wide reduction (spatial_max/min/mean)".into());
            }
            if let Some(ext) = v
                .get("external_variables")
                .and_then(Value::as_array)
                .filter(|a| !a.is_empty())
            {
                let names: Vec<&str> = ext.iter().filter_map(Value::as_str).collect();
                why = Some(format!("needs an external variable: {}", names.join(", ")));
            }
            let mut e = Entry {
                name,
                long_name: s("long_name").or_else(|| s("name")).unwrap_or_default(),
                domain,
                formula,
                constants,
                reference,
                note: String::new(),
                unsupported: why,
            };
            if e.unsupported.is_none() {
                // Anything else the compiler refuses (an unknown name or function).
                if let Err(err) = e.trial() {
                    e.unsupported = Some(err.message);
                }
            }
            entries.push(e);
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Catalog {
            source: path.display().to_string(),
            entries,
        })
    }
}

fn unsupported(name: &str, why: &str) -> Entry {
    Entry {
        name: name.into(),
        long_name: String::new(),
        domain: String::new(),
        formula: String::new(),
        constants: vec![],
        reference: String::new(),
        note: String::new(),
        unsupported: Some(why.into()),
    }
}

/// A constant's default in any of the layouts: a number, `{"default": v}`, `{"default_value": v}`.
fn default_of(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.get("default_value").and_then(Value::as_f64))
        .or_else(|| v.get("default").and_then(Value::as_f64))
}

/// `constants.json`: v0 `{C: {"default": v}}` (global) or v1 `{C: {INDEX: {"default_value": v}}}`.
fn sidecar_default(sc: &Value, c: &str, index: &str) -> Option<f64> {
    let entry = sc.get(c)?;
    if entry.get("default").is_some() || entry.get("default_value").is_some() {
        return default_of(entry);
    }
    entry.get(index).and_then(default_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_is_large_unique_and_compiles() {
        let c = Catalog::builtin();
        assert!(c.entries.len() >= 60, "{}", c.entries.len());
        let mut names: Vec<&str> = c.entries.iter().map(|e| e.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), c.entries.len(), "duplicate names");
        for d in ["vegetation", "water", "burn", "snow", "urban", "soil"] {
            assert!(
                c.entries.iter().filter(|e| e.domain == d).count() >= 5,
                "{d}"
            );
        }
        for e in &c.entries {
            let d = e
                .compile(&[])
                .unwrap_or_else(|err| panic!("{}: {err}", e.name));
            assert!(!d.roles.is_empty(), "{}", e.name);
            assert!(!e.reference.is_empty(), "{}", e.name);
        }
        assert_eq!(c.find("ndvi").unwrap().name, "NDVI");
        assert_eq!(c.find("kNDVI").unwrap().name, "kNDVI");
    }

    #[test]
    fn const_overrides_and_missing_defaults() {
        let c = Catalog::builtin();
        let savi = c.find("SAVI").unwrap();
        let d = savi.compile(&[("L".into(), 0.25)]).unwrap();
        let v = d.eval_px(&[0.5, 0.1], &[0.0; 32]).value; // roles in order of use: N, R
        assert!(
            (v - 1.25 * (0.5 - 0.1) / (0.5 + 0.1 + 0.25)).abs() < 1e-6,
            "{v}"
        );
        let mut e = savi.clone();
        e.constants = vec![("L".into(), None)];
        let err = e.compile(&[]).unwrap_err().to_string();
        assert!(err.contains("pass --const L=VALUE"), "{err}");
    }
}
