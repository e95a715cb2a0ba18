//! Remote inputs: NDVI over a uint16 COG pair (red, NIR; a realistic synthetic scene, see
//! `climidx::cli::bench::scene`) served by the tests' HTTP server (`tests/common/http.rs`) on
//! 127.0.0.1 with added latency per request, climidx (`--band red=http://…`, `--device cpu`,
//! default output) against `gdal_calc.py` reading the same URLs through `/vsicurl/` and writing
//! the same kind of file (512-px tiles, DEFLATE, PREDICTOR=3, float32), alternated round by
//! round; the same two from local files beside them. Requests, connections and bytes served are
//! counted per run, and the outputs compared.
//!
//! ```sh
//! cargo bench --bench remote                                   # 1024², 20 ms, 3 rounds
//! cargo bench --bench remote -- --size 10980 --report bench/results/remote-http-DATE.md
//! ```
//!
//! Options: `--size N` (default 1024, or CLIMIDX_REMOTE_SIZE), `--rounds N` (3), `--latency-ms
//! MS` (20), `--blocksize PX` (COG tile size, 1024), `--no-local`, `--report FILE.md`. The
//! COGs are kept in `target/bench-remote/` for the next run of the same size. `cargo test` runs
//! the same code once at 256² (`tests/remote_bench.rs`).

