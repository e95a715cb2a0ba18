//! One operation on scalar operands ([`apply`]): the CPU definition of the rules of
//! [`super::program`], shared by constant folding and the CPU evaluator.

use super::program::{Op, EXP_LIMIT, LOG10_E, THIRD};

/// Evaluate one operation on scalar operands (`x`, `y`, `z` in argument order; NaN = nodata;
/// bools as 1.0/0.0). The single definition both CPU paths use.
#[inline(always)]
pub(super) fn apply(op: &Op, x: f32, y: f32, z: f32) -> f32 {
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
