//! Progress bars on long runs (indicatif): drawn on standard error only when it is a terminal,
//! never with `-q` (log level "error") — so scripts, pipes and CI logs stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `total` units (rows, inputs) labelled `what`; hidden when not wanted.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    let quiet = log::max_level() < log::LevelFilter::Warn;
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:>12} [{bar:40}] {percent:>3}% {elapsed_precise} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}
