//! The app's command line: `ehlowatch-app [--data-dir DIR] [--minimized]`,
//! `ehlowatch-app --autostart on|off`, `--version`, `--help`. A second launch hands its
//! arguments to the running instance, which only opens its window.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

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
    /// Make the app start (or no longer start) at login for the current user, print what was
    /// done and exit without starting the app (scripted deployment, installers). On Windows the
    /// app has no console: redirect its output (`… | more`, `Start-Process -Wait
    /// -RedirectStandardOutput`) to see the line.
    #[arg(long, value_name = "on|off")]
    pub autostart: Option<Switch>,
}

/// On or off, for `--autostart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Start at login.
    On,
    /// Do not start at login.
    Off,
}

impl Args {
    /// The flag autostart launches the app with.
    pub const MINIMIZED: &'static str = "--minimized";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autostart_takes_on_or_off_and_names_a_wrong_value() {
        let on = Args::try_parse_from(["ehlowatch-app", "--autostart", "on"]).unwrap();
        assert_eq!(on.autostart, Some(Switch::On));
        let off = Args::try_parse_from(["ehlowatch-app", "--autostart", "off"]).unwrap();
        assert_eq!(off.autostart, Some(Switch::Off));
        assert_eq!(
            Args::try_parse_from(["ehlowatch-app"]).unwrap().autostart,
            None
        );
        let err = Args::try_parse_from(["ehlowatch-app", "--autostart", "yes"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--autostart") && err.contains("'yes'"),
            "{err}"
        );
    }
}
