//! The expression compiler and the catalogues: every built-in catalogue entry and every
//! per-pixel entry of the ASI fixture files compiles, validates with naga and matches its CPU
//! evaluation on random inputs on the GPU; the hand-written kernels agree with the same formulas
//! compiled from expressions; fused = separate passes for mixed built-in, catalogue and formula
//! indices; the ASI v0/v1 layouts load with the right defaults and unsupported entries; and the
//! CLI (`expr`, `index --catalog/--const`, `list`, `show`) end to end.

use crate::common;

use std::path::{Path, PathBuf};

use climidx::engine::{compute_in_memory, Backend};
use climidx::kernels::catalogue::Catalog;
use climidx::kernels::expr::{BandScope, Program};
use climidx::kernels::samples::DataType;
use climidx::kernels::wgsl::kernel_source;
use climidx::kernels::{self, Consts, Family, IndexDesc, IndexRef, ROLE_SLOTS};
use common::data::{bands_of, random_case};
use common::{assert_matches, asset, fails, gpu_or_skip, ok, read_f32, tempdir};

const NAN_BITS: u32 = 0x7fc0_0000;

fn validate(descs: &[IndexRef]) {
    common::naga_validate(&kernel_source(descs, &[Some(DataType::U16); ROLE_SLOTS]));
}

/// GPU against CPU for `descs` on random reflectance-like data, in several windows.
fn gpu_matches_cpu(descs: &[IndexRef], seed: u64, what: &str) {
    validate(descs);
    let Some(ctx) = gpu_or_skip(what) else { return };
    let c = random_case(seed, DataType::U16, 61, 13);
    let bands = bands_of(&c);
    let k: Vec<Consts> = descs.iter().map(|d| d.default_constants()).collect();
    let gpu = compute_in_memory(
        Backend::Gpu(ctx),
        descs,
        &k,
        &bands,
        NAN_BITS,
        Some(300),
        true,
    )
    .unwrap();
    let cpu =
        compute_in_memory(Backend::Cpu, descs, &k, &bands, NAN_BITS, Some(300), true).unwrap();
    for (j, d) in descs.iter().enumerate() {
        assert_matches(d, &gpu[j], &cpu[j], NAN_BITS, &|i| {
            format!("{what}, pixel {i}")
        });
        let valid = cpu[j].iter().filter(|v| !v.is_nan()).count();
        assert!(
            valid > cpu[j].len() / 4,
            "{}: only {valid} valid pixels ({what})",
            d.name
        );
    }
}

/// Every entry of the built-in catalogue, compiled with its defaults.
fn compiled_catalogue() -> Vec<IndexRef> {
    Catalog::builtin()
        .entries
        .iter()
        .map(|e| {
            e.compile(&[])
                .unwrap_or_else(|err| panic!("{}: {err}", e.name))
        })
        .collect()
}

#[test]
fn every_builtin_catalogue_entry_validates_and_matches_cpu_on_the_gpu() {
    let descs = compiled_catalogue();
    // Fused in groups (at most 32 outputs per kernel), which also exercises one kernel holding
    // many generated functions.
    for (g, chunk) in descs.chunks(30).enumerate() {
        gpu_matches_cpu(chunk, 40 + g as u64, &format!("catalogue group {g}"));
    }
}

#[test]
fn hand_written_kernels_agree_with_their_catalogue_formulas() {
    let cat = Catalog::builtin();
    let pairs = [
        ("ndvi", "NDVI"),
        ("evi", "EVI"),
        ("evi2", "EVI2"),
        ("savi", "SAVI"),
        ("msavi2", "MSAVI"),
        ("ndwi", "NDWI"),
        ("mndwi", "MNDWI"),
        ("nbr", "NBR"),
        ("ndmi", "NDMI"),
        ("ndbi", "NDBI"),
        ("ndsi", "NDSI"),
        ("gndvi", "GNDVI"),
    ];
    let c = random_case(77, DataType::U16, 47, 11);
    let bands = bands_of(&c);
    let ctx = gpu_or_skip("hand_written_kernels_agree_with_their_catalogue_formulas");
    let mut backends = vec![Backend::Cpu];
    if let Some(ctx) = ctx {
        backends.push(Backend::Gpu(ctx));
    }
    for (builtin, entry) in pairs {
        let b = kernels::find(builtin).unwrap();
        let e = cat.find(entry).unwrap().compile(&[]).unwrap();
        for backend in &backends {
            let out = compute_in_memory(
                *backend,
                &[b.clone(), e.clone()],
                &[b.default_constants(), e.default_constants()],
                &bands,
                NAN_BITS,
                None,
                true,
            )
            .unwrap();
            assert_matches(&b, &out[1], &out[0], NAN_BITS, &|i| {
                format!("{builtin} vs {entry}, pixel {i}")
            });
        }
    }
}

