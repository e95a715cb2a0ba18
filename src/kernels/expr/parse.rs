//! Operator-precedence parser for band-math formulas (the Awesome Spectral Indices grammar and a
//! little more), on the tokens of `lex`. Produces an untyped syntax tree with byte spans; errors
//! point at the column with a caret.
//!
//! ```text
//! expr   := cmp
//! cmp    := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
//! sum    := term (('+' | '-') term)*
//! term   := unary (('*' | '/') unary)*
//! unary  := ('-' | '+') unary | power
//! power  := atom (('**' | '^') unary)?          right-associative; -x**2 is -(x**2) as in Python
//! atom   := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
//! ```
//!
//! The parser keeps its own stacks (no recursion), and so does the compiler. Size limits keep
//! absurd input from building an absurd syntax tree, program or GPU kernel: at most
//! [`MAX_DEPTH`] levels of nesting and [`MAX_OPS`] operations. Both are far above any real
//! index (the largest built-in and ASI formulas nest 6 levels and have about 30 operations); a
//! formula past them is a one-line error at the column where the limit was crossed.

use super::lex::{describe, tokenize, Tok};
pub use super::lex::{ExprError, Span};

/// The deepest nesting a formula may have: parentheses, function calls, unary signs and `**`
/// exponents each open a level (`-(N ** R)` is 3 levels deep).
pub const MAX_DEPTH: usize = 256;

/// The most operations a formula may have: binary operators, unary minus signs, function calls
/// and each function argument after the first (`min(a, b, c)` is 3). This bounds the syntax
/// tree (whose drop recurses once per level: a chain `N + N + ...` is as deep as it is long),
/// the compiled program (a few operations per source operation at most) and the WGSL generated
/// from it (a few lines per program operation).
pub const MAX_OPS: usize = 1024;

#[derive(Clone, Debug, PartialEq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl BinOp {
    pub fn symbol(&self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "**",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
        }
    }

    pub fn is_comparison(&self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }
}

/// Syntax tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Ast {
    Num(f64, Span),
    Name(String, Span),
    Neg(Box<Ast>, Span),
    Bin(BinOp, Box<Ast>, Box<Ast>, Span),
    Call(String, Vec<Ast>, Span),
}

