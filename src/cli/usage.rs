//! Usage errors in the README's one-line form: clap's parse errors reduced to
//! `climidx: error: …; see climidx COMMAND --help` (exit 2), and output names checked against
//! the format climidx writes there.

use std::ffi::OsString;
use std::path::Path;

use clap::error::ErrorKind;
use clap::CommandFactory;

use super::args::{Cli, OutputArgs};
use crate::error::{Error, Result};

/// Handle a failed parse: `--help` and `--version` print as clap does and exit 0; every other
/// error is one line on standard error and exit code 2.
pub fn exit_on_clap_error(e: clap::Error, args: &[OsString]) -> ! {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => e.exit(),
        _ => {
            eprintln!("climidx: error: {}", one_line(&e, args));
            std::process::exit(2)
        }
    }
}

/// The subcommand named on the command line (the first word that is one), for the help hint.
fn subcommand(args: &[OsString]) -> Option<String> {
    let cmd = Cli::command();
    args.iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find(|a| !a.starts_with('-'))
        .filter(|a| cmd.get_subcommands().any(|s| s.get_name() == *a))
        .map(str::to_string)
}

/// clap's error as one line, ending with where to read more: the first line of its message,
/// the lines that continue it (missing arguments, possible values), its suggestions as "did you
/// mean …?", then `see climidx COMMAND --help`.
pub fn one_line(e: &clap::Error, args: &[OsString]) -> String {
    let help = match subcommand(args) {
        Some(c) => format!("see climidx {c} --help"),
        None => "see climidx --help".to_string(),
    };
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .filter(|n| n != "help")
            .collect();
        return format!("no command given ({}); {help}", names.join(", "));
    }
    let text = e.render().to_string();
    let mut head: Vec<&str> = Vec::new();
    let mut tips: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if line.is_empty() {
            continue;
        }
        match line.strip_prefix("tip: ") {
            // "a similar argument exists: '--band'", "some similar values exist: 'a', 'b'"
            Some(t) if t.contains("similar") => match t.rsplit_once(": ") {
                Some((_, names)) => tips.push(format!("did you mean {names}?")),
                None => tips.push(t.to_string()),
            },
            Some(t) => tips.push(t.to_string()),
            None => head.push(line.strip_prefix("error: ").unwrap_or(line)),
        }
    }
    let mut msg = head
        .first()
        .copied()
        .unwrap_or("invalid arguments")
        .to_string();
    if head.len() > 1 {
        let sep = if msg.ends_with(':') { ", " } else { " " };
        msg = format!("{msg} {}", head[1..].join(sep));
    }
    for t in tips {
        msg = format!("{msg}; {t}");
    }
    format!("{msg}; {help}")
}

/// The extension of `p`, lower-cased.
fn ext(p: &Path) -> String {
    p.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// `-o` of a command that writes GeoTIFF, and its `--stats` and `--quicklook` files.
pub fn check_raster_outputs(output: &Path, out: &OutputArgs) -> Result<()> {
    let o = output.display();
    match ext(output).as_str() {
        "tif" | "tiff" => {}
        "png" => {
            return Err(Error::Usage(format!(
                "-o {o}: climidx writes GeoTIFF (.tif/.tiff); for a PNG use --quicklook {o} or `climidx quicklook`"
            )))
        }
        "json" => {
            return Err(Error::Usage(format!(
                "-o {o}: climidx writes GeoTIFF (.tif/.tiff); for statistics use --stats {o}"
            )))
        }
        _ => {
            return Err(Error::Usage(format!(
                "-o {o}: climidx writes GeoTIFF (.tif/.tiff); name it {}",
                output.with_extension("tif").display()
            )))
        }
    }
    if let Some(q) = &out.quicklook {
        check_png("--quicklook", q)?;
    }
    if let Some(s) = &out.stats {
        if ext(s) != "json" {
            return Err(Error::Usage(format!(
                "--stats {}: statistics are written as JSON (.json); name it {}",
                s.display(),
                s.with_extension("json").display()
            )));
        }
    }
    Ok(())
}

/// A quicklook's name (`flag` is the option that gave it).
pub fn check_png(flag: &str, p: &Path) -> Result<()> {
    if ext(p) == "png" {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{flag} {}: a quicklook is a PNG (.png); name it {}",
        p.display(),
        p.with_extension("png").display()
    )))
}