#[test]
fn fused_mixed_pass_equals_separate_passes() {
    let Some(ctx) = gpu_or_skip("fused_mixed_pass_equals_separate_passes") else {
        return;
    };
    let cat = Catalog::builtin();
    let formula = Program::compile(
        "where(S1 > 0.2, (N - S1) / (N + S1), N ** 0.5)",
        &BandScope::default(),
    )
    .unwrap();
    let descs: Vec<IndexRef> = vec![
        kernels::find("ndvi").unwrap(),
        cat.find("AWEIsh").unwrap().compile(&[]).unwrap(),
        kernels::find("evi").unwrap(),
        IndexDesc::from_program("mixed", "formula", Family::Expression, formula, ""),
        cat.find("kNDVI").unwrap().compile(&[]).unwrap(),
    ];
    let c = random_case(12, DataType::U16, 40, 9);
    let bands = bands_of(&c);
    for backend in [Backend::Gpu(ctx), Backend::Cpu] {
        common::assert_fused_equals_separate(backend, &descs, &bands);
    }
}

#[test]
fn expression_rules_hold_on_the_gpu() {
    // Division by zero, negative bases, cube roots and where() on hand-picked values.
    let Some(ctx) = gpu_or_skip("expression_rules_hold_on_the_gpu") else {
        return;
    };
    use climidx::kernels::abi::BandParams;
    use climidx::kernels::samples::NodataMatch;
    use climidx::kernels::Role;
    let n = common::data::pack(DataType::F32, &[0.0, -8.0, 4.0, 0.5, 2.0, -1.0]);
    let r = common::data::pack(DataType::F32, &[0.0, 2.0, 0.0, 0.5, -3.0, 1.0]);
    let p = BandParams::new(DataType::F32, NodataMatch::None, 1.0, 0.0);
    let mut bands: [Option<(BandParams, &climidx::kernels::samples::PackedBand)>; ROLE_SLOTS] =
        [None; ROLE_SLOTS];
    bands[Role::Nir.slot()] = Some((p, &n));
    bands[Role::Red.slot()] = Some((p, &r));
    let cases: [(&str, [Option<f32>; 6]); 6] = [
        (
            "N / R",
            [
                None,
                Some(-4.0),
                None,
                Some(1.0),
                Some(-2.0 / 3.0),
                Some(-1.0),
            ],
        ),
        (
            "N ** (1/3)",
            [
                Some(0.0),
                Some(-2.0),
                Some(4f32.powf(1.0 / 3.0)),
                Some(0.5f32.powf(1.0 / 3.0)),
                Some(2f32.powf(1.0 / 3.0)),
                Some(-1.0),
            ],
        ),
        (
            "N ** R",
            [
                Some(1.0),
                None,
                Some(1.0),
                Some(0.5f32.powf(0.5)),
                Some(0.125),
                None,
            ],
        ),
        (
            "N ** 3",
            [
                Some(0.0),
                Some(-512.0),
                Some(64.0),
                Some(0.125),
                Some(8.0),
                Some(-1.0),
            ],
        ),
        (
            "where(R != 0, N / R, -1)",
            [
                Some(-1.0),
                Some(-4.0),
                Some(-1.0),
                Some(1.0),
                Some(-2.0 / 3.0),
                Some(-1.0),
            ],
        ),
        (
            "sqrt(N) + log(R)",
            [
                None,
                None,
                None,
                Some(0.5f32.sqrt() + 0.5f32.ln()),
                None,
                Some(f32::NAN),
            ],
        ),
    ];
    for (src, want) in cases {
        let prog = Program::compile(src, &BandScope::default()).unwrap();
        let d = IndexDesc::from_program(src, "formula", Family::Expression, prog, "");
        for backend in [Backend::Gpu(ctx), Backend::Cpu] {
            let out = compute_in_memory(
                backend,
                std::slice::from_ref(&d),
                &[d.default_constants()],
                &bands,
                NAN_BITS,
                None,
                true,
            )
            .unwrap();
            for (i, w) in want.iter().enumerate() {
                let got = out[0][i];
                match w {
                    // sqrt(-1) + log(1): nodata from the sqrt
                    Some(w) if w.is_nan() => assert!(got.is_nan(), "{src} [{i}]: {got}"),
                    Some(w) => assert!(
                        (got - w).abs() <= 2e-6 * (1.0 + w.abs()),
                        "{src} [{i}]: {got} vs {w}"
                    ),
                    None => assert!(got.is_nan(), "{src} [{i}]: {got} must be nodata"),
                }
            }
        }
    }
}

