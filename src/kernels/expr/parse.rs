//! Tokenizer and recursive-descent parser for band-math formulas (the Awesome Spectral Indices
//! grammar and a little more). Produces an untyped syntax tree with byte spans; errors point at
//! the column with a caret.
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

use std::fmt;

/// A byte range of the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A parse or type error: a message and where.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprError {
    pub message: String,
    pub span: Span,
    pub source: String,
}

impl ExprError {
    pub fn new(message: impl Into<String>, span: Span, source: &str) -> Self {
        ExprError {
            message: message.into(),
            span,
            source: source.to_string(),
        }
    }
}

impl fmt::Display for ExprError {
    /// `message at column N` followed by the formula and a caret line (three lines).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let col = self.source[..self.span.start.min(self.source.len())]
            .chars()
            .count();
        let width = self.source
            [self.span.start.min(self.source.len())..self.span.end.min(self.source.len())]
            .chars()
            .count()
            .max(1);
        write!(
            f,
            "{} at column {}\n  {}\n  {}{}",
            self.message,
            col + 1,
            self.source,
            " ".repeat(col),
            "^".repeat(width)
        )
    }
}

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

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
    End,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(v) => format!("number {v}"),
        Tok::Name(n) => format!("name '{n}'"),
        Tok::Op(o) => format!("'{o}'"),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::End => "the end of the formula".into(),
    }
}

