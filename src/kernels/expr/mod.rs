//! Band-math formulas compiled to GPU kernels: one parser ([`parse`]) → a typed, folded,
//! deduplicated straight-line program ([`Program`]) → two back ends, WGSL source (compiled once
//! per formula and cached with the pipeline) and the CPU evaluator, which is the specification.
//! The grammar is that of the Awesome Spectral Indices catalogue plus comparisons and
//! `where(cond, a, b)`; the nodata rules are those of the built-in indices (see [`program`]).
//!
//! Layout: `lex` (text → tokens, and [`ExprError`]), [`parse`](mod@parse) (tokens → syntax
//! tree), [`program`] (the program, its operations and rules), `lower` (syntax tree → program:
//! typing, folding, deduplication), `scalar` (one operation on scalars, shared by folding and
//! the CPU evaluator), `eval` (the CPU evaluator) and `wgsl` (the WGSL back end).
//!
//! Names resolve, case-sensitively, to bands — the ASI symbols (`A B G G1 Y R RE1 RE2 RE3 N N2
//! WV S1 S2 T T1 T2`, [`crate::kernels::vocab::ASI_BANDS`]) or climidx role names (`red`, `nir`,
//! `swir1`, …) — or to constants (the ASI defaults of [`ASI_CONSTANTS`], the catalogue entry's
//! own, or `--const NAME=VALUE`), and `pi`.

pub mod parse;
pub mod program;

mod eval;
mod lex;
mod lower;
mod scalar;
mod wgsl;

pub use parse::{parse, ExprError, MAX_DEPTH, MAX_OPS};
pub use program::{Program, Scope, Sym};
pub(crate) use wgsl::one_line;

use crate::kernels::vocab::{Role, ASI_BANDS};

/// The global constant defaults of the Awesome Spectral Indices catalogue
/// (`output/constants.json`): used by `climidx expr`; catalogue entries may set their own.
/// Wavelength constants (`lambdaN`…) and PAR have no default and must be given.
pub const ASI_CONSTANTS: &[(&str, f64)] = &[
    ("C1", 6.0),
    ("C2", 7.5),
    ("L", 1.0),
    ("alpha", 0.1),
    ("beta", 0.05),
    ("c", 1.0),
    ("cexp", 1.16),
    ("epsilon", 1.0),
    ("fdelta", 0.581),
    ("g", 2.5),
    ("gamma", 1.0),
    ("k", 0.0),
    ("nexp", 2.0),
    ("omega", 2.0),
    ("p", 2.0),
    ("sigma", 0.5),
    ("sla", 1.0),
    ("slb", 0.0),
];

/// Bands by ASI symbol or role name, and a list of constants.
#[derive(Clone, Debug, Default)]
pub struct BandScope {
    pub constants: Vec<(String, f64)>,
}

impl BandScope {
    /// Bands plus `constants` (later entries win).
    pub fn new(constants: Vec<(String, f64)>) -> Self {
        BandScope { constants }
    }

    /// Bands plus the ASI defaults, overridden by `overrides`.
    pub fn with_asi_defaults(overrides: &[(String, f64)]) -> Self {
        let mut c: Vec<(String, f64)> = ASI_CONSTANTS
            .iter()
            .map(|(n, v)| (n.to_string(), *v))
            .collect();
        c.extend(overrides.iter().cloned());
        BandScope { constants: c }
    }
}

impl Scope for BandScope {
    fn lookup(&self, name: &str) -> Option<Sym> {
        if let Some((_, r)) = ASI_BANDS.iter().find(|(s, _)| *s == name) {
            return Some(Sym::Band(*r));
        }
        if let Some(r) = Role::ALL.into_iter().find(|r| r.name() == name) {
            return Some(Sym::Band(r));
        }
        if let Some((_, v)) = self.constants.iter().rev().find(|(n, _)| n == name) {
            return Some(Sym::Const(*v));
        }
        (name == "pi").then_some(Sym::Const(std::f64::consts::PI))
    }

    fn known(&self) -> Vec<String> {
        let mut k: Vec<String> = ASI_BANDS.iter().map(|(s, _)| s.to_string()).collect();
        k.extend(Role::ALL.iter().map(|r| r.name().to_string()));
        k.extend(self.constants.iter().map(|(n, _)| n.clone()));
        k.push("pi".into());
        k
    }
}
