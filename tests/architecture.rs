//! The module graph of `src/`, read from the source text: every reference points down the
//! layers (kernels < io < engine < cli, with `error` and `choice` below all), no two modules
//! depend on each other through any chain, and no source file grows past the size we allow.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common;

/// Layers, lowest first. Modules at the crate root that are not listed sit below every layer.
const LAYERS: [&str; 4] = ["kernels", "io", "engine", "cli"];

/// Longest source file, in lines, other than the data tables listed below.
const MAX_LINES: usize = 520;
/// Files that are lists of same-shaped entries (the index registry, the built-in catalogue).
const TABLES: [&str; 2] = ["kernels/indices.rs", "kernels/catalogue/builtin.rs"];

fn layer(module: &[String]) -> usize {
    match module.first() {
        Some(m) => LAYERS.iter().position(|l| l == m).map_or(0, |p| p + 1),
        None => 0,
    }
}

/// Every `.rs` file below `dir`, with its module path (`src/io/geotiff/reader.rs` →
/// `["io", "geotiff", "reader"]`; `mod.rs` names its folder).
fn modules(src: &Path) -> Vec<(PathBuf, Vec<String>)> {
    common::files_below(src)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let rel = p.strip_prefix(src).unwrap().with_extension("");
            let mut m: Vec<String> = rel
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            if matches!(m.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                m.pop();
            }
            (p, m)
        })
        .collect()
}

/// The source without its `#[cfg(test)]` module and comments (unit tests may reach anywhere).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str, i: usize) -> Option<&str> {
    let end = s[i..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(s.len(), |e| i + e);
    (end > i).then(|| &s[i..end])
}

/// Module paths named by `crate::…` and `super::…` paths in `code` (brace groups expanded one
/// level), resolved against `here`, the module of the file.
fn references(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(pos) = code[from..].find(start) {
            let at = from + pos;
            from = at + start.len();
            if at > 0 && code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
            {
                continue;
            }
            let mut base: Vec<String> = if start == "crate::" {
                Vec::new()
            } else {
                let mut b = here.to_vec();
                b.pop();
                b
            };
            // super::super::…
            let mut i = from;
            while start == "super::" && code[i..].starts_with("super::") {
                base.pop();
                i += "super::".len();
            }
            let mut path = base.clone();
            loop {
                if code[i..].starts_with('{') {
                    let close = code[i..].find('}').map_or(code.len(), |c| i + c);
                    for item in code[i + 1..close].split(',') {
                        let item = item.trim();
                        if let Some(id) = ident_at(item, 0) {
                            let mut p = path.clone();
                            if id != "self" {
                                p.push(id.to_string());
                                if let Some(rest) = item[id.len()..].strip_prefix("::") {
                                    if let Some(id2) = ident_at(rest, 0) {
                                        p.push(id2.to_string());
                                    }
                                }
                            }
                            out.push(p);
                        }
                    }
                    break;
                }
                match ident_at(code, i) {
                    Some(id) => {
                        path.push(id.to_string());
                        i += id.len();
                        if code[i..].starts_with("::") {
                            i += 2;
                        } else {
                            out.push(path);
                            break;
                        }
                    }
                    None => {
                        out.push(path);
                        break;
                    }
                }
            }
        }
    }
    out
}

/// The longest prefix of `path` that is a module of `known`.
fn resolve(path: &[String], known: &BTreeSet<Vec<String>>) -> Vec<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| known.contains(p))
        .unwrap_or_default()
}

/// A dependency node: a module's first two segments (`kernels::registry`, `engine::gpu`).
fn node(m: &[String]) -> String {
    m.iter().take(2).cloned().collect::<Vec<_>>().join("::")
}

fn graph() -> (BTreeMap<String, BTreeSet<String>>, Vec<String>) {
    let src = common::repo().join("src");
    let mods = modules(&src);
    let known: BTreeSet<Vec<String>> = mods.iter().map(|(_, m)| m.clone()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut upward = Vec::new();
    for (path, m) in &mods {
        let text = std::fs::read_to_string(path).unwrap();
        for r in references(&code(&text), m) {
            let t = resolve(&r, &known);
            if layer(&t) > layer(m) {
                upward.push(format!("{} uses {}", m.join("::"), r.join("::")));
            }
            let (a, b) = (node(m), node(&t));
            // A layer's own facade (`crate::kernels::Role` from inside kernels) is a reference
            // to the module that defines the name: flagged below, not an edge.
            if a != b && !b.is_empty() && !(t.len() == 1 && m.first() == t.first()) {
                edges.entry(a).or_default().insert(b);
            }
            if t.len() == 1 && m.len() > 1 && m.first() == t.first() && r.len() > 1 {
                upward.push(format!(
                    "{} uses {} through its layer's re-exports; name the defining module",
                    m.join("::"),
                    r.join("::")
                ));
            }
        }
    }
    (edges, upward)
}

#[test]
fn every_reference_points_down_the_layers() {
    let (_, upward) = graph();
    assert!(
        upward.is_empty(),
        "references against the layering:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_module_graph_has_no_cycle() {
    let (edges, _) = graph();
    // Depth-first search with colours; report the first cycle found.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|s| s == m).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, &edges, &mut state, &mut Vec::new()) {
                panic!("import cycle: {}", c.join(" -> "));
            }
        }
    }
    // The graph is not trivially empty: the layers do use each other.
    assert!(edges
        .get("engine::jobs")
        .is_some_and(|e| e.contains("engine::pipeline")));
    assert!(edges
        .get("engine::gpu")
        .is_some_and(|e| e.contains("kernels::wgsl")));
}

#[test]
fn no_source_file_is_longer_than_the_limit() {
    let src = common::repo().join("src");
    let long: Vec<String> = modules(&src)
        .into_iter()
        .filter(|(p, _)| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            !TABLES.contains(&rel.as_str())
        })
        .filter_map(|(p, _)| {
            let n = std::fs::read_to_string(&p).unwrap().lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", p.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_reference_scanner_resolves_paths() {
    let here: Vec<String> = vec!["engine".into(), "jobs".into(), "index".into()];
    let r = references(
        "use super::inputs::X;\nuse crate::kernels::{abi::BandParams, vocab::Role};\nlet x = crate::io::open(p);",
        &here,
    );
    let r: Vec<String> = r.iter().map(|p| p.join("::")).collect();
    assert!(r.contains(&"engine::jobs::inputs::X".to_string()), "{r:?}");
    assert!(r.contains(&"kernels::abi::BandParams".to_string()), "{r:?}");
    assert!(r.contains(&"kernels::vocab::Role".to_string()), "{r:?}");
    assert!(r.contains(&"io::open".to_string()), "{r:?}");
}
