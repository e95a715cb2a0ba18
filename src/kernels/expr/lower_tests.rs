//! Unit tests of the lowering: folding, deduplication, type and name errors, limits.

use super::*;
use crate::kernels::expr::program::TestScope as T;

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
    let e = Program::compile("n + R", &T).unwrap_err();
    assert!(
        e.message
            .contains("unknown name 'n' (did you mean 'N'?); known:"),
        "{}",
        e.message
    );
    let e = Program::compile("sqr(N)", &T).unwrap_err();
    assert!(
        e.message
            .contains("unknown function 'sqr' (did you mean 'sqrt'?)"),
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

#[test]
fn huge_formulas_are_errors_not_stack_overflows() {
    use crate::kernels::expr::parse::tests::{long_sum, nest};
    for src in [
        long_sum(20_000),
        nest("(", "N", ")", 50_000),
        nest("-", "N", "", 50_000),
        nest("sqrt(", "N", ")", 50_000),
        nest("where(N > 0, ", "N", ", 0)", 50_000),
    ] {
        let e = Program::compile(&src, &T).unwrap_err();
        assert!(e.is_too_large(), "{}", e.message);
    }
}

#[test]
fn errors_of_nested_operands_come_in_source_order() {
    let e = Program::compile("(N > R) + Q", &T).unwrap_err();
    assert!(e.message.contains("comparison"), "{}", e.message);
    let e = Program::compile("Q + (N > R)", &T).unwrap_err();
    assert!(e.message.contains("unknown name 'Q'"), "{}", e.message);
    let e = Program::compile("foo(Q)", &T).unwrap_err();
    assert!(e.message.contains("unknown function"), "{}", e.message);
    let e = Program::compile("where(1, Q, N)", &T).unwrap_err();
    assert!(e.message.contains("needs a comparison"), "{}", e.message);
    assert_eq!(e.span.start, 6);
    let e = Program::compile("max(N, R > B)", &T).unwrap_err();
    assert_eq!((e.span.start, e.span.end), (7, 12));
}

#[test]
fn constants_must_be_finite_f32() {
    // 1e39 is infinite as an f32: it would be a valid infinity in a `where` branch
    let e = Program::compile("where(N > 0, 1e39, 0)", &T).unwrap_err();
    assert_eq!(e.message, "number 1e39 is not a finite 32-bit float");
    assert_eq!((e.span.start, e.span.end), (13, 17));
    assert!(Program::compile("N * 3e38", &T).is_ok());
    let scope = crate::kernels::expr::BandScope::new(vec![("L".into(), f64::NAN)]);
    let e = Program::compile("N + L", &scope).unwrap_err();
    assert_eq!(e.message, "constant 'L' = NaN is not a finite 32-bit float");
}