fn v0() -> PathBuf {
    asset("catalog/v0/spectral-indices-dict.json")
}

fn v1() -> PathBuf {
    asset("catalog/v1/spectral-indices-dict.json")
}

#[test]
fn asi_files_load_in_both_layouts() {
    let c0 = Catalog::load(&v0()).unwrap();
    let names: Vec<&str> = c0.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ATSAVI", "AVI", "BAIS2", "EVI", "FAI", "GDVI", "NDVI", "NIRvP", "SAVI", "VVVHR",
            "kNDVI"
        ]
    );
    let why = |c: &Catalog, n: &str| c.find(n).unwrap().unsupported.clone();
    assert!(why(&c0, "kNDVI").unwrap().contains("kNN, kNR"));
    assert!(why(&c0, "VVVHR").unwrap().contains("VV, VH"));
    assert!(why(&c0, "NIRvP").unwrap().contains("PAR"));
    // v0 defaults from the global constants.json beside the file
    let evi = c0.find("EVI").unwrap();
    let get = |e: &climidx::kernels::catalogue::Entry, c: &str| {
        e.constants.iter().find(|(n, _)| n == c).unwrap().1
    };
    assert_eq!(
        (get(evi, "g"), get(evi, "C1"), get(evi, "C2"), get(evi, "L")),
        (Some(2.5), Some(6.0), Some(7.5), Some(1.0))
    );
    assert_eq!(get(c0.find("SAVI").unwrap(), "L"), Some(1.0)); // v0: one global L
    assert_eq!(get(c0.find("FAI").unwrap(), "lambdaN"), None);
    assert!(c0
        .find("FAI")
        .unwrap()
        .compile(&[])
        .unwrap_err()
        .to_string()
        .contains("--const lambdaN=VALUE"));
    assert_eq!(c0.find("EVI").unwrap().domain, "vegetation");

    let c1 = Catalog::load(&v1()).unwrap();
    assert!(why(&c1, "CWI").unwrap().contains("scene-wide"));
    assert!(why(&c1, "NIRvP").is_some());
    // v1 defaults: the entry's own, else per index from constants.json
    assert_eq!(get(c1.find("SAVI").unwrap(), "L"), Some(0.5));
    assert_eq!(get(c1.find("WDRVI").unwrap(), "alpha"), Some(0.1));
    assert_eq!(c1.find("NDWI").unwrap().domain, "water");

    // every supported entry runs on the GPU as on the CPU (FAI with Sentinel-2 wavelengths)
    let consts = [
        ("lambdaN".to_string(), 842.0),
        ("lambdaR".to_string(), 665.0),
        ("lambdaS1".to_string(), 1610.0),
    ];
    let mut descs = Vec::new();
    for c in [&c0, &c1] {
        for e in c.entries.iter().filter(|e| e.unsupported.is_none()) {
            descs.push(
                e.compile(&consts)
                    .unwrap_or_else(|err| panic!("{}: {err}", e.name)),
            );
        }
    }
    assert_eq!(descs.len(), 12);
    gpu_matches_cpu(&descs, 9, "ASI fixture entries");
}

