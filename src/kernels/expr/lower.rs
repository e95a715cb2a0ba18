//! Syntax tree → [`Program`]: name resolution, typing, constant folding, deduplication and the
//! lowering of `**`, behind the compile entry point [`Program::compile`].
//!
//! Folding: operations on constants are evaluated at compile time (with the same rules), and
//! identical operations are computed once (common subexpressions), so a formula that repeats
//! `(N - R)/(N + R)` costs one division.

use std::collections::HashMap;

use super::parse::{Ast, BinOp, ExprError, Span};
use super::program::{Op, Program, Scope, Sym, Ty};
use super::scalar::apply;
use crate::kernels::vocab::Role;

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

    /// Check that the value `i` of `a` is what its consumer needs.
    fn check(&self, i: u32, a: &Ast, need: Need) -> Result<u32, ExprError> {
        match (need, self.ty(i)) {
            (Need::Float, Ty::Float) | (Need::Cond, Ty::Bool) => Ok(i),
            (Need::Float, _) => self.err(
                "a comparison is not a number; use it as where(condition, a, b)",
                a.span(),
            ),
            (Need::Cond, _) => self.err(
                "where() needs a comparison first, e.g. where(S1 > 0, N / S1, 0)",
                a.span(),
            ),
        }
    }

    /// Lower the formula `root` to a float value. Iterative, with an explicit stack: a syntax
    /// tree is as deep as its longest chain (`N + N + ...`), which the parser bounds only by
    /// [`MAX_OPS`](super::parse::MAX_OPS). Operands are lowered left to right and each is
    /// checked as soon as it is complete, so errors come in source order.
    fn lower(&mut self, root: &Ast) -> Result<u32, ExprError> {
        let mut tasks = vec![Task::Visit(root, Need::Float)];
        let mut values: Vec<u32> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Visit(a, need) => match a {
                    Ast::Num(v, span) => {
                        let text = &self.src[span.start..span.end];
                        let i = self.finite(*v, *span, || format!("number {text}"))?;
                        values.push(self.check(i, a, need)?);
                    }
                    Ast::Name(n, span) => {
                        let i = self.name(n, *span)?;
                        values.push(self.check(i, a, need)?);
                    }
                    Ast::Neg(x, _) => {
                        tasks.push(Task::Finish(a, need));
                        tasks.push(Task::Visit(x, Need::Float));
                    }
                    Ast::Bin(_, l, r, _) => {
                        tasks.push(Task::Finish(a, need));
                        tasks.push(Task::Visit(r, Need::Float));
                        tasks.push(Task::Visit(l, Need::Float));
                    }
                    Ast::Call(f, args, span) => {
                        self.check_call(f, args.len(), *span)?;
                        tasks.push(Task::Finish(a, need));
                        for (k, x) in args.iter().enumerate().rev() {
                            let need = if f == "where" && k == 0 {
                                Need::Cond
                            } else {
                                Need::Float
                            };
                            tasks.push(Task::Visit(x, need));
                        }
                    }
                },
                Task::Finish(a, need) => {
                    let i = match a {
                        Ast::Neg(..) => {
                            let x = values.pop().expect("operand");
                            self.push(Op::Neg(x))
                        }
                        Ast::Bin(op, _, _, span) => {
                            let y = values.pop().expect("operand");
                            let x = values.pop().expect("operand");
                            match op {
                                BinOp::Add => self.push(Op::Add(x, y)),
                                BinOp::Sub => self.push(Op::Sub(x, y)),
                                BinOp::Mul => self.push(Op::Mul(x, y)),
                                BinOp::Div => self.push(Op::Div(x, y)),
                                BinOp::Pow => self.power(x, y, *span)?,
                                BinOp::Lt => self.push(Op::Lt(x, y)),
                                BinOp::Le => self.push(Op::Le(x, y)),
                                BinOp::Gt => self.push(Op::Gt(x, y)),
                                BinOp::Ge => self.push(Op::Ge(x, y)),
                                BinOp::Eq => self.push(Op::Eq(x, y)),
                                BinOp::Ne => self.push(Op::Ne(x, y)),
                            }
                        }
                        Ast::Call(f, args, _) => {
                            let x = values.split_off(values.len() - args.len());
                            self.call(f, &x)
                        }
                        Ast::Num(..) | Ast::Name(..) => unreachable!("leaves finish on visit"),
                    };
                    values.push(self.check(i, a, need)?);
                }
            }
        }
        Ok(values.pop().expect("the result"))
    }

    /// A constant of the source (a number or a named constant), which must be a finite f32: an
    /// infinite or NaN constant would be valid data in `where` branches on both back ends.
    fn finite(&mut self, v: f64, span: Span, what: impl Fn() -> String) -> Result<u32, ExprError> {
        let f = v as f32;
        if !f.is_finite() {
            return self.err(format!("{} is not a finite 32-bit float", what()), span);
        }
        Ok(self.constant(f))
    }

    /// A band or constant.
    fn name(&mut self, n: &str, span: Span) -> Result<u32, ExprError> {
        match self.scope.lookup(n) {
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
                let i = self.finite(v, span, || format!("constant '{n}' = {v}"))?;
                if !self.constants.iter().any(|(c, _)| c == n) {
                    self.constants.push((n.to_string(), v));
                }
                Ok(i)
            }
            None => {
                let mut known = self.scope.known();
                known.sort();
                known.dedup();
                let hint = near_name(n, &known);
                self.err(
                    format!("unknown name '{n}'{hint}; known: {}", known.join(" ")),
                    span,
                )
            }
        }
    }

    /// `x ** y` with the lowering rules of [`program`](super::program).
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

    /// A function name and its number of arguments, checked before the arguments are lowered.
    fn check_call(&self, f: &str, n: usize, span: Span) -> Result<(), ExprError> {
        let arity = |want: usize| -> Result<(), ExprError> {
            if n == want {
                Ok(())
            } else {
                self.err(format!("{f}() takes {want} argument(s), got {n}"), span)
            }
        };
        match f {
            "abs" | "sqrt" | "exp" | "log" | "ln" | "log10" | "tanh" => arity(1),
            "min" | "max" if n < 2 => {
                self.err(format!("{f}() takes 2 or more arguments, got {n}"), span)
            }
            "min" | "max" => Ok(()),
            "where" => arity(3),
            "spatial_max" | "spatial_min" | "spatial_mean" | "kernel" => self.err(
                format!("{f}() needs a scene-wide reduction or kernel inputs, which a per-pixel kernel cannot compute"),
                span,
            ),
            _ => {
                let known = ["abs", "sqrt", "exp", "log", "log10", "tanh", "min", "max", "where"];
                let hint = crate::kernels::suggest::did_you_mean(f, known, |s| format!("'{s}'"))
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                self.err(
                    format!("unknown function '{f}'{hint}; known: {}", known.join(" ")),
                    span,
                )
            }
        }
    }

    /// A call checked by [`Self::check_call`], on its lowered arguments.
    fn call(&mut self, f: &str, args: &[u32]) -> u32 {
        match f {
            "abs" => self.push(Op::Abs(args[0])),
            "sqrt" => self.push(Op::Sqrt(args[0])),
            "exp" => self.push(Op::Exp(args[0])),
            "log" | "ln" => self.push(Op::Ln(args[0])),
            "log10" => self.push(Op::Log10(args[0])),
            "tanh" => self.push(Op::Tanh(args[0])),
            "min" | "max" => args[1..].iter().fold(args[0], |acc, &v| {
                self.push(if f == "min" {
                    Op::Min(acc, v)
                } else {
                    Op::Max(acc, v)
                })
            }),
            "where" => self.push(Op::Where(args[0], args[1], args[2])),
            _ => unreachable!("checked by check_call"),
        }
    }
}