/// `-o` of `climidx climatology`, a folder: a raster, PNG or JSON name is a mistake.
pub fn check_folder_output(output: &Path) -> Result<()> {
    match ext(output).as_str() {
        "tif" | "tiff" | "png" | "json" => Err(Error::Usage(format!(
            "-o {}: climatology writes a folder (count.tif, mean.tif, std.tif, min.tif, max.tif and climatology.json); name a folder, e.g. -o clim/",
            output.display()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn err(words: &str) -> String {
        let args: Vec<OsString> = words.split_whitespace().map(OsString::from).collect();
        let e = Cli::try_parse_from(&args).unwrap_err();
        one_line(&e, &args)
    }

    #[test]
    fn clap_errors_become_one_line() {
        let e = err("climidx index ndvi --bnd x -o x.tif");
        assert_eq!(
            e,
            "unexpected argument '--bnd' found; did you mean '--band'?; see climidx index --help"
        );
        let e = err("climidx index ndvi -b red=a.tif");
        assert!(
            e.starts_with("the following required arguments were not provided: --output <OUT>"),
            "{e}"
        );
        assert!(e.ends_with("; see climidx index --help"), "{e}");
        let e = err("climidx index ndvi -b red=a.tif -o x.tif --device foo");
        assert!(
            e.starts_with("invalid value 'foo' for '--device <DEVICE>' [possible values: auto"),
            "{e}"
        );
        let e = err("climidx indx");
        assert!(e.contains("unrecognized subcommand 'indx'"), "{e}");
        assert!(e.contains("did you mean 'index'?"), "{e}");
        assert!(e.ends_with("; see climidx --help"), "{e}");
        let e = err("climidx");
        assert!(
            e.starts_with("no command given (adapters, index, lst"),
            "{e}"
        );
        for e in [e, err("climidx index ndvi -o")] {
            assert!(!e.contains('\n') && !e.contains('\x1b'), "{e:?}");
        }
    }

    #[test]
    fn help_and_version_are_not_errors() {
        for w in [
            "climidx --help",
            "climidx index --help",
            "climidx --version",
        ] {
            let e = Cli::try_parse_from(w.split_whitespace()).unwrap_err();
            assert!(matches!(
                e.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ));
        }
    }

    #[test]
    fn output_names_match_the_format() {
        let out = |stats: Option<&str>, ql: Option<&str>| {
            let mut args = vec!["climidx", "index", "ndvi", "-b", "red=a.tif", "-o", "x.tif"];
            if let Some(s) = stats {
                args.extend(["--stats", s]);
            }
            if let Some(q) = ql {
                args.extend(["--quicklook", q]);
            }
            match Cli::try_parse_from(args).unwrap().command {
                super::super::args::Command::Index(a) => a.out,
                _ => unreachable!(),
            }
        };
        let o = out(None, None);
        for ok in ["a.tif", "a.TIFF", "dir/a.tiff"] {
            check_raster_outputs(Path::new(ok), &o).unwrap();
        }
        let e = check_raster_outputs(Path::new("ndvi.png"), &o).unwrap_err();
        assert_eq!(
            e.to_string(),
            "-o ndvi.png: climidx writes GeoTIFF (.tif/.tiff); for a PNG use --quicklook ndvi.png or `climidx quicklook`"
        );
        let e = check_raster_outputs(Path::new("ndvi"), &o).unwrap_err();
        assert!(e.to_string().ends_with("name it ndvi.tif"), "{e}");
        let e = check_raster_outputs(Path::new("a.tif"), &out(Some("s.txt"), None)).unwrap_err();
        assert!(e.to_string().contains("name it s.json"), "{e}");
        let e = check_raster_outputs(Path::new("a.tif"), &out(None, Some("q.jpg"))).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("--quicklook q.jpg: a quicklook is a PNG"));
        check_raster_outputs(Path::new("a.tif"), &out(Some("s.json"), Some("q.PNG"))).unwrap();
        assert!(check_folder_output(Path::new("clim/")).is_ok());
        assert!(check_folder_output(Path::new("clim.tif")).is_err());
    }
}
