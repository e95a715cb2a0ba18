//! `--stac COLLECTION.json -o DIR` for `index` and `expr`: a STAC ItemCollection (local or a
//! URL) as many scenes, one output `DIR/<item id>.tif` per item (and `--stats`/`--quicklook`
//! per item, named with `{id}`), the items run one after another on one device.
//!
//! Every item is checked before the first is run (its bands resolved as for one item, its
//! output paths free), so a missing band or a bad id stops the run before anything is written;
//! a failure while an item runs names the item, and the items before it stay written.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::{control, open_device};
use crate::cli::args::{BandArgs, DeviceArgs, OutputArgs};
use crate::cli::report::Done;
use crate::cli::usage::check_raster_outputs;
use crate::engine::{run_index_job, Backend, IndexJob};
use crate::error::{Error, Result};
use crate::io::products::stac::{load_document, Document, Item};

/// What `--stac` gave `index` / `expr`.
pub enum Scenes {
    /// No `--stac`, or one item (a Feature, or an ItemCollection of one written to a file).
    One(Option<Item>),
    /// An ItemCollection run item by item into the folder `-o`.
    Many(Vec<Item>),
}

/// A folder by its spelling: an existing folder or a path ending in `/`.
fn names_folder(p: &Path) -> bool {
    p.is_dir() || p.to_string_lossy().ends_with('/')
}

/// Read `--stac` (if given) and decide between one output and one per item.
pub fn scenes(input: &BandArgs, output: &Path) -> Result<Scenes> {
    let Some(stac) = &input.stac else {
        return Ok(Scenes::One(None));
    };
    match load_document(stac)? {
        Document::Item(i) => Ok(Scenes::One(Some(i))),
        Document::Collection(mut v) if v.len() == 1 && !names_folder(output) => {
            Ok(Scenes::One(Some(v.remove(0))))
        }
        Document::Collection(v) => {
            if !names_folder(output) && (output.exists() || output.extension().is_some()) {
                return Err(Error::Usage(format!(
                    "-o {}: --stac {} is an ItemCollection of {} items; -o takes a folder (one \
                     <item id>.tif per item), e.g. -o {}/",
                    output.display(),
                    stac.display(),
                    v.len(),
                    output.with_extension("").display()
                )));
            }
            Ok(Scenes::Many(v))
        }
    }
}

/// An item id as a file name: not empty, no path separators, no `.`/`..`, no control
/// characters.
fn file_stem(id: &str) -> Result<&str> {
    let bad = id.is_empty()
        || id == "."
        || id == ".."
        || id.chars().any(|c| c == '/' || c == '\\' || c.is_control());
    if bad {
        return Err(Error::Usage(format!(
            "STAC item id {id:?} cannot name an output file; save the item alone and run it with -o FILE.tif"
        )));
    }
    Ok(id)
}

/// `--stats` / `--quicklook` of one item: the name with `{id}` replaced.
fn per_item(flag: &str, p: &Option<PathBuf>, id: &str) -> Result<Option<PathBuf>> {
    let Some(p) = p else { return Ok(None) };
    let s = p.to_string_lossy();
    if !s.contains("{id}") {
        return Err(Error::Usage(format!(
            "{flag} {s}: with an ItemCollection give one file per item, named with {{id}} \
             (the item id), e.g. {flag} DIR/{{id}}.{}",
            p.extension().and_then(|e| e.to_str()).unwrap_or("json")
        )));
    }
    Ok(Some(PathBuf::from(s.replace("{id}", id))))
}

/// `e` with the item that caused it named (`what`: where in the run).
fn in_item(e: Error, id: &str, what: &str) -> Error {
    let pre = |m: String| {
        if m.contains(id) {
            m
        } else {
            format!("STAC item {id}{what}: {m}")
        }
    };
    match e {
        Error::Usage(m) => Error::Usage(pre(m)),
        Error::Input { path, message } => Error::Input {
            path,
            message: pre(message),
        },
        Error::Mismatch(m) => Error::Mismatch(pre(m)),
        Error::Output { path, message } => Error::Output {
            path,
            message: pre(message),
        },
        e => e,
    }
}

/// Run `make(item, output, output options)` for every item of `items` into the folder `dir`.
pub fn run_each(
    command: &str,
    items: &[Item],
    input: &BandArgs,
    dir: &Path,
    out: &OutputArgs,
    device: &DeviceArgs,
    make: &dyn Fn(&Item, &Path, &OutputArgs) -> Result<IndexJob>,
) -> Result<Done> {
    let mut jobs = Vec::with_capacity(items.len());
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let stem = file_stem(&item.id)?;
        if !seen.insert(stem) {
            return Err(Error::Usage(format!(
                "the ItemCollection holds item {stem} twice; each item writes {stem}.tif"
            )));
        }
        let tif = dir.join(format!("{stem}.tif"));
        let mut o = out.clone();
        o.stats = per_item("--stats", &out.stats, stem)?;
        o.quicklook = per_item("--quicklook", &out.quicklook, stem)?;
        check_raster_outputs(&tif, &o)?;
        let job = make(item, &tif, &o).map_err(|e| in_item(e, &item.id, ""))?;
        jobs.push(job);
    }
    let created = !dir.exists();
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::output(dir, format!("cannot create the output folder: {e}")))?;
    if let Some(e) = jobs
        .iter()
        .zip(items)
        .find_map(|(j, i)| j.validate().err().map(|e| in_item(e, &i.id, "")))
    {
        if created {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(e);
    }
    let ctx = open_device(device)?;
    let backend = Backend::of(ctx.as_ref());
    let (mut lines, mut reports) = (Vec::new(), Vec::new());
    for (k, (job, item)) in jobs.iter().zip(items).enumerate() {
        let what = format!(
            " (item {} of {}; the items before it are written)",
            k + 1,
            items.len()
        );
        let r = run_index_job(job, backend, &control()).map_err(|e| in_item(e, &item.id, &what))?;
        log::info!(
            "{}: {} windows of {} rows on {}",
            item.id,
            r.windows,
            r.rows_per_window,
            r.device
        );
        let d = crate::cli::report::index(command, job, &r, false);
        lines.push(d.summary);
        let mut rep = d.report;
        if let Value::Object(m) = &mut rep {
            m.insert("stac_item".into(), Value::String(item.id.clone()));
        }
        reports.push(rep);
    }
    let stac = input.stac.as_deref().unwrap_or(Path::new(""));
    lines.push(format!(
        "wrote {} items of {} into {}",
        items.len(),
        stac.display(),
        dir.display()
    ));
    Ok(Done {
        summary: lines.join("\n"),
        report: json!({
            "command": command,
            "stac": stac.display().to_string(),
            "output_dir": dir.display().to_string(),
            "items": reports,
        }),
        json: out.json,
    })
}
