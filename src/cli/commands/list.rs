//! `climidx list` and `climidx show`: the built-in kernels, the built-in catalogue, or a
//! catalogue file — one index per line, name first.

use crate::cli::args::{ListArgs, ShowArgs};
use crate::error::{Error, Result};
use crate::kernels::catalogue::{Catalog, Entry};
use crate::kernels::{self, Family, IndexDesc, INDICES};

/// The domain a built-in kernel is listed under (from the catalogue entry of the same name).
fn domain_of(d: &IndexDesc, cat: &Catalog) -> String {
    match d.family {
        Family::Vegetation => cat
            .find(&d.name)
            .map(|e| e.domain.clone())
            .unwrap_or_else(|| "vegetation".into()),
        f => f.name().to_string(),
    }
}

fn entry_line(e: &Entry) -> String {
    match &e.unsupported {
        Some(why) => format!(
            "{:<14} {:<11} {:<58} unsupported: {why}",
            e.name, e.domain, e.long_name
        ),
        None => format!(
            "{:<14} {:<11} {:<58} bands: {:<16} {}",
            e.name,
            e.domain,
            e.long_name,
            e.bands().join(","),
            e.formula
        ),
    }
}

pub fn run(a: &ListArgs) -> Result<()> {
    let wanted = |domain: &str| {
        a.domain
            .as_deref()
            .is_none_or(|d| d.eq_ignore_ascii_case(domain))
    };
    if let Some(path) = &a.catalog {
        let cat = Catalog::load(path)?;
        for e in cat.entries.iter().filter(|e| wanted(&e.domain)) {
            println!("{}", entry_line(e));
        }
        return Ok(());
    }
    let cat = Catalog::builtin();
    for d in INDICES {
        let domain = domain_of(d, &cat);
        if !wanted(&domain) {
            continue;
        }
        let roles: Vec<&str> = d.roles.iter().map(|r| r.name()).collect();
        println!(
            "{:<14} {:<11} {:<58} bands: {:<16} {}  [built-in kernel]",
            d.name,
            domain,
            d.long_name,
            roles.join(","),
            d.formula
        );
    }
    for e in &cat.entries {
        if kernels::find(&e.name).is_none() && wanted(&e.domain) {
            println!("{}", entry_line(e));
        }
    }
    Ok(())
}

pub fn show(a: &ShowArgs) -> Result<()> {
    let file = a.catalog.as_deref().map(Catalog::load).transpose()?;
    let builtin = Catalog::builtin();
    let entry = file
        .as_ref()
        .and_then(|c| c.find(&a.name))
        .or_else(|| builtin.find(&a.name));
    let kernel = if file.as_ref().and_then(|c| c.find(&a.name)).is_some() {
        None
    } else {
        kernels::find(&a.name)
    };
    if entry.is_none() && kernel.is_none() {
        let hint = crate::kernels::resolve::suggest_index(&a.name, file.as_ref())
            .map(|s| format!("; {s}"))
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "unknown index {:?}; see `climidx list`{hint}",
            a.name
        )));
    }
    if let Some(d) = kernel {
        println!("{}: {}", d.name, d.long_name);
        println!("formula:    {}", d.formula);
        let roles: Vec<&str> = d.roles.iter().map(|r| r.name()).collect();
        println!("bands:      {}", roles.join(", "));
        for c in d.constants {
            println!("constant:   {} = {}", c.name, c.value);
        }
        println!("reference:  {}", d.reference);
        println!("runs as:    built-in kernel ({} family)", d.family.name());
        if entry.is_some() {
            println!();
        }
    }
    if let Some(e) = entry {
        println!(
            "{}: {}  [{} catalogue]",
            e.name,
            e.long_name,
            file.as_ref()
                .filter(|c| c.find(&a.name).is_some())
                .map(|c| c.source.as_str())
                .unwrap_or("built-in")
        );
        println!("domain:     {}", e.domain);
        println!("formula:    {}", e.formula);
        println!("bands:      {}", e.bands().join(", "));
        for (c, v) in &e.constants {
            match v {
                Some(v) => println!("constant:   {c} = {v}"),
                None => println!("constant:   {c} (no default: pass --const {c}=VALUE)"),
            }
        }
        println!("reference:  {}", e.reference);
        if !e.note.is_empty() {
            println!("note:       {}", e.note);
        }
        if let Some(why) = &e.unsupported {
            println!("unsupported: {why}");
        }
    }
    Ok(())
}