/// What a value's consumer needs: a number, or the condition of `where`.
#[derive(Clone, Copy)]
enum Need {
    Float,
    Cond,
}

/// A step of [`Builder::lower`]: lower a node, or combine its lowered operands.
enum Task<'a> {
    Visit(&'a Ast, Need),
    Finish(&'a Ast, Need),
}

/// ` (did you mean 'nir' or 'N'?)` for a name of a formula that is not in scope: the nearest
/// known names ignoring case, with a role name's ASI symbol (names in formulas are
/// case-sensitive, so `NIR` is not `nir`), or nothing.
fn near_name(typed: &str, known: &[String]) -> String {
    use crate::kernels::vocab::Role;
    let near = crate::kernels::suggest::closest(typed, known.iter().map(String::as_str));
    let mut shown: Vec<String> = Vec::new();
    for n in near {
        let sym = Role::ALL
            .into_iter()
            .find(|r| r.name() == n)
            .and_then(Role::asi_symbol)
            .filter(|s| known.iter().any(|k| k == s));
        for w in std::iter::once(n).chain(sym) {
            let w = format!("'{w}'");
            if !shown.contains(&w) {
                shown.push(w);
            }
        }
    }
    match crate::kernels::suggest::or_list(&shown) {
        Some(l) => format!(" (did you mean {l}?)"),
        None => String::new(),
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
        let result = b.lower(&ast)?;
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
}

#[cfg(test)]
#[path = "lower_tests.rs"]
mod tests;
