//! The app's command line: `ehlowatch-app [--data-dir DIR] [--minimized]`, `--version`,
//! `--help`. A second launch hands its arguments to the running instance, which only opens its
//! window.

use std::path::PathBuf;

use clap::Parser;

/// EHLO Watch: a tray app that watches SMTP servers answer EHLO in time.
#[derive(Debug, Clone, Default, Parser)]
#[command(name = "ehlowatch-app", version, about)]
pub struct Args {
    /// Keep settings, history and the window's storage under DIR instead of the platform's
    /// directories (isolated instances, tests).
    #[arg(long, value_name = "DIR", env = "EHLOWATCH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Start in the tray without opening the window, even on a first run (used by autostart).
    #[arg(long)]
    pub minimized: bool,
}

impl Args {
    /// The flag autostart launches the app with.
    pub const MINIMIZED: &'static str = "--minimized";
}