impl Ast {
    pub fn span(&self) -> Span {
        match self {
            Ast::Num(_, s)
            | Ast::Name(_, s)
            | Ast::Neg(_, s)
            | Ast::Bin(_, _, _, s)
            | Ast::Call(_, _, s) => *s,
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, Span)>,
    pos: usize,
    /// Levels of nesting open now (at most [`MAX_DEPTH`]).
    depth: usize,
    /// Operations so far (at most [`MAX_OPS`]).
    ops: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn span(&self) -> Span {
        self.toks[self.pos].1
    }

    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn err<T>(&self, expected: &str) -> Result<T, ExprError> {
        Err(ExprError::new(
            format!("expected {expected}, found {}", describe(self.peek())),
            self.span(),
            self.src,
        ))
    }

    /// Open a nesting level at `span` (close it with `self.depth -= 1`).
    fn nest(&mut self, span: Span) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::too_large(
                format!("formula nests deeper than {MAX_DEPTH} levels"),
                span,
                self.src,
            ));
        }
        Ok(())
    }

    /// Count one operation at `span`.
    fn count(&mut self, span: Span) -> Result<(), ExprError> {
        self.ops += 1;
        if self.ops > MAX_OPS {
            return Err(ExprError::too_large(
                format!("formula has more than {MAX_OPS} operations"),
                span,
                self.src,
            ));
        }
        Ok(())
    }

    /// The binary operator at the current token, if any.
    fn binop(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Op("+") => BinOp::Add,
            Tok::Op("-") => BinOp::Sub,
            Tok::Op("*") => BinOp::Mul,
            Tok::Op("/") => BinOp::Div,
            Tok::Op("**") => BinOp::Pow,
            Tok::Op("<") => BinOp::Lt,
            Tok::Op("<=") => BinOp::Le,
            Tok::Op(">") => BinOp::Gt,
            Tok::Op(">=") => BinOp::Ge,
            Tok::Op("==") => BinOp::Eq,
            Tok::Op("!=") => BinOp::Ne,
            _ => return None,
        })
    }

    /// Combine the operator on top of `pending` with its operands on `out`.
    fn reduce(&mut self, pending: &mut Vec<Pending>, out: &mut Vec<Ast>) {
        match pending.pop() {
            Some(Pending::Sign { neg, at }) => {
                self.depth -= 1;
                let x = out.pop().expect("operand of a sign");
                if neg {
                    let span = Span {
                        start: at.start,
                        end: x.span().end,
                    };
                    out.push(Ast::Neg(Box::new(x), span));
                } else {
                    out.push(x);
                }
            }
            Some(Pending::Bin(op)) => {
                if op == BinOp::Pow {
                    self.depth -= 1;
                }
                let r = out.pop().expect("right operand");
                let l = out.pop().expect("left operand");
                let span = Span {
                    start: l.span().start,
                    end: r.span().end,
                };
                out.push(Ast::Bin(op, Box::new(l), Box::new(r), span));
            }
            _ => unreachable!("reduce is called on an operator"),
        }
    }

    /// The whole formula. An operator-precedence parser with explicit stacks (no recursion, so
    /// nesting costs heap, not stack), accepting exactly the grammar of the module doc: `**` is
    /// right-associative and binds tighter than a sign, which binds tighter than `*` and `/`;
    /// a group (the formula, a parenthesis, a call argument) holds at most one comparison.
    fn formula(&mut self) -> Result<Ast, ExprError> {
        // Operators and open groups, innermost last; `Group` separates the groups.
        let mut pending: Vec<Pending> = vec![Pending::Group(Group::Top, false)];
        // Operands: completed subtrees, and the arguments of open calls (counted in `Group`).
        let mut out: Vec<Ast> = Vec::new();
        loop {
            // An operand: signs, then a number, a name, a call or a parenthesis.
            loop {
                match self.peek().clone() {
                    Tok::Op(o @ ("-" | "+")) => {
                        self.nest(self.span())?;
                        let (_, at) = self.bump();
                        if o == "-" {
                            self.count(at)?;
                        }
                        pending.push(Pending::Sign { neg: o == "-", at });
                    }
                    Tok::Num(v) => {
                        let (_, s) = self.bump();
                        out.push(Ast::Num(v, s));
                        break;
                    }
                    Tok::Name(n) => {
                        let (_, s) = self.bump();
                        if *self.peek() != Tok::LParen {
                            out.push(Ast::Name(n, s));
                            break;
                        }
                        self.count(s)?;
                        self.nest(s)?;
                        self.bump();
                        pending.push(Pending::Group(Group::Call(n, s, 0), false));
                    }
                    Tok::LParen => {
                        self.nest(self.span())?;
                        self.bump();
                        pending.push(Pending::Group(Group::Paren, false));
                    }
                    _ => {
                        return self
                            .err("a number, a band or constant name, a function call or '('")
                    }
                }
            }
            // Then a binary operator (and the next operand), or the end of groups.
            loop {
                if let Some(op) = self.binop() {
                    let prec = op.precedence();
                    while let Some(top) = pending.last() {
                        let p = match top {
                            Pending::Sign { .. } => SIGN_PRECEDENCE,
                            Pending::Bin(b) => b.precedence(),
                            Pending::Group(..) => break,
                        };
                        // left-associative: reduce equal precedence too; `**` is right-associative
                        if p > prec || (p == prec && op != BinOp::Pow) {
                            self.reduce(&mut pending, &mut out);
                        } else {
                            break;
                        }
                    }
                    if op.is_comparison() {
                        match pending.last_mut() {
                            Some(Pending::Group(_, has)) if !*has => *has = true,
                            // a second comparison ends the group: what closes it is expected
                            Some(Pending::Group(g, _)) => return self.err(g.expected()),
                            _ => unreachable!("operators are reduced down to the group"),
                        }
                    }
                    if op == BinOp::Pow {
                        self.nest(self.span())?;
                    }
                    let (_, at) = self.bump();
                    self.count(at)?;
                    pending.push(Pending::Bin(op));
                    break;
                }
                // The innermost group ends here.
                while matches!(pending.last(), Some(Pending::Sign { .. } | Pending::Bin(_))) {
                    self.reduce(&mut pending, &mut out);
                }
                let Some(Pending::Group(g, has_comparison)) = pending.last_mut() else {
                    unreachable!("the formula is a group");
                };
                match (g, self.peek()) {
                    (Group::Top, Tok::End) => return Ok(out.pop().expect("the formula")),
                    (Group::Paren, Tok::RParen) => {
                        self.depth -= 1;
                        self.bump();
                        pending.pop(); // the operand stays on `out`, spanning its contents
                    }
                    (Group::Call(_, _, args), Tok::Comma) => {
                        *args += 1;
                        *has_comparison = false; // each argument may have one
                        let (_, at) = self.bump();
                        self.count(at)?;
                        break;
                    }
                    (Group::Call(..), Tok::RParen) => {
                        let Some(Pending::Group(Group::Call(name, s, args), _)) = pending.pop()
                        else {
                            unreachable!("matched above");
                        };
                        self.depth -= 1;
                        let (_, e) = self.bump();
                        let args = out.split_off(out.len() - (args + 1));
                        let span = Span {
                            start: s.start,
                            end: e.end,
                        };
                        out.push(Ast::Call(name, args, span));
                    }
                    (g, _) => return self.err(g.expected()),
                }
            }
        }
    }
}

