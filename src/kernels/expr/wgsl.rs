//! The WGSL back end: a [`Program`] as the source of one WGSL function.

use std::fmt::Write as _;

use super::program::{Op, Program, EXP_LIMIT, LOG10_E, THIRD};

/// `text` on one line, for a WGSL `//` comment: WGSL ends a line comment at LF, CR, VT, FF, NEL,
/// LS and PS, not only at LF (a formula may hold CR and FF as white space), and what followed a
/// break would be code.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

impl Program {
    /// WGSL function `fn NAME(r0: f32, ...) -> Px` computing the program (rules of
    /// [`program`](super::program); inputs are valid samples). Constants are exact f32 bit
    /// patterns.
    pub fn wgsl_function(&self, name: &str) -> String {
        let mut s = String::new();
        let params: Vec<String> = (0..self.roles.len())
            .map(|i| format!("r{i}: f32"))
            .collect();
        let _ = writeln!(s, "// {}", one_line(&self.source));
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
    use crate::kernels::expr::program::TestScope as T;

    #[test]
    fn the_formula_comment_stays_one_line() {
        // found by fuzzing: a form feed in the formula ended the comment, and the rest of the
        // formula became WGSL code
        for src in ["(\u{c}N * R) / (B ** 1.0)", "N\r+ R", "N +\tR\n- B"] {
            let f = Program::compile(src, &T).unwrap().wgsl_function("f");
            let (comment, body) = f.split_once('\n').unwrap();
            assert!(comment.starts_with("// "), "{f}");
            let breaks = ['\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}'];
            assert!(!f.contains(breaks), "{src:?}: {f:?}");
            assert!(body.starts_with("fn f("), "{f}");
        }
    }
}
