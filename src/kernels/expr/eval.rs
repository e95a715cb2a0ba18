//! The CPU evaluator, the specification of a [`Program`]: per pixel ([`Program::eval_px`]) and
//! block-wise over runs of pixels ([`Program::eval_batch`]).

use super::program::{Op, Program};
use super::scalar::apply;
use crate::kernels::vocab::Px;

impl Program {
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
    /// whole run, with `apply` inlined in each loop, in the widest vector form this CPU has
    /// ([`crate::kernels::simd::wide`]).
    pub fn eval_batch(&self, inputs: &[&[f32]], out: &mut [f32]) {
        crate::kernels::simd::wide(
            #[inline(always)]
            || self.eval_batch_in(inputs, out),
        )
    }

    #[inline(always)]
    fn eval_batch_in(&self, inputs: &[&[f32]], out: &mut [f32]) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::expr::program::TestScope as T;
    use crate::kernels::Role;

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
    fn formulas_at_the_size_limits_compile_and_evaluate() {
        use crate::kernels::expr::parse::tests::{long_sum, nest};
        use crate::kernels::expr::parse::{MAX_DEPTH, MAX_OPS};
        let n = MAX_OPS + 1;
        // N = 1 is exact in every partial sum
        assert_eq!(eval(&long_sum(n), 1.0, 0.0), Some(n as f32));
        let p = Program::compile(&long_sum(n), &T).unwrap();
        assert_eq!(p.len(), n); // N and the 1024 additions
        assert!(p.wgsl_function("f").contains(&format!("v{}", n - 1)));
        let d = MAX_DEPTH;
        assert_eq!(eval(&nest("(", "N - R", ")", d), 0.5, 0.25), Some(0.25));
        assert_eq!(eval(&nest("-", "N", "", d), 0.5, 0.0), Some(0.5)); // an even count
        assert_eq!(
            eval(&nest("(N + ", "R", ")", d), 1.0, 2.0),
            Some(d as f32 + 2.0)
        );
        let v = eval(&nest("sqrt(", "N", ")", d), 2.0, 0.0).unwrap();
        assert!((v - 1.0).abs() < 1e-6, "{v}");
        assert_eq!(eval(&nest("abs(", "N", ")", d), -3.0, 0.0), Some(3.0));
        assert_eq!(
            eval(&nest("where(R > 0, ", "N", ", 0)", d), 4.0, 1.0),
            Some(4.0)
        );
        // N ** (1 ** (1 ** ... 1)): the exponent folds to 1 at compile time
        let pow = format!("N ** {}", nest("1 ** ", "1", "", d - 1));
        assert_eq!(eval(&pow, 3.0, 0.0), Some(3.0));
        assert_eq!(
            eval(
                &format!("min({}) + R", vec!["N"; MAX_OPS - 1].join(", ")),
                1.0,
                2.0
            ),
            Some(3.0)
        );
    }
}