/// Precedence of a sign: above `*` and `/`, below `**` (`-x**2` is `-(x**2)`).
const SIGN_PRECEDENCE: u8 = 4;

impl BinOp {
    fn precedence(&self) -> u8 {
        match self {
            BinOp::Pow => 5,
            BinOp::Mul | BinOp::Div => 3,
            BinOp::Add | BinOp::Sub => 2,
            _ => 1,
        }
    }
}

/// An open group of the parser.
enum Group {
    /// The whole formula.
    Top,
    /// `( ... )`.
    Paren,
    /// `NAME( ... )`: the name, its span and the number of arguments already complete.
    Call(String, Span, usize),
}

impl Group {
    /// What may end the group.
    fn expected(&self) -> &'static str {
        match self {
            Group::Top => "an operator or the end of the formula",
            Group::Paren => "')'",
            Group::Call(..) => "',' or ')'",
        }
    }
}

/// An entry of the parser's operator stack.
enum Pending {
    /// A group, and whether it has had its comparison.
    Group(Group, bool),
    /// A unary sign (`+` keeps its operand as it is).
    Sign {
        neg: bool,
        at: Span,
    },
    Bin(BinOp),
}

/// Every name a formula uses (not function names), in order of first use. Iterative: a long
/// left-associative chain (`N + N + ...`) is as deep as it has operations.
pub fn names(ast: &Ast) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut todo = vec![ast];
    while let Some(a) = todo.pop() {
        match a {
            Ast::Num(..) => {}
            Ast::Name(n, _) => {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
            Ast::Neg(x, _) => todo.push(x),
            Ast::Bin(_, l, r, _) => {
                todo.push(r);
                todo.push(l);
            }
            Ast::Call(_, args, _) => todo.extend(args.iter().rev()),
        }
    }
    out
}

