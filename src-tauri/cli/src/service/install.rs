//! `ehlowatch service install` and `uninstall`. The service starts with Windows and runs as
//! `LocalService`: the built-in account with the least rights that needs no password, whose
//! network access (outbound probes, a listening port) is all the agent needs. The history's
//! folder is made writable by it; the config and the token and certificate files must be
//! readable by it (anything under `%ProgramData%` is, by default; a file in a user's profile is
//! not).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use windows_service::service::{
    Service, ServiceAccess, ServiceErrorControl, ServiceInfo, ServiceStartType, ServiceState,
    ServiceType,
};
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};

use super::command::{absolute, arguments, log_path, REFUSED};
use crate::agent::{self, Refused};
use crate::args::ServiceRunArgs;

/// The account the service runs as.
const ACCOUNT: &str = r"NT AUTHORITY\LocalService";
/// `LocalService`'s SID, as `icacls` takes it.
const ACCOUNT_SID: &str = "*S-1-5-19";
/// `ERROR_ACCESS_DENIED`.
const ACCESS_DENIED: i32 = 5;
/// `ERROR_SERVICE_DOES_NOT_EXIST`.
const NO_SUCH_SERVICE: i32 = 1060;
/// `ERROR_SERVICE_NOT_ACTIVE`.
const NOT_RUNNING: i32 = 1062;
/// `ERROR_SERVICE_EXISTS`.
const SERVICE_EXISTS: i32 = 1073;
/// How long `uninstall` waits for a running service to stop.
const STOP_PATIENCE: Duration = Duration::from_secs(60);

/// Checks the flags as the agent will, then registers the service.
pub fn install(mut args: ServiceRunArgs) -> ExitCode {
    match try_install(&mut args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refused(message)) => {
            eprintln!("{message}");
            ExitCode::from(REFUSED)
        }
    }
}

fn try_install(args: &mut ServiceRunArgs) -> Result<(), Refused> {
    let name = args.name.name.clone();
    absolute(&mut args.run).map_err(Refused)?;
    agent::preflight(&args.run)?;
    let db = args.run.db.clone().unwrap_or_default();
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Refused(format!("error: --db {}: {e}", db.display())))?;
        grant_modify(dir);
    }
    let executable_path = std::env::current_exe()
        .map_err(|e| Refused(format!("error: cannot tell where ehlowatch.exe is: {e}")))?;
    let info = ServiceInfo {
        name: name.clone().into(),
        display_name: format!("EHLO Watch agent ({name})").into(),
        service_type: ServiceType::OWN_PROCESS,
        start_type: ServiceStartType::AutoStart,
        error_control: ServiceErrorControl::Normal,
        executable_path,
        launch_arguments: arguments(args),
        dependencies: vec![],
        account_name: Some(ACCOUNT.into()),
        account_password: None,
    };
    let manager = manager(ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE)?;
    let service = manager
        .create_service(&info, ServiceAccess::CHANGE_CONFIG)
        .map_err(|e| match os_error(&e) {
            Some(SERVICE_EXISTS) => Refused(format!(
                "error: --name {name}: a service of that name is installed already; remove it \
                 first with `ehlowatch service uninstall --name {name}`"
            )),
            _ => Refused(format!(
                "error: cannot install the service {name}: {e}{}",
                hint(&e)
            )),
        })?;
    let description = format!(
        "Probes the mail servers of {} (EHLO Watch); reload with `sc control {name} paramchange`.",
        args.run.config.display()
    );
    if let Err(e) = service.set_description(description) {
        eprintln!("warning: the service's description was not set: {e}");
    }
    println!(
        "installed the service {name}: starts with Windows as LocalService; history {}, log {}\n\
         start it now with `sc start {name}`",
        db.display(),
        log_path(&db, &name).display()
    );
    Ok(())
}

/// Stops the service when it runs, then removes it.
pub fn uninstall(name: &str) -> ExitCode {
    match try_uninstall(name) {
        Ok(()) => {
            println!("removed the service {name}; its history and log are kept");
            ExitCode::SUCCESS
        }
        Err(Refused(message)) => {
            eprintln!("{message}");
            ExitCode::from(REFUSED)
        }
    }
}

fn try_uninstall(name: &str) -> Result<(), Refused> {
    let manager = manager(ServiceManagerAccess::CONNECT)?;
    let access = ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE;
    let service = manager
        .open_service(name, access)
        .map_err(|e| match os_error(&e) {
            Some(NO_SUCH_SERVICE) => Refused(format!(
                "error: --name {name}: no service of that name is installed"
            )),
            _ => Refused(format!(
                "error: cannot open the service {name}: {e}{}",
                hint(&e)
            )),
        })?;
    stop(&service, name)?;
    service.delete().map_err(|e| {
        Refused(format!(
            "error: cannot remove the service {name}: {e}{}",
            hint(&e)
        ))
    })
}

/// Asks a running service to stop and waits until it has (the history flushed).
fn stop(service: &Service, name: &str) -> Result<(), Refused> {
    let failed = |e: &windows_service::Error| {
        Refused(format!(
            "error: cannot stop the service {name}: {e}{}",
            hint(e)
        ))
    };
    let status = service.query_status().map_err(|e| failed(&e))?;
    if status.current_state == ServiceState::Stopped {
        return Ok(());
    }
    match service.stop() {
        Err(e) if os_error(&e) != Some(NOT_RUNNING) => return Err(failed(&e)),
        _ => {}
    }
    let deadline = Instant::now() + STOP_PATIENCE;
    loop {
        let status = service.query_status().map_err(|e| failed(&e))?;
        if status.current_state == ServiceState::Stopped {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(Refused(format!(
                "error: the service {name} did not stop within {STOP_PATIENCE:?} (it is {:?})",
                status.current_state
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn manager(access: ServiceManagerAccess) -> Result<ServiceManager, Refused> {
    ServiceManager::local_computer(None::<&str>, access).map_err(|e| {
        Refused(format!(
            "error: cannot open the Service Control Manager: {e}{}",
            hint(&e)
        ))
    })
}

/// Lets `LocalService` create and write the history, its journal and the log in `dir`. A failure
/// is a warning: the folder may be writable already.
fn grant_modify(dir: &std::path::Path) {
    let grant = format!("{ACCOUNT_SID}:(OI)(CI)M");
    let outcome = std::process::Command::new("icacls")
        .arg(dir)
        .args(["/grant", &grant, "/Q"])
        .output();
    match outcome {
        Ok(out) if out.status.success() => {}
        Ok(out) => eprintln!(
            "warning: icacls could not let LocalService write {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => eprintln!(
            "warning: cannot run icacls to let LocalService write {}: {e}",
            dir.display()
        ),
    }
}

fn os_error(error: &windows_service::Error) -> Option<i32> {
    match error {
        windows_service::Error::Winapi(e) => e.raw_os_error(),
        _ => None,
    }
}

/// What to do about an error, when there is something to do.
fn hint(error: &windows_service::Error) -> &'static str {
    if os_error(error) == Some(ACCESS_DENIED) {
        " (run it from an elevated prompt: Run as administrator)"
    } else {
        ""
    }
}