// ---- CLI ----------------------------------------------------------------------------------

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn same(a: &[f32], b: &[f32], tol: f32, what: &str) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(x.is_nan(), y.is_nan(), "{what}: nodata at {i}: {x} vs {y}");
        if !x.is_nan() {
            assert!(
                (x - y).abs() <= tol * (1.0 + x.abs()),
                "{what}: {i}: {x} vs {y}"
            );
        }
    }
}

#[test]
fn cli_expr_index_catalog_and_const() {
    let dir = tempdir("cli-catalogue");
    let band = |r: &str, f: &str| format!("{r}={}", s(&asset(&format!("sample/{f}.tif"))));
    let (b, r, n) = (band("B", "B02"), band("R", "B04"), band("N", "B08"));
    let common = ["--scale", "0.0001", "--device", "cpu"];
    // built-in EVI kernel
    let evi = dir.join("evi.tif");
    ok(&[
        &["index", "evi", "-b", &b, "-b", &r, "-b", &n, "-o", s(&evi)][..],
        &common[..],
    ]
    .concat());
    // the same formula typed as an expression, on the software adapter
    let expr = dir.join("expr.tif");
    let sw = if common::software_or_skip("cli expr on the software adapter") {
        "software"
    } else {
        "cpu"
    };
    ok(&[
        "expr",
        "2.5 * (N - R) / (N + 6 * R - 7.5 * B + 1)",
        "-b",
        &b,
        "-b",
        &r,
        "-b",
        &n,
        "--scale",
        "0.0001",
        "--device",
        sw,
        "-o",
        s(&expr),
    ]);
    same(&read_f32(&evi)[0], &read_f32(&expr)[0], 1e-5, "evi vs expr");
    // the v0 file's EVI (constants from constants.json) and the v1 file's, via --catalog
    for (file, out) in [(v0(), "evi_v0.tif"), (v1(), "evi_v1.tif")] {
        let o = dir.join(out);
        ok(&[
            &[
                "index",
                "EVI",
                "--catalog",
                s(&file),
                "-b",
                &b,
                "-b",
                &r,
                "-b",
                &n,
                "-o",
                s(&o),
            ][..],
            &common[..],
        ]
        .concat());
        same(&read_f32(&evi)[0], &read_f32(&o)[0], 1e-5, out);
    }
    // --const: SAVI with L = 0.25 from the built-in kernel and from a formula agree, and differ
    // from L = 0.5
    let savi = dir.join("savi.tif");
    ok(&[
        &[
            "index",
            "savi",
            "(1 + L) * (N - R) / (N + R + L)",
            "--const",
            "L=0.25",
            "-b",
            &r,
            "-b",
            &n,
            "-o",
            s(&savi),
        ][..],
        &common[..],
    ]
    .concat());
    let out = read_f32(&savi);
    same(&out[0], &out[1], 1e-5, "savi kernel vs formula, L=0.25");
    let savi_file = dir.join("savi_file.tif");
    ok(&[
        &[
            "index",
            "SAVI",
            "--catalog",
            s(&v1()),
            "--const",
            "L=0.25",
            "-b",
            &r,
            "-b",
            &n,
            "-o",
            s(&savi_file),
        ][..],
        &common[..],
    ]
    .concat());
    same(
        &out[0],
        &read_f32(&savi_file)[0],
        1e-5,
        "savi kernel vs catalogue file, L=0.25",
    );
    fails(
        &[
            "index",
            "savi",
            "SAVI",
            "-b",
            &r,
            "-b",
            &n,
            "-o",
            s(&dir.join("x.tif")),
        ],
        2,
        "given twice",
    );
    let savi05 = dir.join("savi05.tif");
    ok(&[
        &["index", "savi", "-b", &r, "-b", &n, "-o", s(&savi05)][..],
        &common[..],
    ]
    .concat());
    let (a, b5) = (&out[0], &read_f32(&savi05)[0]);
    let i = a.iter().position(|v| !v.is_nan()).unwrap();
    assert!(
        (a[i] - b5[i]).abs() > 1e-3,
        "L had no effect: {} vs {}",
        a[i],
        b5[i]
    );
    // errors: exit 2, one error line then the caret
    let e = fails(
        &[
            "expr",
            "(N - R) / (N + R",
            "-b",
            &r,
            "-b",
            &n,
            "-o",
            s(&dir.join("x.tif")),
        ],
        2,
        "expected ')'",
    );
    assert!(e.contains("\n                  ^"), "{e}");
    fails(
        &["expr", "N - Q", "-b", &n, "-o", s(&dir.join("x.tif"))],
        2,
        "unknown name 'Q'",
    );
    fails(
        &[
            "index",
            "savi",
            "--const",
            "Q=1",
            "-b",
            &r,
            "-b",
            &n,
            "-o",
            s(&dir.join("x.tif")),
        ],
        2,
        "no index given uses a constant named 'Q'",
    );
    fails(
        &[
            "index",
            "FAI",
            "--catalog",
            s(&v0()),
            "-b",
            &r,
            "-b",
            &n,
            "-o",
            s(&dir.join("x.tif")),
        ],
        2,
        "--const lambdaN=VALUE",
    );
    fails(
        &[
            "index",
            "kNDVI",
            "--catalog",
            s(&v0()),
            "-b",
            &r,
            "-b",
            &n,
            "-o",
            s(&dir.join("x.tif")),
        ],
        2,
        "not supported",
    );
    fails(
        &["index", "NOPE", "-b", &r, "-o", s(&dir.join("x.tif"))],
        2,
        "unknown index",
    );
    fails(
        &[
            "index",
            "NDREI",
            "-b",
            &r,
            "-b",
            &n,
            "-o",
            s(&dir.join("x.tif")),
        ],
        2,
        "needs the 're1' band",
    );
    assert!(!dir.join("x.tif").exists());
}

