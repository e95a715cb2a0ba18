//! The registry's vocabulary: what an index is ([`IndexDesc`]: band roles, constants, CPU
//! reference, WGSL function, tolerance), shared as [`IndexRef`]. The built-in rows are in
//! [`super::indices`]; compiled formulas become descriptors through [`IndexDesc::from_program`].

use std::borrow::Cow;
use std::ops::Deref;
use std::sync::Arc;

use super::vocab::{Consts, Px, Role, MAX_CONSTS};

/// Shader family: one WGSL file and one Rust reference module each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Spectral indices from reflectance (`climidx index`).
    Vegetation,
    /// Brightness and land-surface temperature, emissivity (`climidx lst`).
    Thermal,
    /// A value against its climatology (`climidx anomaly`, `climidx vhi`).
    Anomaly,
    /// Compiled formulas (`climidx expr`, the catalogue): WGSL generated per formula.
    Expression,
}

impl Family {
    pub const ALL: [Family; 4] = [
        Family::Vegetation,
        Family::Thermal,
        Family::Anomaly,
        Family::Expression,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Vegetation => "vegetation",
            Family::Thermal => "thermal",
            Family::Anomaly => "anomaly",
            Family::Expression => "expression",
        }
    }
}

/// A named constant of an index formula; it reaches WGSL as a component of `params.k[output]`.
#[derive(Clone, Copy, Debug)]
pub struct ConstDesc {
    pub name: &'static str,
    pub value: f32,
}

/// Per-pixel CPU reference: the samples of `IndexDesc::roles` (in that order) and the
/// constants in, result out. Mirrors the generated WGSL call `NAME_px(roles..., constants...)`.
pub type CpuFn = fn(&[f32], &Consts) -> Px;

/// The same formula over a run of pixels: `inputs[a][p]` is role `a` of pixel `p` with NaN for
/// an invalid sample; writes the value or NaN (nodata) to `out[p]`. Built by `cpu_fns!` from
/// the per-pixel expression, so the formula is inlined into the loop (the native fast path).
pub type BatchFn = fn(&[&[f32]], &Consts, &mut [f32]);

/// Both CPU forms of one formula, written once.
#[derive(Clone, Copy)]
pub struct CpuFns {
    pub px: CpuFn,
    pub batch: BatchFn,
}

impl std::fmt::Debug for CpuFns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CpuFns")
    }
}

/// How an index is evaluated on the CPU (and which WGSL function computes it).
#[derive(Clone, Debug)]
pub enum Eval {
    /// A hand-written `_px` function in Rust and WGSL (the built-in fast path).
    Builtin(CpuFns),
    /// A formula compiled by [`crate::kernels::expr`]; `wgsl_name` is its generated WGSL function.
    Program {
        program: Arc<crate::kernels::expr::Program>,
        wgsl_name: String,
    },
}

/// Allowed |GPU − CPU| difference: `abs + rel·|cpu|`. Nodata masks must match exactly.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    pub abs: f32,
    pub rel: f32,
}

impl Tolerance {
    pub fn accepts(&self, gpu: f32, cpu: f32) -> bool {
        (gpu - cpu).abs() <= self.abs + self.rel * cpu.abs()
    }
}

/// One index. Built-in rows borrow static text; compiled formulas own theirs. Jobs hold
/// indices as [`IndexRef`]s, shared and freed with the last user.
#[derive(Clone, Debug)]
pub struct IndexDesc {
    /// CLI value and WGSL entry point.
    pub name: Cow<'static, str>,
    pub long_name: Cow<'static, str>,
    pub family: Family,
    /// Roles in the order the `_px` function takes them.
    pub roles: Cow<'static, [Role]>,
    pub formula: Cow<'static, str>,
    pub constants: &'static [ConstDesc],
    /// Typical output range for reflectance inputs in [0, 1] (documentation and quicklooks).
    pub range: (f32, f32),
    pub reference: Cow<'static, str>,
    pub cpu: Eval,
    /// Division and sqrt are not correctly rounded on every GPU (WGSL allows 2.5 ULP), and
    /// drivers may fuse multiply-adds: relative error near 1e-6, amplified where a denominator
    /// nearly cancels. Values here hold on lavapipe and leave room for hardware GPUs.
    pub tolerance: Tolerance,
}

