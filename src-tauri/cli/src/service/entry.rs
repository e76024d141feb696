//! The service's entry point as the SCM calls it: an `extern "system"` function that the
//! `windows-service` crate's macro writes, turning the SCM's start arguments into owned strings
//! before handing over to [`super::run::service_main`]; and `service run`'s connection to the
//! SCM, refused with a pointer to `ehlowatch run` when no SCM started the process. (The macro's
//! one unsafe block, reading the SCM's argument array, is the crate's.)

use std::process::ExitCode;

use super::command::REFUSED;

/// `ERROR_FAILED_SERVICE_CONTROLLER_CONNECT`: the process was not started by the SCM.
const NOT_STARTED_BY_THE_SCM: i32 = 1063;

windows_service::define_windows_service!(ffi_service_main, service_main);

// The macro hands the arguments over by value.
#[allow(clippy::needless_pass_by_value)]
fn service_main(arguments: Vec<std::ffi::OsString>) {
    super::run::service_main(&arguments);
}

/// Hands this thread to the SCM, which runs [`super::run::service_main`] on a thread of its own,
/// until the service has stopped.
pub fn dispatch(name: &str) -> ExitCode {
    match windows_service::service_dispatcher::start(name, ffi_service_main) {
        Ok(()) => ExitCode::SUCCESS,
        Err(windows_service::Error::Winapi(e))
            if e.raw_os_error() == Some(NOT_STARTED_BY_THE_SCM) =>
        {
            eprintln!(
                "error: `ehlowatch service run` is for the Windows Service Control Manager, which \
                 starts the installed service (`sc start {name}`); to run the agent from a \
                 console use `ehlowatch run`"
            );
            ExitCode::from(REFUSED)
        }
        Err(e) => {
            eprintln!("error: cannot connect to the Service Control Manager: {e}");
            ExitCode::from(REFUSED)
        }
    }
}