/// Formulas at the size limits (`MAX_OPS` operations, `MAX_DEPTH` levels, both at once) fused
/// in one kernel: the WGSL validates with naga and the GPU matches the CPU.
#[test]
fn formulas_at_the_size_limits_validate_and_match_cpu_on_the_gpu() {
    use climidx::kernels::expr::{MAX_DEPTH, MAX_OPS};
    let bands = ["N", "R", "B"];
    let sum: Vec<&str> = (0..=MAX_OPS).map(|i| bands[i % 3]).collect();
    let formulas = [
        sum.join(" + "),
        format!(
            "{}N{}",
            "sqrt(abs(".repeat(MAX_DEPTH / 2),
            "))".repeat(MAX_DEPTH / 2)
        ),
        format!(
            "{}N{}",
            "where(N > R, ".repeat(MAX_DEPTH),
            ", R)".repeat(MAX_DEPTH)
        ),
    ];
    let scope = BandScope::with_asi_defaults(&[]);
    let descs: Vec<IndexRef> = formulas
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let p = Program::compile(f, &scope).unwrap_or_else(|e| panic!("{i}: {e}"));
            IndexDesc::from_program(&format!("limit{i}"), "formula", Family::Expression, p, "")
        })
        .collect();
    gpu_matches_cpu(&descs, 17, "formulas at the size limits");
}

/// A formula holding CR or FF (white space to the parser, line breaks to WGSL) named by itself,
/// as `climidx expr` names it: both comments that quote it stay comments (found by fuzzing).
#[test]
fn formulas_with_carriage_returns_and_form_feeds_validate() {
    let f = "(\u{c}N * R) / (G ** 1.0)\r- B";
    let p = Program::compile(f, &BandScope::with_asi_defaults(&[])).unwrap();
    validate(&[IndexDesc::from_program(
        f,
        "formula",
        Family::Expression,
        p,
        "",
    )]);
}

/// Past the limits, `climidx expr` fails with one line (not the formula echoed, not a stack
/// overflow), exit 2, and writes nothing.
#[test]
fn cli_formulas_past_the_size_limits_are_one_line_errors() {
    let dir = tempdir("cli-huge-formula");
    let n = format!("N={}", s(&asset("sample/B08.tif")));
    let out = dir.join("out.tif");
    for (formula, needle) in [
        (
            vec!["N"; 20_000].join("+"),
            "formula has more than 1024 operations at column 2050",
        ),
        (
            format!("{}N{}", "(".repeat(50_000), ")".repeat(50_000)),
            "formula nests deeper than 256 levels at column 257",
        ),
    ] {
        let err = fails(&["expr", &formula, "-b", &n, "-o", s(&out)], 2, needle);
        assert_eq!(err.lines().count(), 1, "{err:.300}");
        assert!(err.trim_end().ends_with("; simplify it"), "{err:.300}");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            0,
            "wrote something"
        );
    }
}

