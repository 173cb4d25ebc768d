//! Progress bars on a terminal, nothing otherwise (logs and CI stay clean), and the stages'
//! summaries on standard output, silenced by `--quiet` ([`say!`]). Warnings and errors always go
//! to standard error.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

/// True when standard error is a terminal.
pub fn is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// A bar of `len` steps labelled `what`, hidden when `show` is false.
pub fn bar(len: u64, what: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix:>10} [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}

/// A spinner labelled `what` for work of unknown length (reading a regional road network,
/// travel times), ticking on its own; hidden when `show` is false. Say the step with
/// `set_message`, end with `finish_and_clear`.
pub fn spinner(what: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {prefix:>10} {elapsed} {wide_msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_prefix(what.to_string());
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences the summaries of [`say!`] (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// `println!` unless `--quiet`: what a stage found and wrote, for people reading the log.
macro_rules! say {
    ($($arg:tt)*) => {
        if !$crate::progress::is_quiet() {
            println!($($arg)*);
        }
    };
}
pub(crate) use say;