/// Parse a formula.
pub fn parse(src: &str) -> Result<Ast, ExprError> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
        ops: 0,
    };
    if *p.peek() == Tok::End {
        return p.err("a formula");
    }
    p.formula()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn show(a: &Ast) -> String {
        match a {
            Ast::Num(v, _) => format!("{v}"),
            Ast::Name(n, _) => n.clone(),
            Ast::Neg(x, _) => format!("(-{})", show(x)),
            Ast::Bin(op, l, r, _) => format!("({} {} {})", show(l), op.symbol(), show(r)),
            Ast::Call(f, args, _) => {
                format!(
                    "{f}({})",
                    args.iter().map(show).collect::<Vec<_>>().join(", ")
                )
            }
        }
    }

    #[test]
    fn precedence_and_associativity() {
        let p = |s| show(&parse(s).unwrap());
        assert_eq!(p("1 + 2 * 3"), "(1 + (2 * 3))");
        assert_eq!(p("1 - 2 - 3"), "((1 - 2) - 3)");
        assert_eq!(p("8 / 4 / 2"), "((8 / 4) / 2)");
        assert_eq!(p("-x ** 2"), "(-(x ** 2))");
        assert_eq!(p("2 ** 3 ** 2"), "(2 ** (3 ** 2))");
        assert_eq!(p("2 ** -1"), "(2 ** (-1))");
        assert_eq!(p("N ^ 0.5"), "(N ** 0.5)");
        assert_eq!(p("(N - R) / (N + R)"), "((N - R) / (N + R))");
        assert_eq!(
            p("where(S1 > 0.1, N / S1, 0)"),
            "where((S1 > 0.1), (N / S1), 0)"
        );
        assert_eq!(p("max(a, b, c)"), "max(a, b, c)");
        assert_eq!(p("1.5e-3 + .5 + 2E2"), "((0.0015 + 0.5) + 200)");
        assert_eq!(p("a + 1 <= b * 2"), "((a + 1) <= (b * 2))");
    }

    /// `n` terms `N + N + ... + N` (n − 1 operations).
    pub(crate) fn long_sum(n: usize) -> String {
        vec!["N"; n].join(" + ")
    }

    /// `open` repeated n times, then `inner`, then `close` repeated n times.
    pub(crate) fn nest(open: &str, inner: &str, close: &str, n: usize) -> String {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    }

    fn too_large(src: &str, what: &str, column: usize) {
        let e = parse(src).unwrap_err();
        assert!(e.is_too_large(), "{}", e.message);
        assert!(e.message.contains(what), "{}", e.message);
        let text = e.to_string();
        assert_eq!(text.lines().count(), 1, "{text:.200}");
        assert!(
            text.ends_with(&format!(" at column {column}; simplify it")),
            "{text}"
        );
    }

    #[test]
    fn huge_formulas_are_errors_not_stack_overflows() {
        let ops = format!("more than {MAX_OPS} operations");
        let deep = format!("nests deeper than {MAX_DEPTH} levels");
        // the first '+' past the limit: term k starts at column 4k + 1, its '+' at 4k + 3
        too_large(&long_sum(20_000), &ops, 4 * (MAX_OPS + 1) - 1);
        too_large(&nest("(", "N", ")", 50_000), &deep, MAX_DEPTH + 1);
        too_large(&nest("-", "N", "", 50_000), &deep, MAX_DEPTH + 1);
        too_large(&nest("+", "N", "", 50_000), &deep, MAX_DEPTH + 1);
        too_large(&nest("sqrt(", "N", ")", 50_000), &deep, 5 * MAX_DEPTH + 1);
        too_large(&nest("N ** ", "N", "", 50_000), &deep, 5 * MAX_DEPTH + 3);
        too_large(&nest("min(N, ", "N", ")", 50_000), &deep, 7 * MAX_DEPTH + 1);
        // arguments count: one call, 2000 arguments
        too_large(
            &format!("max({})", vec!["N"; 2000].join(",")),
            &ops,
            2 * MAX_OPS + 4,
        );
        // the limits, exactly, still parse
        assert!(parse(&long_sum(MAX_OPS + 1)).is_ok());
        assert!(parse(&nest("(", "N", ")", MAX_DEPTH)).is_ok());
        assert!(parse(&nest("-", "N", "", MAX_DEPTH)).is_ok());
        assert!(parse(&nest("sqrt(", "N", ")", MAX_DEPTH)).is_ok());
        assert!(parse(&nest("(N + ", "N", ")", MAX_DEPTH)).is_ok());
        // names() of the largest tree is iterative and in order of first use
        let a = parse(&format!("{} + R + N", long_sum(MAX_OPS - 1))).unwrap();
        assert_eq!(names(&a), ["N", "R"]);
    }
}
