//! Progress bars on long runs (indicatif), as the engine's [`Progress`] hook: drawn on standard
//! error only when it is a terminal, never with `-q` (log level "error") — so scripts, pipes and
//! CI logs stay clean.

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::Progress;

/// A terminal bar, created when the job starts.
#[derive(Default)]
pub struct Bar(Mutex<Option<ProgressBar>>);

impl Progress for Bar {
    fn start(&self, total: u64, what: &str) {
        if let Ok(mut b) = self.0.lock() {
            *b = Some(bar(total, what));
        }
    }
    fn advance(&self, units: u64) {
        if let Ok(b) = self.0.lock() {
            if let Some(b) = b.as_ref() {
                b.inc(units);
            }
        }
    }
    fn finish(&self) {
        if let Ok(mut b) = self.0.lock() {
            if let Some(b) = b.take() {
                b.finish_and_clear();
            }
        }
    }
}

/// A bar over `total` units (rows, inputs) labelled `what`; hidden when not wanted.
fn bar(total: u64, what: &str) -> ProgressBar {
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
