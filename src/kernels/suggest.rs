//! "Did you mean …?" for the names a user types (indices, band roles, formula names): the
//! closest candidates by edit distance, compared ignoring ASCII case.
//!
//! The distance is the optimal string alignment distance (Levenshtein plus the swap of two
//! neighbours, so `nvdi` is one edit from `ndvi`). How far a suggestion may be grows with the
//! length of what was typed: a one-letter name only matches another case, two to four letters
//! allow one edit, five to eight two, longer three.

/// Edit distance between `a` and `b`, ignoring ASCII case.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Three rows of the dynamic programme: i-2, i-1, i.
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The most edits a suggestion for `typed` may be away.
fn allowed(typed: &str) -> usize {
    match typed.chars().count() {
        0..=1 => 0,
        2..=4 => 1,
        5..=8 => 2,
        _ => 3,
    }
}

/// The candidates nearest to `typed` within the allowed distance, at most three, in the order
/// given (duplicates once; a candidate equal to `typed` is not a suggestion).
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let max = allowed(typed);
    let mut best = usize::MAX;
    let mut out: Vec<&'a str> = Vec::new();
    for c in candidates {
        if c == typed {
            continue;
        }
        let d = distance(typed, c);
        if d > max || d > best {
            continue;
        }
        if d < best {
            best = d;
            out.clear();
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.truncate(3);
    out
}

/// `did you mean a?`, `did you mean a or b?`, `did you mean a, b or c?` for the closest
/// candidates (each shown through `show`), or `None` when nothing is close.
pub fn did_you_mean<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    show: impl Fn(&str) -> String,
) -> Option<String> {
    let near: Vec<String> = closest(typed, candidates).into_iter().map(show).collect();
    Some(format!("did you mean {}?", or_list(&near)?))
}

/// A band role near `typed`, by role name or Awesome Spectral Indices symbol, each role once
/// and shown as `swir1 (S1)`: `did you mean swir1 (S1) or swir2 (S2)?`.
pub fn role(typed: &str) -> Option<String> {
    use super::vocab::{Role, ASI_BANDS};
    let words = Role::ALL
        .iter()
        .map(|r| r.name())
        .chain(ASI_BANDS.iter().map(|(s, _)| *s));
    let mut roles: Vec<Role> = Vec::new();
    for w in closest(typed, words) {
        if let Some(r) = Role::parse(w).filter(|r| !roles.contains(r)) {
            roles.push(r);
        }
    }
    let shown: Vec<String> = roles.iter().map(|r| role_label(*r)).collect();
    Some(format!("did you mean {}?", or_list(&shown)?))
}

/// `swir1 (S1)`, or the bare name of a role without an ASI symbol.
pub fn role_label(r: super::vocab::Role) -> String {
    match r.asi_symbol() {
        Some(s) => format!("{} ({s})", r.name()),
        None => r.name().to_string(),
    }
}

/// `a`, `a or b`, `a, b or c`; `None` for an empty list.
pub fn or_list(items: &[String]) -> Option<String> {
    match items {
        [] => None,
        [a] => Some(a.clone()),
        [init @ .., last] => Some(format!("{} or {last}", init.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("ndvi", "ndvi"), 0);
        assert_eq!(distance("NDVI", "ndvi"), 0);
        assert_eq!(distance("nvdi", "ndvi"), 1, "a swap is one edit");
        assert_eq!(distance("ndvx", "ndvi"), 1);
        assert_eq!(distance("ndv", "ndvi"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            distance("ca", "abc"),
            3,
            "optimal string alignment, not full Damerau"
        );
    }

    #[test]
    fn suggestions() {
        let names = ["ndvi", "ndwi", "evi", "evi2", "savi", "mndwi", "nbr"];
        assert_eq!(closest("nvdi", names), ["ndvi"]);
        assert_eq!(closest("ndvx", names), ["ndvi"]);
        assert_eq!(closest("NDVI", names), ["ndvi"]);
        assert_eq!(closest("ndxi", names), ["ndvi", "ndwi"]);
        assert!(closest("zzzz", names).is_empty());
        // one letter: only another case of it
        assert!(closest("Q", ["B", "N", "R"]).is_empty());
        assert_eq!(closest("n", ["B", "N", "R"]), ["N"]);
        let d = did_you_mean("swir", ["swir1", "swir2", "nir"], |s| s.to_string());
        assert_eq!(d.as_deref(), Some("did you mean swir1 or swir2?"));
        assert_eq!(
            or_list(&["a".into(), "b".into(), "c".into()]).as_deref(),
            Some("a, b or c")
        );
        assert_eq!(did_you_mean("xyz", ["ndvi"], |s| s.to_string()), None);
        assert_eq!(
            role("swir").as_deref(),
            Some("did you mean swir1 (S1) or swir2 (S2)?")
        );
        assert_eq!(
            role("S3").as_deref(),
            Some("did you mean swir1 (S1) or swir2 (S2)?")
        );
        assert_eq!(role("nri").as_deref(), Some("did you mean nir (N)?"));
        assert_eq!(role("purple"), None);
    }
}
