//! Usage errors in the README's one-line form: clap's parse errors reduced to
//! `climidx: error: …; see climidx COMMAND --help` (exit 2).

use std::ffi::OsString;

use clap::error::ErrorKind;
use clap::CommandFactory;

use super::args::Cli;

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
}
