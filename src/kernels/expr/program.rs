//! The compiled form of a formula ([`Program`]): a typed straight-line program of operations
//! over band inputs, the names it is compiled against ([`Scope`], [`Sym`]), and the nodata rules
//! both back ends implement.
//!
//! Every value is an f32 (or a bool, for comparisons) with a validity flag. The rules, identical
//! on both back ends (`shaders/common.wgsl` semantics for the built-in indices):
//! - `a / b` is nodata where |b| < f32::MIN_POSITIVE (zero or subnormal);
//! - `sqrt(x)` is nodata for x < 0; `log(x)` and `log10(x)` for x ≤ 0; `exp(x)` for x ≥ 88.72
//!   (it would overflow f32);
//! - `x ** y`: constant integer y is exact repeated multiplication up to |y| = 4, otherwise
//!   `sign · |x|^y` with the sign of x for odd y (0 ** negative is nodata); y = 0.5 is `sqrt`,
//!   y = −0.5 is `1 / sqrt`; y = 1/3 is the sign-preserving cube root `sign(x)·|x|^(1/3)`; any other
//!   y (non-integer or not a constant) follows the documented negative-base rule: x < 0 gives
//!   nodata (WGSL's `pow` is undefined there, and a real power of a negative number is not real),
//!   0 ** y is 0 for y > 0, 1 for y = 0, nodata for y < 0;
//! - any non-finite intermediate result is nodata;
//! - nodata propagates through every operation except `where(c, a, b)`, which is valid when `c`
//!   is and the branch it picks is: `where(S1 > 0, N / S1, 0)` is 0, not nodata, where S1 = 0.

use crate::kernels::vocab::Role;

/// What a name in a formula stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sym {
    Band(Role),
    Const(f64),
}

/// Value types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Float,
    Bool,
}

/// One operation; operands are indices of earlier operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Argument `i` of the program (its `roles[i]`).
    Input(u32),
    /// f32 bits.
    Const(u32),
    Neg(u32),
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Div(u32, u32),
    Min(u32, u32),
    Max(u32, u32),
    Abs(u32),
    Sqrt(u32),
    Exp(u32),
    Ln(u32),
    Log10(u32),
    Tanh(u32),
    /// `x ** n` for a constant integer n, sign-correct.
    PowI(u32, i32),
    /// Sign-preserving cube root.
    Cbrt(u32),
    /// General power with the negative-base rule.
    Pow(u32, u32),
    Lt(u32, u32),
    Le(u32, u32),
    Gt(u32, u32),
    Ge(u32, u32),
    Eq(u32, u32),
    Ne(u32, u32),
    Where(u32, u32, u32),
}

/// `exp` overflows f32 above ln(f32::MAX) = 88.7228.
pub(super) const EXP_LIMIT: f32 = 88.72;
pub(super) const LOG10_E: f32 = std::f32::consts::LOG10_E;
pub(super) const THIRD: f32 = 1.0 / 3.0;

impl Op {
    /// Operand indices, in argument order.
    pub(super) fn args(&self) -> Vec<u32> {
        use Op::*;
        match *self {
            Input(_) | Const(_) => vec![],
            Neg(a)
            | Abs(a)
            | Sqrt(a)
            | Exp(a)
            | Ln(a)
            | Log10(a)
            | Tanh(a)
            | PowI(a, _)
            | Cbrt(a) => vec![a],
            Add(a, b)
            | Sub(a, b)
            | Mul(a, b)
            | Div(a, b)
            | Min(a, b)
            | Max(a, b)
            | Pow(a, b)
            | Lt(a, b)
            | Le(a, b)
            | Gt(a, b)
            | Ge(a, b)
            | Eq(a, b)
            | Ne(a, b) => vec![a, b],
            Where(c, a, b) => vec![c, a, b],
        }
    }

    /// The type of the operation's result.
    pub(super) fn ty(&self) -> Ty {
        use Op::*;
        match self {
            Lt(..) | Le(..) | Gt(..) | Ge(..) | Eq(..) | Ne(..) => Ty::Bool,
            _ => Ty::Float,
        }
    }
}

/// A compiled formula.
#[derive(Clone, Debug)]
pub struct Program {
    /// The formula as written.
    pub source: String,
    /// Band roles in argument order (each once, in order of first use).
    pub roles: Vec<Role>,
    /// Constants the formula used, with the values compiled in.
    pub constants: Vec<(String, f64)>,
    pub(super) ops: Vec<Op>,
    pub(super) result: u32,
}

/// Names a formula may use: bands and constants.
pub trait Scope {
    fn lookup(&self, name: &str) -> Option<Sym>;
    /// Every name, for "unknown name" errors.
    fn known(&self) -> Vec<String>;
}

impl Program {
    /// Number of operations after folding and deduplication.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// The scope of the unit tests: bands N, R, B and the constant L = 0.5.
#[cfg(test)]
pub(super) struct TestScope;

#[cfg(test)]
impl Scope for TestScope {
    fn lookup(&self, name: &str) -> Option<Sym> {
        match name {
            "N" => Some(Sym::Band(Role::Nir)),
            "R" => Some(Sym::Band(Role::Red)),
            "B" => Some(Sym::Band(Role::Blue)),
            "L" => Some(Sym::Const(0.5)),
            _ => None,
        }
    }
    fn known(&self) -> Vec<String> {
        ["N", "R", "B", "L"].map(String::from).to_vec()
    }
}