#[path = "../tests/common/http.rs"]
#[allow(dead_code)]
mod http;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// GDAL configuration of the `/vsicurl/` runs, as an informed user would set it.
pub const GDAL_CONFIG: &[(&str, &str)] = &[
    ("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR"),
    ("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".tif"),
    ("GDAL_HTTP_MERGE_CONSECUTIVE_RANGES", "YES"),
    ("GDAL_HTTP_MULTIPLEX", "YES"),
    ("GDAL_CACHEMAX", "512"),
    ("GDAL_NUM_THREADS", "ALL_CPUS"),
];

/// The output creation options of gdal_calc.py: climidx's default output.
pub const GDAL_CO: &[&str] = &[
    "TILED=YES",
    "BLOCKXSIZE=512",
    "BLOCKYSIZE=512",
    "COMPRESS=DEFLATE",
    "PREDICTOR=3",
    "NUM_THREADS=ALL_CPUS",
];

#[derive(Clone, Debug)]
pub struct Config {
    pub size: u32,
    pub rounds: usize,
    pub latency: Duration,
    pub blocksize: u32,
    pub local: bool,
    pub dir: PathBuf,
}

impl Config {
    fn from_args() -> Result<(Config, Option<PathBuf>), String> {
        let mut c = Config {
            size: std::env::var("CLIMIDX_REMOTE_SIZE")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1024),
            rounds: 3,
            latency: Duration::from_millis(20),
            blocksize: 1024,
            local: true,
            dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-remote"),
        };
        let mut report = None;
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let mut val = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            let num = |v: String| v.parse::<u64>().map_err(|_| format!("{a}: {v:?}"));
            match a.as_str() {
                "--bench" => {}
                "--size" => c.size = num(val("--size")?)? as u32,
                "--rounds" => c.rounds = num(val("--rounds")?)?.max(1) as usize,
                "--latency-ms" => c.latency = Duration::from_millis(num(val("--latency-ms")?)?),
                "--blocksize" => c.blocksize = num(val("--blocksize")?)? as u32,
                "--no-local" => c.local = false,
                "--report" => report = Some(PathBuf::from(val("--report")?)),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok((c, report))
    }
}

/// One timed run of one tool.
#[derive(Clone, Debug, Default)]
pub struct Run {
    pub secs: f64,
    pub requests: u64,
    pub gets: u64,
    pub connections: u64,
    pub max_in_flight: u64,
    pub bytes: u64,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub tool: &'static str,
    pub input: &'static str,
    pub runs: Vec<Run>,
    pub output: PathBuf,
}

impl Row {
    pub fn median(&self) -> Run {
        let mut r = self.runs.clone();
        r.sort_by(|a, b| a.secs.total_cmp(&b.secs));
        r[r.len() / 2].clone()
    }
}

pub struct Report {
    pub config: Config,
    /// `/proc/loadavg` before and after the timed rounds (other load on the machine).
    pub load: (String, String),
    pub cog_bytes: u64,
    pub cog_layout: String,
    pub rows: Vec<Row>,
    /// Max |climidx − gdal_calc| over pixels valid in both, and pixels valid in one only.
    pub max_diff: f64,
    pub validity_mismatches: u64,
    pub valid: u64,
}

fn python() -> &'static str {
    // Debian's interpreter carries the apt-installed GDAL bindings (osgeo_utils).
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

fn check(cmd: &mut Command) -> Result<(), String> {
    let o = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

/// The red and NIR COGs (`B04.tif`, `B08.tif`) of the realistic scene, made once per size.
pub fn cogs(c: &Config) -> Result<(PathBuf, String), String> {
    let dir = c.dir.join(format!("cog-{}-{}", c.size, c.blocksize));
    let layout = format!(
        "GDAL COG driver: uint16, {0}×{0} tiles, DEFLATE + PREDICTOR=2, overviews, nodata 0",
        c.blocksize
    );
    if dir.join("B08.tif").exists() {
        return Ok((dir, layout));
    }
    let tmp = c.dir.join(format!("tmp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let size = c.size as usize;
    let (scene, _) = climidx::cli::bench::scene::write_input(&tmp, "scene", c.size, &|y, n, o| {
        climidx::cli::bench::scene::realistic_rows(size, y, n, o)
    })
    .map_err(|e| e.to_string())?;
    for (band, name) in [("3", "B04.tif"), ("4", "B08.tif")] {
        check(
            Command::new("gdal_translate")
                .args(["-q", "-of", "COG", "-b", band, "-co", "COMPRESS=DEFLATE"])
                .args(["-co", "PREDICTOR=2", "-co", "NUM_THREADS=ALL_CPUS", "-co"])
                .arg(format!("BLOCKSIZE={}", c.blocksize))
                .arg(&scene)
                .arg(tmp.join(name)),
        )?;
    }
    let _ = std::fs::remove_file(&scene);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&tmp, &dir).map_err(|e| e.to_string())?;
    Ok((dir, layout))
}

fn climidx_cmd(red: &str, nir: &str, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_climidx"));
    c.args(["-q", "index", "ndvi", "--band"])
        .arg(format!("red={red}"))
        .arg("--band")
        .arg(format!("nir={nir}"))
        .args(["--device", "cpu", "--overwrite", "-o"])
        .arg(out);
    c
}

fn gdal_calc_cmd(red: &str, nir: &str, out: &Path) -> Command {
    let mut c = Command::new(python());
    c.args(["-m", "osgeo_utils.gdal_calc", "--quiet", "--overwrite"])
        .args([
            "-A",
            red,
            "-B",
            nir,
            "--type=Float32",
            "--NoDataValue=-9999",
        ])
        .arg("--outfile")
        .arg(out)
        .arg("--calc=(B.astype(numpy.float32)-A)/(B.astype(numpy.float32)+A)");
    for o in GDAL_CO {
        c.arg(format!("--co={o}"));
    }
    for (k, v) in GDAL_CONFIG {
        c.env(k, v);
    }
    c
}

fn timed(srv: &http::Server, mut cmd: Command) -> Result<Run, String> {
    srv.reset();
    let s = Instant::now();
    check(&mut cmd)?;
    let secs = s.elapsed().as_secs_f64();
    let c = &srv.counters;
    Ok(Run {
        secs,
        requests: c.requests.load(Ordering::SeqCst),
        gets: c.gets.load(Ordering::SeqCst),
        connections: c.connections.load(Ordering::SeqCst),
        max_in_flight: c.max_in_flight.load(Ordering::SeqCst),
        bytes: srv.body_bytes(),
    })
}

/// Band 1 of `path` as f32 with nodata as NaN.
fn read(path: &Path) -> Result<Vec<f32>, String> {
    use climidx::io::geotiff::reader::GeoTiffReader;
    use climidx::kernels::samples::PackedBand;
    let mut r = GeoTiffReader::open(path).map_err(|e| e.to_string())?;
    let info = r.info().clone();
    let nodata = info.nodata;
    let mut out = vec![PackedBand::new(info.dtype)];
    let w = info.full();
    r.read_window(w, &[0], &[None], &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out[0]
        .words
        .iter()
        .map(|&b| f32::from_bits(b))
        .map(|v| match nodata {
            Some(n) if v as f64 == n => f32::NAN,
            _ => v,
        })
        .collect())
}

/// Run the comparison: each round times every row once, in the same order.
pub fn run(c: &Config) -> Result<Report, String> {
    let (cogs, cog_layout) = cogs(c)?;
    let cog_bytes = ["B04.tif", "B08.tif"]
        .iter()
        .map(|f| std::fs::metadata(cogs.join(f)).map_or(0, |m| m.len()))
        .sum();
    let out = c.dir.join("out");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let srv = http::Server::start(
        &cogs,
        http::Mode {
            latency: c.latency,
            ..Default::default()
        },
    );
    let (url_r, url_n) = (srv.url("B04.tif"), srv.url("B08.tif"));
    let (vsi_r, vsi_n) = (format!("/vsicurl/{url_r}"), format!("/vsicurl/{url_n}"));
    let (loc_r, loc_n) = (
        cogs.join("B04.tif").display().to_string(),
        cogs.join("B08.tif").display().to_string(),
    );
    type Make = Box<dyn Fn(&Path) -> Command>;
    let mut plan: Vec<(&'static str, &'static str, Make)> = vec![
        ("climidx", "HTTP", {
            let (r, n) = (url_r.clone(), url_n.clone());
            Box::new(move |o| climidx_cmd(&r, &n, o))
        }),
        ("gdal_calc.py", "HTTP (/vsicurl/)", {
            let (r, n) = (vsi_r.clone(), vsi_n.clone());
            Box::new(move |o| gdal_calc_cmd(&r, &n, o))
        }),
    ];
    if c.local {
        let (r, n) = (loc_r.clone(), loc_n.clone());
        plan.push((
            "climidx",
            "local file",
            Box::new(move |o| climidx_cmd(&r, &n, o)),
        ));
        let (r, n) = (loc_r, loc_n);
        plan.push((
            "gdal_calc.py",
            "local file",
            Box::new(move |o| gdal_calc_cmd(&r, &n, o)),
        ));
    }
    let mut rows: Vec<Row> = plan
        .iter()
        .enumerate()
        .map(|(i, (tool, input, _))| Row {
            tool,
            input,
            runs: Vec::new(),
            output: out.join(format!("{i}-{}.tif", tool.trim_end_matches(".py"))),
        })
        .collect();
    // Warm-up (untimed): the page cache, Python's imports, and a check that each tool works.
    for (row, (_, _, make)) in rows.iter().zip(&plan) {
        timed(&srv, make(&row.output))?;
    }
    let load0 = loadavg();
    for _ in 0..c.rounds {
        for (row, (_, _, make)) in rows.iter_mut().zip(&plan) {
            let r = timed(&srv, make(&row.output))?;
            row.runs.push(r);
        }
    }
    let a = read(&rows[0].output)?;
    let b = read(&rows[1].output)?;
    let (mut max_diff, mut mismatches, mut valid) = (0f64, 0u64, 0u64);
    for (x, y) in a.iter().zip(&b) {
        match (x.is_nan(), y.is_nan()) {
            (false, false) => {
                valid += 1;
                max_diff = max_diff.max((x - y).abs() as f64);
            }
            (true, true) => {}
            _ => mismatches += 1,
        }
    }
    if a.len() != b.len() {
        return Err(format!(
            "outputs differ in size: {} vs {}",
            a.len(),
            b.len()
        ));
    }
    Ok(Report {
        config: c.clone(),
        load: (load0, loadavg()),
        cog_bytes,
        cog_layout,
        rows,
        max_diff,
        validity_mismatches: mismatches,
        valid,
    })
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn version(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The report as Markdown.
pub fn markdown(r: &Report) -> String {
    let c = &r.config;
    let mpix = c.size as f64 * c.size as f64 / 1e6;
    let mut s = format!(
        "NDVI over a {0}×{0} uint16 COG pair (red, NIR; {1:.1} Mpix, {2:.1} MB together; {3}), \
         served by `tests/common/http.rs` on 127.0.0.1 (HTTP/1.1, a thread per connection, \
         {4} ms added before every answer, HEAD included). Medians of {5} round(s) after a \
         warm-up, the rows alternated within each round. Requests, connections and bytes are \
         those of the median run.\n\n",
        c.size,
        mpix,
        r.cog_bytes as f64 / 1e6,
        r.cog_layout,
        c.latency.as_millis(),
        c.rounds
    );
    s += "| tool | input | median s [min..max] | Mpix/s | requests (GET) | connections | most in flight | MB served | every round, s |\n";
    s += "|---|---|---|---|---|---|---|---|---|\n";
    for row in &r.rows {
        let m = row.median();
        let min = row.runs.iter().map(|x| x.secs).fold(f64::MAX, f64::min);
        let max = row.runs.iter().map(|x| x.secs).fold(0.0, f64::max);
        let remote = !row.input.starts_with("local");
        let net = |v: String| if remote { v } else { "—".to_string() };
        s += &format!(
            "| {} | {} | {:.2} [{:.2}..{:.2}] | {:.1} | {} | {} | {} | {} | {} |\n",
            row.tool,
            row.input,
            m.secs,
            min,
            max,
            mpix / m.secs,
            net(format!("{} ({})", m.requests, m.gets)),
            net(m.connections.to_string()),
            net(m.max_in_flight.to_string()),
            net(format!("{:.1}", m.bytes as f64 / 1e6)),
            row.runs
                .iter()
                .map(|x| format!("{:.2}", x.secs))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    s += &format!(
        "\nOutputs (climidx vs gdal_calc.py over HTTP): max |diff| {:.3e} over {} pixels valid \
         in both; {} pixels valid in one only.\n\n",
        r.max_diff, r.valid, r.validity_mismatches
    );
    s += "climidx: `climidx index ndvi --band red=http://127.0.0.1:PORT/B04.tif --band \
          nir=http://127.0.0.1:PORT/B08.tif --device cpu -o OUT.tif` (default output: 512-px \
          tiles, deflate level 6 (libdeflate), predictor 3, NaN nodata).\n\n";
    s += &format!(
        "gdal_calc.py: `-A /vsicurl/http://127.0.0.1:PORT/B04.tif -B /vsicurl/…/B08.tif \
         --type=Float32 --NoDataValue=-9999 --calc=\"(B.astype(numpy.float32)-A)/(B.astype(numpy.float32)+A)\" {}`, \
         with {}.\n",
        GDAL_CO
            .iter()
            .map(|o| format!("--co {o}"))
            .collect::<Vec<_>>()
            .join(" "),
        GDAL_CONFIG
            .iter()
            .map(|(k, v)| format!("`{k}={v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    s += &format!(
        "\nMachine: {}, {} logical CPUs; load average (1/5/15 min) {} before the timed rounds, \
         {} after; {}; Python {}; climidx {} (release).\n",
        climidx::cli::bench::cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        r.load.0,
        r.load.1,
        version("gdalinfo", &["--version"]),
        version(
            python(),
            &["-c", "import sys; print(sys.version.split()[0])"]
        ),
        env!("CARGO_PKG_VERSION"),
    );
    s
}

#[allow(dead_code)]
fn main() {
    let (c, report) = match Config::from_args() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("benches/remote: {e}");
            std::process::exit(2);
        }
    };
    eprintln!(
        "benches/remote: {0}×{0}, {1} ms latency, {2} rounds (COGs in {3})",
        c.size,
        c.latency.as_millis(),
        c.rounds,
        c.dir.display()
    );
    match run(&c) {
        Ok(r) => {
            let md = markdown(&r);
            println!("{md}");
            if let Some(p) = report {
                if let Err(e) = std::fs::write(&p, &md) {
                    eprintln!("benches/remote: cannot write {}: {e}", p.display());
                    std::process::exit(1);
                }
            }
        }
        Err(e) => {
            eprintln!("benches/remote: {e}");
            std::process::exit(1);
        }
    }
}