fn tokenize(src: &str) -> Result<Vec<(Tok, Span)>, ExprError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                let mut j = i + 1;
                if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    i = j;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text = &src[start..i];
            let v: f64 = text.parse().map_err(|_| {
                ExprError::new(
                    format!("'{text}' is not a number"),
                    Span { start, end: i },
                    src,
                )
            })?;
            out.push((Tok::Num(v), Span { start, end: i }));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Name(src[start..i].to_string()), Span { start, end: i }));
            continue;
        }
        let two = src.get(i..i + 2).unwrap_or("");
        let (tok, len) = match two {
            "**" => (Tok::Op("**"), 2),
            "<=" => (Tok::Op("<="), 2),
            ">=" => (Tok::Op(">="), 2),
            "==" => (Tok::Op("=="), 2),
            "!=" => (Tok::Op("!="), 2),
            _ => match c {
                b'+' => (Tok::Op("+"), 1),
                b'-' => (Tok::Op("-"), 1),
                b'*' => (Tok::Op("*"), 1),
                b'/' => (Tok::Op("/"), 1),
                b'^' => (Tok::Op("**"), 1),
                b'<' => (Tok::Op("<"), 1),
                b'>' => (Tok::Op(">"), 1),
                b'(' => (Tok::LParen, 1),
                b')' => (Tok::RParen, 1),
                b',' => (Tok::Comma, 1),
                _ => {
                    let ch = src[i..].chars().next().unwrap_or('?');
                    return Err(ExprError::new(
                        format!("unexpected character '{ch}'"),
                        Span {
                            start,
                            end: start + ch.len_utf8(),
                        },
                        src,
                    ));
                }
            },
        };
        i += len;
        out.push((tok, Span { start, end: i }));
    }
    out.push((
        Tok::End,
        Span {
            start: src.len(),
            end: src.len(),
        },
    ));
    Ok(out)
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, Span)>,
    pos: usize,
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

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn expr(&mut self) -> Result<Ast, ExprError> {
        let lhs = self.sum()?;
        let op = match self.peek() {
            Tok::Op("<") => BinOp::Lt,
            Tok::Op("<=") => BinOp::Le,
            Tok::Op(">") => BinOp::Gt,
            Tok::Op(">=") => BinOp::Ge,
            Tok::Op("==") => BinOp::Eq,
            Tok::Op("!=") => BinOp::Ne,
            _ => return Ok(lhs),
        };
        self.bump();
        let rhs = self.sum()?;
        let span = Span {
            start: lhs.span().start,
            end: rhs.span().end,
        };
        Ok(Ast::Bin(op, Box::new(lhs), Box::new(rhs), span))
    }

    fn sum(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.term()?;
        loop {
            let op = if self.is_op("+") {
                BinOp::Add
            } else if self.is_op("-") {
                BinOp::Sub
            } else {
                return Ok(lhs);
            };
            self.bump();
            let rhs = self.term()?;
            let span = Span {
                start: lhs.span().start,
                end: rhs.span().end,
            };
            lhs = Ast::Bin(op, Box::new(lhs), Box::new(rhs), span);
        }
    }

    fn term(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.is_op("*") {
                BinOp::Mul
            } else if self.is_op("/") {
                BinOp::Div
            } else {
                return Ok(lhs);
            };
            self.bump();
            let rhs = self.unary()?;
            let span = Span {
                start: lhs.span().start,
                end: rhs.span().end,
            };
            lhs = Ast::Bin(op, Box::new(lhs), Box::new(rhs), span);
        }
    }

    fn unary(&mut self) -> Result<Ast, ExprError> {
        if self.is_op("-") || self.is_op("+") {
            let (t, s) = self.bump();
            let inner = self.unary()?;
            let span = Span {
                start: s.start,
                end: inner.span().end,
            };
            return Ok(if t == Tok::Op("-") {
                Ast::Neg(Box::new(inner), span)
            } else {
                inner
            });
        }
        self.power()
    }

    fn power(&mut self) -> Result<Ast, ExprError> {
        let base = self.atom()?;
        if self.is_op("**") {
            self.bump();
            let exp = self.unary()?;
            let span = Span {
                start: base.span().start,
                end: exp.span().end,
            };
            return Ok(Ast::Bin(BinOp::Pow, Box::new(base), Box::new(exp), span));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Ast, ExprError> {
        match self.peek().clone() {
            Tok::Num(v) => {
                let (_, s) = self.bump();
                Ok(Ast::Num(v, s))
            }
            Tok::Name(n) => {
                let (_, s) = self.bump();
                if *self.peek() == Tok::LParen {
                    self.bump();
                    let mut args = vec![self.expr()?];
                    while *self.peek() == Tok::Comma {
                        self.bump();
                        args.push(self.expr()?);
                    }
                    if *self.peek() != Tok::RParen {
                        return self.err("',' or ')'");
                    }
                    let (_, e) = self.bump();
                    return Ok(Ast::Call(
                        n,
                        args,
                        Span {
                            start: s.start,
                            end: e.end,
                        },
                    ));
                }
                Ok(Ast::Name(n, s))
            }
            Tok::LParen => {
                self.bump();
                let e = self.expr()?;
                if *self.peek() != Tok::RParen {
                    return self.err("')'");
                }
                self.bump();
                Ok(e)
            }
            _ => self.err("a number, a band or constant name, a function call or '('"),
        }
    }
}

/// Every name a formula uses (not function names), in order of first use.
pub fn names(ast: &Ast) -> Vec<String> {
    fn walk(a: &Ast, out: &mut Vec<String>) {
        match a {
            Ast::Num(..) => {}
            Ast::Name(n, _) => {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
            Ast::Neg(x, _) => walk(x, out),
            Ast::Bin(_, l, r, _) => {
                walk(l, out);
                walk(r, out);
            }
            Ast::Call(_, args, _) => args.iter().for_each(|x| walk(x, out)),
        }
    }
    let mut out = Vec::new();
    walk(ast, &mut out);
    out
}

/// Parse a formula.
pub fn parse(src: &str) -> Result<Ast, ExprError> {
    let toks = tokenize(src)?;
    let mut p = Parser { src, toks, pos: 0 };
    if *p.peek() == Tok::End {
        return p.err("a formula");
    }
    let e = p.expr()?;
    if *p.peek() != Tok::End {
        return p.err("an operator or the end of the formula");
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn errors_point_at_the_column() {
        let e = parse("(N - R) / (N + R").unwrap_err();
        assert_eq!(e.span.start, 16);
        let text = e.to_string();
        assert!(
            text.starts_with("expected ')', found the end of the formula at column 17"),
            "{text}"
        );
        assert!(
            text.ends_with("\n  (N - R) / (N + R\n                  ^"),
            "{text:?}"
        );
        let e = parse("N - * R").unwrap_err();
        assert_eq!((e.span.start, e.span.end), (4, 5));
        assert!(e.message.contains("expected a number"), "{}", e.message);
        let e = parse("N # R").unwrap_err();
        assert!(e.message.contains("unexpected character '#'"));
        assert_eq!(e.span.start, 2);
        assert!(parse("")
            .unwrap_err()
            .message
            .contains("expected a formula"));
        assert!(parse("N R").unwrap_err().message.contains("found name 'R'"));
        assert!(parse("max(N,)").is_err());
        assert!(parse("1.2.3").unwrap_err().message.contains("not a number"));
    }
}