#[test]
fn cli_list_and_show() {
    let all = ok(&["list"]);
    let lines: Vec<&str> = all.lines().collect();
    assert!(lines.len() >= 60 + 12, "{}", lines.len());
    let cat = Catalog::builtin();
    for e in &cat.entries {
        let listed = lines.iter().any(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(&e.name))
        });
        assert!(listed, "{} not listed", e.name);
    }
    let water = ok(&["list", "--domain", "water"]);
    assert!(water.lines().count() >= 8);
    for l in water.lines() {
        assert_eq!(l.split_whitespace().nth(1), Some("water"), "{l}");
    }
    assert!(water.lines().any(|l| l.starts_with("ndwi ")), "{water}");
    assert!(water.lines().any(|l| l.starts_with("AWEIsh ")), "{water}");
    let file = ok(&["list", "--catalog", s(&v0())]);
    assert!(
        file.lines()
            .any(|l| l.starts_with("kNDVI") && l.contains("unsupported")),
        "{file}"
    );
    let show = ok(&["show", "ARVI"]);
    assert!(
        show.contains("(N - (R - gamma * (B - R))) / (N + (R - gamma * (B - R)))"),
        "{show}"
    );
    assert!(show.contains("constant:   gamma = 1"), "{show}");
    assert!(show.contains("doi:10.1109/36.134076"), "{show}");
    let show = ok(&["show", "FAI", "--catalog", s(&v0())]);
    assert!(show.contains("lambdaN (no default"), "{show}");
    fails(&["show", "NOPE"], 2, "unknown index");
}

#[test]
fn fast_cpu_path_equals_the_reference_for_every_catalogue_entry() {
    // The block-wise batch evaluator against the per-pixel specification, bit for bit, over
    // several parallel chunks, with nodata, NaN/inf and zero denominators injected.
    let all = compiled_catalogue();
    let c = random_case(901, DataType::F32, 301, 113);
    for chunk in all.chunks(32) {
        common::assert_fast_equals_reference(chunk, &c, &[NAN_BITS]);
    }
}

#[test]
fn a_whole_asi_release_compiles_and_runs_on_the_gpu() {
    let cat = Catalog::load(&asset("catalog/asi-2023/spectral-indices-dict.json")).unwrap();
    assert_eq!(cat.entries.len(), 230);
    let unsupported: Vec<&str> = cat
        .entries
        .iter()
        .filter(|e| e.unsupported.is_some())
        .map(|e| e.name.as_str())
        .collect();
    // radar backscatter (13), kernel inputs (5), the PAR variable (1)
    assert_eq!(unsupported.len(), 19, "{unsupported:?}");
    for e in cat.entries.iter().filter(|e| e.unsupported.is_some()) {
        assert!(
            e.domain == "radar" || e.domain == "kernel" || e.name == "NIRvP",
            "{} should be supported: {:?}",
            e.name,
            e.unsupported
        );
    }
    // wavelengths of Sentinel-2 for the entries that need them (no default in the catalogue)
    let consts: Vec<(String, f64)> = [
        ("lambdaG", 560.0),
        ("lambdaN", 842.0),
        ("lambdaR", 665.0),
        ("lambdaS1", 1610.0),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), *v))
    .collect();
    let descs: Vec<IndexRef> = cat
        .entries
        .iter()
        .filter(|e| e.unsupported.is_none())
        .map(|e| {
            e.compile(&consts)
                .unwrap_or_else(|err| panic!("{}: {err}", e.name))
        })
        .collect();
    assert_eq!(descs.len(), 211);
    for (g, chunk) in descs.chunks(30).enumerate() {
        gpu_matches_cpu(chunk, 500 + g as u64, &format!("ASI group {g}"));
    }
}
