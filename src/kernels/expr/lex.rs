//! Formula text → tokens with byte spans, and the error every pass reports ([`ExprError`]):
//! a message, where, and the formula with a caret under the column.

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
    /// A size limit ([`MAX_DEPTH`](super::MAX_DEPTH), [`MAX_OPS`](super::MAX_OPS)): shown on
    /// one line, without the (long) formula.
    too_large: bool,
}

impl ExprError {
    pub fn new(message: impl Into<String>, span: Span, source: &str) -> Self {
        ExprError {
            message: message.into(),
            span,
            source: source.to_string(),
            too_large: false,
        }
    }

    /// A formula past a size limit.
    pub(super) fn too_large(message: impl Into<String>, span: Span, source: &str) -> Self {
        ExprError {
            too_large: true,
            ..ExprError::new(message, span, source)
        }
    }

    /// Whether the formula is past a size limit ([`MAX_DEPTH`](super::MAX_DEPTH),
    /// [`MAX_OPS`](super::MAX_OPS)).
    pub fn is_too_large(&self) -> bool {
        self.too_large
    }
}

impl fmt::Display for ExprError {
    /// `message at column N` followed by the formula and a caret line (three lines); a size
    /// limit is one line, `message at column N; simplify it`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let col = self.source[..self.span.start.min(self.source.len())]
            .chars()
            .count();
        if self.too_large {
            return write!(f, "{} at column {}; simplify it", self.message, col + 1);
        }
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
pub(super) enum Tok {
    Num(f64),
    Name(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
    End,
}

pub(super) fn describe(t: &Tok) -> String {
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

pub(super) fn tokenize(src: &str) -> Result<Vec<(Tok, Span)>, ExprError> {
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

#[cfg(test)]
mod tests {
    use super::super::parse::parse;

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
