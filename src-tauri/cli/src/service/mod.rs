//! `ehlowatch service`: the agent as a Windows service. `install` registers it with the Service
//! Control Manager (SCM), `uninstall` stops and removes it, and `run` is what the SCM starts: the
//! SCM protocol (`StartServiceCtrlDispatcher`, a control handler, status reports) around the very
//! agent `ehlowatch run` runs. Elsewhere the command is refused: systemd and launchd run
//! `ehlowatch run` itself.

mod command;
#[cfg(windows)]
mod entry;
#[cfg(windows)]
mod install;
#[cfg(windows)]
mod run;

use std::process::ExitCode;

#[cfg(not(windows))]
use self::command::REFUSED;
use crate::args::ServiceCommand;

/// Carries out `ehlowatch service …`.
#[cfg(windows)]
pub fn main(command: ServiceCommand) -> ExitCode {
    match command {
        ServiceCommand::Install(args) => install::install(args),
        ServiceCommand::Uninstall(name) => install::uninstall(&name.name),
        ServiceCommand::Run(args) => entry::dispatch(&args.name.name),
    }
}

/// Refuses `ehlowatch service …` where there is no Windows SCM.
#[cfg(not(windows))]
pub fn main(_command: ServiceCommand) -> ExitCode {
    refuse()
}

/// The refusal of `ehlowatch service` outside Windows, naming what to use instead.
#[cfg(not(windows))]
pub fn refuse() -> ExitCode {
    eprintln!(
        "error: `ehlowatch service` installs a Windows service and works on Windows only; here run \
         `ehlowatch run` under the service manager: the systemd units in packaging/systemd/ (on \
         Debian in /usr/lib/systemd/user/ and /usr/share/doc/ehlo-watch/examples/systemd/) or \
         the launchd agent in packaging/macos/ (README: \"As a systemd service\", \"Install on macOS\")"
    );
    ExitCode::from(REFUSED)
}
