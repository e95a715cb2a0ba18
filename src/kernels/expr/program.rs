//! Typed, folded, deduplicated straight-line programs compiled from a syntax tree, with their two
//! back ends: the CPU evaluator (the specification) and WGSL source.
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
//!
//! Folding: operations on constants are evaluated at compile time (with the same rules), and
//! identical operations are computed once (common subexpressions), so a formula that repeats
//! `(N - R)/(N + R)` costs one division.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::parse::{Ast, BinOp, ExprError, Span};
use crate::kernels::{Px, Role};

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
const EXP_LIMIT: f32 = 88.72;
const LOG10_E: f32 = std::f32::consts::LOG10_E;
const THIRD: f32 = 1.0 / 3.0;

impl Op {
    fn args(&self) -> Vec<u32> {
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

    fn ty(&self) -> Ty {
        use Op::*;
        match self {
            Lt(..) | Le(..) | Gt(..) | Ge(..) | Eq(..) | Ne(..) => Ty::Bool,
            _ => Ty::Float,
        }
    }
}

/// Evaluate one operation on scalar operands (`x`, `y`, `z` in argument order; NaN = nodata;
/// bools as 1.0/0.0). The single definition both CPU paths use.
#[inline(always)]
fn apply(op: &Op, x: f32, y: f32, z: f32) -> f32 {
    use Op::*;
    let nan = f32::NAN;
    let b = |v: bool| if v { 1.0 } else { 0.0 };
    if let Where(..) = *op {
        return if x.is_nan() {
            nan
        } else if x != 0.0 {
            y
        } else {
            z
        };
    }
    // Written as selects, not early returns, so that the per-operation loops vectorize.
    let bad = x.is_nan() | y.is_nan();
    let r = match *op {
        Input(_) | Const(_) | Where(..) => unreachable!("handled above"),
        Neg(_) => -x,
        Add(..) => x + y,
        Sub(..) => x - y,
        Mul(..) => x * y,
        Div(..) => {
            if y.abs() < f32::MIN_POSITIVE {
                nan
            } else {
                x / y
            }
        }
        Min(..) => x.min(y),
        Max(..) => x.max(y),
        Abs(_) => x.abs(),
        Sqrt(_) => {
            if x < 0.0 {
                nan
            } else {
                x.sqrt()
            }
        }
        Exp(_) => {
            if x < EXP_LIMIT {
                x.exp()
            } else {
                nan
            }
        }
        Ln(_) => {
            if x > 0.0 {
                x.ln()
            } else {
                nan
            }
        }
        Log10(_) => {
            if x > 0.0 {
                x.ln() * LOG10_E
            } else {
                nan
            }
        }
        Tanh(_) => x.tanh(),
        PowI(_, n) => {
            if x == 0.0 {
                if n > 0 {
                    0.0
                } else if n == 0 {
                    1.0
                } else {
                    nan
                }
            } else {
                let m = x.abs().powf(n as f32);
                if x < 0.0 && n % 2 != 0 {
                    -m
                } else {
                    m
                }
            }
        }
        Cbrt(_) => {
            if x == 0.0 {
                0.0
            } else {
                x.signum() * x.abs().powf(THIRD)
            }
        }
        Pow(..) => {
            if x > 0.0 {
                x.powf(y)
            } else if x == 0.0 {
                if y > 0.0 {
                    0.0
                } else if y == 0.0 {
                    1.0
                } else {
                    nan
                }
            } else {
                nan
            }
        }
        Lt(..) => b(x < y),
        Le(..) => b(x <= y),
        Gt(..) => b(x > y),
        Ge(..) => b(x >= y),
        Eq(..) => b(x == y),
        Ne(..) => b(x != y),
    };
    if bad || !r.is_finite() {
        nan
    } else {
        r
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
    ops: Vec<Op>,
    result: u32,
}

/// Names a formula may use: bands and constants.
pub trait Scope {
    fn lookup(&self, name: &str) -> Option<Sym>;
    /// Every name, for "unknown name" errors.
    fn known(&self) -> Vec<String>;
}

struct Builder<'a> {
    src: &'a str,
    scope: &'a dyn Scope,
    ops: Vec<Op>,
    dedup: HashMap<Op, u32>,
    roles: Vec<Role>,
    constants: Vec<(String, f64)>,
}

impl Builder<'_> {
    fn push(&mut self, op: Op) -> u32 {
        if let Some(&i) = self.dedup.get(&op) {
            return i;
        }
        // Fold operations whose operands are all constants (when the result is valid).
        let args = op.args();
        if !args.is_empty()
            && args
                .iter()
                .all(|&a| matches!(self.ops[a as usize], Op::Const(_)))
        {
            let v: Vec<f32> = args
                .iter()
                .map(|&a| match self.ops[a as usize] {
                    Op::Const(bits) => f32::from_bits(bits),
                    _ => unreachable!(),
                })
                .collect();
            let r = apply(
                &op,
                v[0],
                *v.get(1).unwrap_or(&0.0),
                *v.get(2).unwrap_or(&0.0),
            );
            if !r.is_nan() && op.ty() == Ty::Float {
                return self.constant(r);
            }
        }
        let i = self.ops.len() as u32;
        self.ops.push(op);
        self.dedup.insert(op, i);
        i
    }

