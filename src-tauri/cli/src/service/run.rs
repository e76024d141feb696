//! `ehlowatch service run`, under the SCM: connects to the SCM (`StartServiceCtrlDispatcher`), then
//! on the service's thread registers a control handler and runs the agent, reporting each state
//! the SCM waits for — `StartPending`, `Running` once it serves, `StopPending` (with a wait hint) as soon
//! as Stop or Shutdown arrives, `Stopped` once the history is flushed, or `Stopped` with the
//! service-specific exit code [`REFUSED`] when the agent cannot start. Paramchange reloads the
//! config and the TLS certificate as SIGHUP does on Unix. With no console, the log is appended to
//! `<NAME>.log` beside the history.

use std::ffi::OsString;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use clap::Parser;
use tokio::sync::mpsc;
use windows_service::service::{
    ServiceControl, ServiceControlAccept, ServiceExitCode, ServiceState, ServiceStatus, ServiceType,
};
use windows_service::service_control_handler::{
    self, ServiceControlHandlerResult, ServiceStatusHandle,
};

use super::command::{default_db, log_path, REFUSED};
use crate::agent::{self, Controls, Refused, Signal};
use crate::args::{Cli, Command, ServiceCommand, ServiceRunArgs};

/// How long the SCM should wait for the next report while starting or stopping.
const PENDING_HINT: Duration = Duration::from_secs(30);

/// The service's life, on the thread the SCM started.
pub fn service_main(_start_arguments: &[OsString]) {
    // The SCM passes `sc start`'s arguments only; the flags are on the command line it ran, which
    // `main` parsed already (so this cannot fail).
    let Ok(Cli {
        command: Command::Service(ServiceCommand::Run(args)),
    }) = Cli::try_parse_from(std::env::args_os())
    else {
        return;
    };
    let (forward, controls) = mpsc::unbounded_channel();
    let status: Arc<OnceLock<ServiceStatusHandle>> = Arc::default();
    let handler = {
        let status = status.clone();
        move |control| match control {
            ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
            ServiceControl::Stop | ServiceControl::Shutdown => {
                if let Some(handle) = status.get() {
                    report(
                        *handle,
                        ServiceState::StopPending,
                        ServiceExitCode::NO_ERROR,
                    );
                }
                let _ = forward.send(Signal::Stop);
                ServiceControlHandlerResult::NoError
            }
            ServiceControl::ParamChange => {
                let _ = forward.send(Signal::Reload);
                ServiceControlHandlerResult::NoError
            }
            _ => ServiceControlHandlerResult::NotImplemented,
        }
    };
    let Ok(handle) = service_control_handler::register(&args.name.name, handler) else {
        return;
    };
    let handle = *status.get_or_init(|| handle);
    report(
        handle,
        ServiceState::StartPending,
        ServiceExitCode::NO_ERROR,
    );
    let exit = match run_agent(args, Controls::Forwarded(controls), handle) {
        Ok(()) => ServiceExitCode::NO_ERROR,
        Err(Refused(message)) => {
            for line in message.lines() {
                tracing::error!("the service cannot start: {line}");
            }
            ServiceExitCode::ServiceSpecific(u32::from(REFUSED))
        }
    };
    report(handle, ServiceState::Stopped, exit);
}

/// Opens the log, then runs the agent until a stop control.
fn run_agent(
    mut args: ServiceRunArgs,
    controls: Controls,
    handle: ServiceStatusHandle,
) -> Result<(), Refused> {
    let db = args.run.db.take().unwrap_or_else(default_db);
    let log = log_path(&db, &args.name.name);
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Refused(format!("error: --db {}: {e}", db.display())))?;
    }
    agent::init_log_file(&log)
        .map_err(|e| Refused(format!("error: the log {}: {e}", log.display())))?;
    args.run.db = Some(db);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Refused(format!("error: cannot start the async runtime: {e}")))?;
    runtime.block_on(agent::serve(&args.run, controls, || {
        report(handle, ServiceState::Running, ServiceExitCode::NO_ERROR);
    }))
}

/// Tells the SCM the service's state; a pending state asks it to wait [`PENDING_HINT`].
fn report(handle: ServiceStatusHandle, state: ServiceState, exit_code: ServiceExitCode) {
    let pending = matches!(
        state,
        ServiceState::StartPending | ServiceState::StopPending
    );
    let controls_accepted = if state == ServiceState::Running {
        ServiceControlAccept::STOP
            | ServiceControlAccept::SHUTDOWN
            | ServiceControlAccept::PARAM_CHANGE
    } else {
        ServiceControlAccept::empty()
    };
    let status = ServiceStatus {
        service_type: ServiceType::OWN_PROCESS,
        current_state: state,
        controls_accepted,
        exit_code,
        checkpoint: u32::from(pending),
        wait_hint: if pending {
            PENDING_HINT
        } else {
            Duration::ZERO
        },
        process_id: None,
    };
    if let Err(e) = handle.set_service_status(status) {
        tracing::warn!(state = ?state, "cannot report the service's state to the SCM: {e}");
    }
}