/// A shared index descriptor, as jobs, processors and bindings hold them.
pub type IndexRef = Arc<IndexDesc>;

impl IndexDesc {
    /// The per-pixel reference: `s` the samples of [`Self::roles`] in order, `k` the constants.
    pub fn eval_px(&self, s: &[f32], k: &Consts) -> Px {
        match &self.cpu {
            Eval::Builtin(f) => (f.px)(s, k),
            Eval::Program { program, .. } => program.eval_px(s),
        }
    }

    /// The batch form (see [`BatchFn`]).
    pub fn eval_batch(&self, inputs: &[&[f32]], k: &Consts, out: &mut [f32]) {
        match &self.cpu {
            Eval::Builtin(f) => (f.batch)(inputs, k, out),
            Eval::Program { program, .. } => program.eval_batch(inputs, out),
        }
    }

    /// The unit of this index's values in GDAL's unit-type words: `K` for temperatures (in
    /// kelvin unless the job says otherwise), `1` for dimensionless ratios and indices, `%` for
    /// percent of normal; `None` when it depends on the inputs (a difference, a formula).
    pub fn unit(&self) -> Option<&'static str> {
        match (self.family, &*self.name) {
            (Family::Vegetation, _) => Some("1"),
            (Family::Thermal, "emissivity") => Some("1"),
            (Family::Thermal, _) => Some("K"),
            (Family::Anomaly, "percent") => Some("%"),
            (Family::Anomaly, "diff") => None,
            (Family::Anomaly, _) => Some("1"),
            (Family::Expression, _) => None,
        }
    }

    /// Name of the WGSL function computing this index.
    pub fn wgsl_name(&self) -> String {
        match &self.cpu {
            Eval::Builtin(_) => format!("{}_px", self.name),
            Eval::Program { wgsl_name, .. } => wgsl_name.clone(),
        }
    }

    /// An index computed by a compiled formula. Its WGSL function is named after a hash of the
    /// generated code, so a formula compiled twice (in one run or in two) has one name and one
    /// pipeline-cache key.
    pub fn from_program(
        name: &str,
        long_name: &str,
        family: Family,
        program: crate::kernels::expr::Program,
        reference: &str,
    ) -> IndexRef {
        let consts: Vec<String> = program
            .constants
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        let formula = if consts.is_empty() {
            program.source.clone()
        } else {
            format!("{} with {}", program.source, consts.join(", "))
        };
        let wgsl_name = format!(
            "expr_{:016x}_px",
            fnv1a(program.wgsl_function("f").as_bytes())
        );
        Arc::new(IndexDesc {
            name: Cow::Owned(name.to_string()),
            long_name: Cow::Owned(long_name.to_string()),
            family,
            roles: Cow::Owned(program.roles.clone()),
            formula: Cow::Owned(formula),
            constants: &[],
            range: (-1.0, 1.0),
            reference: Cow::Owned(reference.to_string()),
            cpu: Eval::Program {
                program: Arc::new(program),
                wgsl_name,
            },
            tolerance: PROGRAM_TOL,
        })
    }

    /// Position of the constant called `name`.
    pub fn const_slot(&self, name: &str) -> Option<usize> {
        self.constants.iter().position(|c| c.name == name)
    }

    /// Default constants laid out in `params.k` order.
    pub fn default_constants(&self) -> Consts {
        let mut k = [0.0; MAX_CONSTS];
        for (slot, c) in self.constants.iter().enumerate() {
            k[slot] = c.value;
        }
        k
    }
}

/// Compiled formulas: any mix of operations, transcendental functions included.
const PROGRAM_TOL: Tolerance = Tolerance {
    abs: 1e-5,
    rel: 1e-4,
};

/// Roles used by any of `indices`, in slot order.
pub fn roles_used<D: Deref<Target = IndexDesc>>(indices: &[D]) -> Vec<Role> {
    let mut roles: Vec<Role> = indices
        .iter()
        .flat_map(|d| d.roles.iter().copied())
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// 64-bit FNV-1a: a stable name for generated code.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