    fn constant(&mut self, v: f32) -> u32 {
        self.push(Op::Const(v.to_bits()))
    }

    fn const_value(&self, i: u32) -> Option<f32> {
        match self.ops[i as usize] {
            Op::Const(b) => Some(f32::from_bits(b)),
            _ => None,
        }
    }

    fn ty(&self, i: u32) -> Ty {
        self.ops[i as usize].ty()
    }

    fn err<T>(&self, msg: impl Into<String>, span: Span) -> Result<T, ExprError> {
        Err(ExprError::new(msg, span, self.src))
    }

    fn float(&mut self, a: &Ast) -> Result<u32, ExprError> {
        let i = self.lower(a)?;
        if self.ty(i) != Ty::Float {
            return self.err(
                "a comparison is not a number; use it as where(condition, a, b)",
                a.span(),
            );
        }
        Ok(i)
    }

    fn lower(&mut self, a: &Ast) -> Result<u32, ExprError> {
        match a {
            Ast::Num(v, _) => Ok(self.constant(*v as f32)),
            Ast::Name(n, span) => match self.scope.lookup(n) {
                Some(Sym::Band(r)) => {
                    let idx = match self.roles.iter().position(|x| *x == r) {
                        Some(i) => i,
                        None => {
                            self.roles.push(r);
                            self.roles.len() - 1
                        }
                    };
                    Ok(self.push(Op::Input(idx as u32)))
                }
                Some(Sym::Const(v)) => {
                    if !self.constants.iter().any(|(c, _)| c == n) {
                        self.constants.push((n.clone(), v));
                    }
                    Ok(self.constant(v as f32))
                }
                None => {
                    let mut known = self.scope.known();
                    known.sort();
                    known.dedup();
                    self.err(
                        format!("unknown name '{n}'; known: {}", known.join(" ")),
                        *span,
                    )
                }
            },
            Ast::Neg(x, _) => {
                let x = self.float(x)?;
                Ok(self.push(Op::Neg(x)))
            }
            Ast::Bin(op, l, r, span) => {
                if op.is_comparison() {
                    let (x, y) = (self.float(l)?, self.float(r)?);
                    return Ok(self.push(match op {
                        BinOp::Lt => Op::Lt(x, y),
                        BinOp::Le => Op::Le(x, y),
                        BinOp::Gt => Op::Gt(x, y),
                        BinOp::Ge => Op::Ge(x, y),
                        BinOp::Eq => Op::Eq(x, y),
                        _ => Op::Ne(x, y),
                    }));
                }
                let x = self.float(l)?;
                let y = self.float(r)?;
                Ok(match op {
                    BinOp::Add => self.push(Op::Add(x, y)),
                    BinOp::Sub => self.push(Op::Sub(x, y)),
                    BinOp::Mul => self.push(Op::Mul(x, y)),
                    BinOp::Div => self.push(Op::Div(x, y)),
                    BinOp::Pow => self.power(x, y, *span)?,
                    _ => unreachable!("comparisons handled above"),
                })
            }
            Ast::Call(f, args, span) => self.call(f, args, *span),
        }
    }

    /// `x ** y` with the lowering rules of the module docs.
    fn power(&mut self, x: u32, y: u32, _span: Span) -> Result<u32, ExprError> {
        let Some(e) = self.const_value(y) else {
            return Ok(self.push(Op::Pow(x, y)));
        };
        let e64 = e as f64;
        if e.fract() == 0.0 && e.abs() <= 64.0 {
            let n = e as i32;
            let pos = |b: &mut Self, n: i32| -> u32 {
                match n {
                    1 => x,
                    2 => b.push(Op::Mul(x, x)),
                    3 => {
                        let s = b.push(Op::Mul(x, x));
                        b.push(Op::Mul(s, x))
                    }
                    4 => {
                        let s = b.push(Op::Mul(x, x));
                        b.push(Op::Mul(s, s))
                    }
                    _ => b.push(Op::PowI(x, n)),
                }
            };
            return Ok(match n {
                0 => self.push(Op::PowI(x, 0)),
                n if n > 0 => pos(self, n),
                n if n >= -4 => {
                    let p = pos(self, -n);
                    let one = self.constant(1.0);
                    self.push(Op::Div(one, p))
                }
                n => self.push(Op::PowI(x, n)),
            });
        }
        if e == 0.5 {
            return Ok(self.push(Op::Sqrt(x)));
        }
        if e == -0.5 {
            let s = self.push(Op::Sqrt(x));
            let one = self.constant(1.0);
            return Ok(self.push(Op::Div(one, s)));
        }
        if (e64 - 1.0 / 3.0).abs() < 1e-7 {
            return Ok(self.push(Op::Cbrt(x)));
        }
        Ok(self.push(Op::Pow(x, y)))
    }

    fn call(&mut self, f: &str, args: &[Ast], span: Span) -> Result<u32, ExprError> {
        let arity = |n: usize, b: &Self| -> Result<(), ExprError> {
            if args.len() == n {
                Ok(())
            } else {
                b.err(
                    format!("{f}() takes {n} argument(s), got {}", args.len()),
                    span,
                )
            }
        };
        let unary = |b: &mut Self, mk: fn(u32) -> Op| -> Result<u32, ExprError> {
            arity(1, b)?;
            let x = b.float(&args[0])?;
            Ok(b.push(mk(x)))
        };
        match f {
            "abs" => unary(self, Op::Abs),
            "sqrt" => unary(self, Op::Sqrt),
            "exp" => unary(self, Op::Exp),
            "log" | "ln" => unary(self, Op::Ln),
            "log10" => unary(self, Op::Log10),
            "tanh" => unary(self, Op::Tanh),
            "min" | "max" => {
                if args.len() < 2 {
                    return self.err(format!("{f}() takes 2 or more arguments, got {}", args.len()), span);
                }
                let mut acc = self.float(&args[0])?;
                for a in &args[1..] {
                    let v = self.float(a)?;
                    acc = self.push(if f == "min" { Op::Min(acc, v) } else { Op::Max(acc, v) });
                }
                Ok(acc)
            }
            "where" => {
                arity(3, self)?;
                let c = self.lower(&args[0])?;
                if self.ty(c) != Ty::Bool {
                    return self.err("where() needs a comparison first, e.g. where(S1 > 0, N / S1, 0)", args[0].span());
                }
                let a = self.float(&args[1])?;
                let b = self.float(&args[2])?;
                Ok(self.push(Op::Where(c, a, b)))
            }
            "spatial_max" | "spatial_min" | "spatial_mean" | "kernel" => self.err(
                format!("{f}() needs a scene-wide reduction or kernel inputs, which a per-pixel kernel cannot compute"),
                span,
            ),
            _ => self.err(
                format!("unknown function '{f}'; known: abs sqrt exp log log10 tanh min max where"),
                span,
            ),
        }
    }
}

/// Drop operations the result does not use (operands of folded constants) and renumber.
fn compact(ops: Vec<Op>, result: u32) -> (Vec<Op>, u32) {
    let mut live = vec![false; ops.len()];
    live[result as usize] = true;
    for j in (0..ops.len()).rev() {
        if live[j] {
            for a in ops[j].args() {
                live[a as usize] = true;
            }
        }
    }
    let mut new_index = vec![0u32; ops.len()];
    let mut out = Vec::new();
    for (j, op) in ops.into_iter().enumerate() {
        if !live[j] {
            continue;
        }
        let m = |i: u32| new_index[i as usize];
        use Op::*;
        let op = match op {
            Input(_) | Const(_) => op,
            Neg(a) => Neg(m(a)),
            Abs(a) => Abs(m(a)),
            Sqrt(a) => Sqrt(m(a)),
            Exp(a) => Exp(m(a)),
            Ln(a) => Ln(m(a)),
            Log10(a) => Log10(m(a)),
            Tanh(a) => Tanh(m(a)),
            PowI(a, n) => PowI(m(a), n),
            Cbrt(a) => Cbrt(m(a)),
            Add(a, b) => Add(m(a), m(b)),
            Sub(a, b) => Sub(m(a), m(b)),
            Mul(a, b) => Mul(m(a), m(b)),
            Div(a, b) => Div(m(a), m(b)),
            Min(a, b) => Min(m(a), m(b)),
            Max(a, b) => Max(m(a), m(b)),
            Pow(a, b) => Pow(m(a), m(b)),
            Lt(a, b) => Lt(m(a), m(b)),
            Le(a, b) => Le(m(a), m(b)),
            Gt(a, b) => Gt(m(a), m(b)),
            Ge(a, b) => Ge(m(a), m(b)),
            Eq(a, b) => Eq(m(a), m(b)),
            Ne(a, b) => Ne(m(a), m(b)),
            Where(c, a, b) => Where(m(c), m(a), m(b)),
        };
        new_index[j] = out.len() as u32;
        out.push(op);
    }
    (out, new_index[result as usize])
}

impl Program {
    /// Compile `source` with names resolved by `scope`.
    pub fn compile(source: &str, scope: &dyn Scope) -> Result<Program, ExprError> {
        let ast = super::parse::parse(source)?;
        let mut b = Builder {
            src: source,
            scope,
            ops: Vec::new(),
            dedup: HashMap::new(),
            roles: Vec::new(),
            constants: Vec::new(),
        };
        let result = b.float(&ast)?;
        if b.roles.is_empty() {
            return Err(ExprError::new(
                "the formula uses no band",
                Span {
                    start: 0,
                    end: source.len(),
                },
                source,
            ));
        }
        let (ops, result) = compact(b.ops, result);
        Ok(Program {
            source: source.to_string(),
            roles: b.roles,
            constants: b.constants,
            ops,
            result,
        })
    }

    /// Number of operations after folding and deduplication.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The specification: one pixel, `args[i]` the (valid) sample of `roles[i]`.
    pub fn eval_px(&self, args: &[f32]) -> Px {
        let mut v = vec![0f32; self.ops.len()];
        for (j, op) in self.ops.iter().enumerate() {
            v[j] = match *op {
                Op::Input(i) => args[i as usize],
                Op::Const(b) => f32::from_bits(b),
                _ => {
                    let a = op.args();
                    let g = |k: usize| a.get(k).map(|&i| v[i as usize]).unwrap_or(0.0);
                    apply(op, g(0), g(1), g(2))
                }
            };
        }
        let r = v[self.result as usize];
        if r.is_nan() {
            Px::INVALID
        } else {
            Px::new(r)
        }
    }

    /// The same over a run of pixels: `inputs[i][p]` is `roles[i]` of pixel `p` (NaN =
    /// invalid sample); writes the value or NaN to `out[p]`. Operation by operation over the
    /// whole run, with `apply` inlined in each loop.
    pub fn eval_batch(&self, inputs: &[&[f32]], out: &mut [f32]) {
        // Blocks small enough that every intermediate column stays in the L1/L2 cache.
        const BLOCK: usize = 512;
        let mut scratch = vec![0f32; self.ops.len() * BLOCK];
        let mut start = 0;
        while start < out.len() {
            let len = BLOCK.min(out.len() - start);
            for (j, op) in self.ops.iter().enumerate() {
                let (done, rest) = scratch.split_at_mut(j * BLOCK);
                let dst = &mut rest[..len];
                let c = |k: usize| &done[k * BLOCK..k * BLOCK + len];
                let a = op.args();
                // Each arm calls `apply` with an operation known at compile time, so the match
                // inside it folds away and the loop is specialised per operation.
                macro_rules! un {
                    ($op:expr) => {{
                        let k = $op;
                        let x = c(a[0] as usize);
                        for (d, &x) in dst.iter_mut().zip(x) {
                            *d = apply(&k, x, 0.0, 0.0);
                        }
                    }};
                }
                macro_rules! bin {
                    ($op:expr) => {{
                        let k = $op;
                        let (x, y) = (c(a[0] as usize), c(a[1] as usize));
                        for ((d, &x), &y) in dst.iter_mut().zip(x).zip(y) {
                            *d = apply(&k, x, y, 0.0);
                        }
                    }};
                }
                use Op::*;
                match *op {
                    Input(i) => dst.copy_from_slice(&inputs[i as usize][start..start + len]),
                    Const(b) => dst.fill(f32::from_bits(b)),
                    Neg(_) => un!(Neg(0)),
                    Abs(_) => un!(Abs(0)),
                    Sqrt(_) => un!(Sqrt(0)),
                    Exp(_) => un!(Exp(0)),
                    Ln(_) => un!(Ln(0)),
                    Log10(_) => un!(Log10(0)),
                    Tanh(_) => un!(Tanh(0)),
                    Cbrt(_) => un!(Cbrt(0)),
                    PowI(_, n) => un!(PowI(0, n)),
                    Add(..) => bin!(Add(0, 0)),
                    Sub(..) => bin!(Sub(0, 0)),
                    Mul(..) => bin!(Mul(0, 0)),
                    Div(..) => bin!(Div(0, 0)),
                    Min(..) => bin!(Min(0, 0)),
                    Max(..) => bin!(Max(0, 0)),
                    Pow(..) => bin!(Pow(0, 0)),
                    Lt(..) => bin!(Lt(0, 0)),
                    Le(..) => bin!(Le(0, 0)),
                    Gt(..) => bin!(Gt(0, 0)),
                    Ge(..) => bin!(Ge(0, 0)),
                    Eq(..) => bin!(Eq(0, 0)),
                    Ne(..) => bin!(Ne(0, 0)),
                    Where(..) => {
                        let (w, x, y) = (c(a[0] as usize), c(a[1] as usize), c(a[2] as usize));
                        for p in 0..len {
                            dst[p] = apply(&Where(0, 0, 0), w[p], x[p], y[p]);
                        }
                    }
                }
            }
            let r = self.result as usize * BLOCK;
            out[start..start + len].copy_from_slice(&scratch[r..r + len]);
            start += len;
        }
    }

    /// WGSL function `fn NAME(r0: f32, ...) -> Px` computing the program (rules of the module
    /// docs; inputs are valid samples). Constants are exact f32 bit patterns.
    pub fn wgsl_function(&self, name: &str) -> String {
        let mut s = String::new();
        let params: Vec<String> = (0..self.roles.len())
            .map(|i| format!("r{i}: f32"))
            .collect();
        let _ = writeln!(s, "// {}", self.source.replace('\n', " "));
        let _ = writeln!(s, "fn {name}({}) -> Px {{", params.join(", "));
        for (j, op) in self.ops.iter().enumerate() {
            let v = |i: &u32| format!("v{i}");
            let k = |i: &u32| format!("k{i}");
            // (expression, extra validity condition) for float results
            let float = |expr: String, cond: Option<String>, ks: &[&u32]| -> String {
                let mut valid: Vec<String> = ks.iter().map(|i| k(i)).collect();
                if let Some(c) = cond {
                    valid.push(c);
                }
                valid.push(format!("is_finite_bits(bitcast<u32>(t{j}))"));
                format!(
                    "    let t{j} = {expr};\n    let k{j} = {};\n    let v{j} = select(0.0, t{j}, k{j});\n",
                    valid.join(" && ")
                )
            };
            let line = match op {
                Op::Input(i) => format!("    let v{j} = r{i};\n    let k{j} = true;\n"),
                Op::Const(b) => format!("    let v{j} = bitcast<f32>(0x{b:08x}u);\n    let k{j} = true;\n"),
                Op::Neg(a) => float(format!("-{}", v(a)), None, &[a]),
                Op::Add(a, b) => float(format!("{} + {}", v(a), v(b)), None, &[a, b]),
                Op::Sub(a, b) => float(format!("{} - {}", v(a), v(b)), None, &[a, b]),
                Op::Mul(a, b) => float(format!("{} * {}", v(a), v(b)), None, &[a, b]),
                Op::Div(a, b) => float(
                    format!("{} / select(1.0, {}, abs({}) >= MIN_NORMAL)", v(a), v(b), v(b)),
                    Some(format!("abs({}) >= MIN_NORMAL", v(b))),
                    &[a, b],
                ),
                Op::Min(a, b) => float(format!("min({}, {})", v(a), v(b)), None, &[a, b]),
                Op::Max(a, b) => float(format!("max({}, {})", v(a), v(b)), None, &[a, b]),
                Op::Abs(a) => float(format!("abs({})", v(a)), None, &[a]),
                Op::Sqrt(a) => float(format!("sqrt(max({}, 0.0))", v(a)), Some(format!("{} >= 0.0", v(a))), &[a]),
                Op::Exp(a) => float(
                    format!("exp(min({}, {EXP_LIMIT:?}))", v(a)),
                    Some(format!("{} < {EXP_LIMIT:?}", v(a))),
                    &[a],
                ),
                Op::Ln(a) => float(format!("log(select(1.0, {}, {} > 0.0))", v(a), v(a)), Some(format!("{} > 0.0", v(a))), &[a]),
                Op::Log10(a) => float(
                    format!("log(select(1.0, {}, {} > 0.0)) * bitcast<f32>(0x{:08x}u)", v(a), v(a), LOG10_E.to_bits()),
                    Some(format!("{} > 0.0", v(a))),
                    &[a],
                ),
                Op::Tanh(a) => float(format!("tanh({})", v(a)), None, &[a]),
                Op::PowI(a, n) => {
                    let mag = format!("pow(select(1.0, abs({}), {} != 0.0), {:?})", v(a), v(a), *n as f32);
                    let signed = if n % 2 != 0 {
                        format!("select({mag}, -{mag}, {} < 0.0)", v(a))
                    } else {
                        mag
                    };
                    let zero = if *n > 0 { "0.0" } else { "1.0" };
                    float(
                        format!("select({signed}, {zero}, {} == 0.0)", v(a)),
                        (*n < 0).then(|| format!("{} != 0.0", v(a))),
                        &[a],
                    )
                }
                Op::Cbrt(a) => float(
                    format!(
                        "select(sign({x}) * pow(select(1.0, abs({x}), {x} != 0.0), bitcast<f32>(0x{t:08x}u)), 0.0, {x} == 0.0)",
                        x = v(a),
                        t = THIRD.to_bits()
                    ),
                    None,
                    &[a],
                ),
                Op::Pow(a, b) => float(
                    format!(
                        "select(pow(select(1.0, {x}, {x} > 0.0), {y}), select(0.0, 1.0, {y} == 0.0), {x} == 0.0)",
                        x = v(a),
                        y = v(b)
                    ),
                    Some(format!("({x} > 0.0 || ({x} == 0.0 && {y} >= 0.0))", x = v(a), y = v(b))),
                    &[a, b],
                ),
                Op::Lt(a, b) | Op::Le(a, b) | Op::Gt(a, b) | Op::Ge(a, b) | Op::Eq(a, b) | Op::Ne(a, b) => {
                    let sym = match op {
                        Op::Lt(..) => "<",
                        Op::Le(..) => "<=",
                        Op::Gt(..) => ">",
                        Op::Ge(..) => ">=",
                        Op::Eq(..) => "==",
                        _ => "!=",
                    };
                    format!(
                        "    let v{j} = {} {sym} {};\n    let k{j} = {} && {};\n",
                        v(a),
                        v(b),
                        k(a),
                        k(b)
                    )
                }
                Op::Where(c, a, b) => format!(
                    "    let v{j} = select({}, {}, {});\n    let k{j} = {} && select({}, {}, {});\n",
                    v(b),
                    v(a),
                    v(c),
                    k(c),
                    k(b),
                    k(a),
                    v(c)
                ),
            };
            s.push_str(&line);
        }
        let _ = writeln!(s, "    return Px(v{r}, k{r});\n}}", r = self.result);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct T;
    impl Scope for T {
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

    fn eval(src: &str, n: f32, r: f32) -> Option<f32> {
        let p = Program::compile(src, &T).unwrap();
        let args: Vec<f32> = p
            .roles
            .iter()
            .map(|x| if *x == Role::Nir { n } else { r })
            .collect();
        let px = p.eval_px(&args);
        // batch agrees with the per-pixel form
        let cols: Vec<Vec<f32>> = args.iter().map(|a| vec![*a]).collect();
        let refs: Vec<&[f32]> = cols.iter().map(|c| &c[..]).collect();
        let mut out = [0f32];
        p.eval_batch(&refs, &mut out);
        assert_eq!(px.valid, !out[0].is_nan(), "{src}");
        if px.valid {
            assert_eq!(px.value.to_bits(), out[0].to_bits(), "{src}");
        }
        px.valid.then_some(px.value)
    }

    #[test]
    fn hand_values_and_rules() {
        assert_eq!(eval("(N - R) / (N + R)", 0.5, 0.1), Some(0.4 / 0.6));
        assert_eq!(eval("(N - R) / (N + R)", 0.0, 0.0), None); // 0/0
        assert_eq!(
            eval("(1 + L) * (N - R) / (N + R + L)", 0.5, 0.1),
            Some(1.5 * 0.4 / 1.1)
        );
        assert_eq!(eval("N ** 2", -3.0, 0.0), Some(9.0));
        assert_eq!(eval("N ** 3", -2.0, 0.0), Some(-8.0));
        assert_eq!(eval("N ** 5", -2.0, 0.0), Some(-32.0));
        assert_eq!(eval("N ** -1", 4.0, 0.0), Some(0.25));
        assert_eq!(eval("N ** -1", 0.0, 0.0), None);
        assert_eq!(eval("N ** 0.5", 9.0, 0.0), Some(3.0));
        assert_eq!(eval("N ** 0.5", -9.0, 0.0), None);
        assert_eq!(eval("N ** (1/3)", -8.0, 0.0), Some(-2.0));
        assert_eq!(eval("N ** (1/3)", 0.0, 0.0), Some(0.0));
        assert_eq!(eval("N ** 1.5", -1.0, 0.0), None); // negative base, real exponent
        assert_eq!(eval("N ** 1.5", 0.0, 0.0), Some(0.0));
        assert_eq!(eval("N ** R", 4.0, 0.5), Some(2.0));
        assert_eq!(eval("N ** R", 0.0, -1.0), None);
        assert_eq!(eval("sqrt(N)", -1.0, 0.0), None);
        assert_eq!(eval("log(N)", 0.0, 0.0), None);
        assert_eq!(
            eval("log10(N)", 1000.0, 0.0).map(|v| (v - 3.0).abs() < 1e-6),
            Some(true)
        );
        assert_eq!(eval("exp(N)", 100.0, 0.0), None); // overflow
        assert_eq!(eval("N * 1e30 * 1e30", 1.0, 0.0), None); // non-finite
        assert_eq!(eval("where(R > 0, N / R, 0)", 1.0, 0.0), Some(0.0));
        assert_eq!(eval("where(R > 0, N / R, 0)", 1.0, 0.5), Some(2.0));
        assert_eq!(eval("where(R >= 0, N / R, 0)", 1.0, 0.0), None); // picked branch is nodata
        assert_eq!(eval("max(N, R, 0.3)", 0.1, 0.2), Some(0.3));
        assert_eq!(eval("min(N, R)", 0.1, 0.2), Some(0.1));
        assert_eq!(eval("-N ** 2", 3.0, 0.0), Some(-9.0));
        assert_eq!(
            eval("abs(N - R) + tanh(0)", 0.1, 0.3).map(|v| (v - 0.2).abs() < 1e-7),
            Some(true)
        );
    }

    #[test]
    fn folding_and_dedup() {
        // constants fold; N**2 becomes one multiplication; the repeated NDVI is computed once
        let p = Program::compile("2 * 3 + N ** 2", &T).unwrap();
        assert_eq!(p.len(), 4, "{:?}", p.ops); // N, N*N, 6, +
        let p = Program::compile("((N - R)/(N + R)) * ((N - R)/(N + R))", &T).unwrap();
        assert_eq!(p.len(), 6, "{:?}", p.ops); // N R - + / *
        assert_eq!(p.roles, vec![Role::Nir, Role::Red]);
        let p = Program::compile("N + L", &T).unwrap();
        assert_eq!(p.constants, vec![("L".to_string(), 0.5)]);
    }

    #[test]
    fn type_and_name_errors() {
        let e = Program::compile("N + Q", &T).unwrap_err();
        assert_eq!(e.span.start, 4);
        assert!(
            e.message.contains("unknown name 'Q'; known: B L N R"),
            "{}",
            e.message
        );
        let e = Program::compile("(N > R) + 1", &T).unwrap_err();
        assert!(
            e.message.contains("comparison is not a number"),
            "{}",
            e.message
        );
        let e = Program::compile("where(N, R, 0)", &T).unwrap_err();
        assert!(e.message.contains("needs a comparison"), "{}", e.message);
        let e = Program::compile("sqrt(N, R)", &T).unwrap_err();
        assert!(e.message.contains("takes 1 argument"), "{}", e.message);
        let e = Program::compile("foo(N)", &T).unwrap_err();
        assert!(
            e.message.contains("unknown function 'foo'"),
            "{}",
            e.message
        );
        let e = Program::compile("spatial_max(N)", &T).unwrap_err();
        assert!(e.message.contains("scene-wide"), "{}", e.message);
        let e = Program::compile("L * 2", &T).unwrap_err();
        assert!(e.message.contains("uses no band"), "{}", e.message);
    }
}
