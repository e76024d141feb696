//! `ehlowatch service`. On Windows (run under Wine in CI: Wine's services.exe is the SCM) the
//! agent's whole life as a service: `service install`, a start through the SCM, its API
//! answering, paramchange reloading an edited config, a stop reaching Stopped with the history
//! flushed, `service uninstall` removing it; a config broken after install stopping it with exit
//! code 3; and `service run` typed in a console refused. Elsewhere the command is refused,
//! pointing at the systemd and launchd units.

mod agent_support;

#[cfg(not(windows))]
#[test]
fn service_is_refused_outside_windows_naming_the_units_to_use() {
    use std::time::Duration;

    for args in [
        &["service", "install", "--config", "agent.toml"][..],
        &["service"][..],
        &["service", "--help"][..],
    ] {
        let out = assert_cmd::Command::cargo_bin("ehlowatch")
            .expect("the ehlowatch binary")
            .args(args)
            .timeout(Duration::from_secs(20))
            .output()
            .expect("run ehlowatch");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        for needle in [
            "works on Windows only",
            "ehlowatch run",
            "systemd",
            "launchd",
        ] {
            assert!(
                stderr.contains(needle),
                "{args:?}: no {needle:?} in {stderr}"
            );
        }
    }
}

#[cfg(windows)]
mod windows {
    use std::path::Path;
    use std::time::Duration;

    use ehlowatch_engine::{HistoryStore, MonitorId, Verdict};
    use ehlowatch_testkit::{FakeSmtp, Script};
    use serde_json::Value;
    use windows_service::service::{Service, ServiceAccess, ServiceExitCode, ServiceState};
    use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};

    use super::agent_support::{
        all_judged, config, eventually, http, monitor, when_monitors, PATIENCE,
    };

    /// `ERROR_SERVICE_DOES_NOT_EXIST`.
    const NO_SUCH_SERVICE: i32 = 1060;
    /// `ERROR_SERVICE_DATABASE_LOCKED`: another service is starting.
    const DATABASE_LOCKED: i32 = 1055;
    /// Held by each test for its whole run. Under Wine a process that calls
    /// `StartServiceCtrlDispatcher` while the SCM starts a service can connect in that service's
    /// place (Windows checks the process; Wine takes the first caller): the console refusal and
    /// the service starts must not overlap.
    static SCM: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    /// How long the SCM may refuse starts while it starts other services: in a freshly booted
    /// Wine prefix it spends a minute or more timing out its own auto-start drivers.
    const SCM_BUSY: Duration = Duration::from_secs(240);

    fn ehlowatch(args: &[&str]) -> (i32, String, String) {
        let out = assert_cmd::Command::cargo_bin("ehlowatch")
            .expect("the ehlowatch binary")
            .args(args)
            .timeout(PATIENCE)
            .output()
            .expect("run ehlowatch");
        (
            out.status.code().expect("an exit code"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `ehlowatch service install` of `name` with this config and history, listening on a free
    /// loopback port.
    fn install(name: &str, config: &Path, db: &Path) -> (i32, String, String) {
        ehlowatch(&[
            "service",
            "install",
            "--name",
            name,
            "--config",
            config.to_str().expect("UTF-8"),
            "--db",
            db.to_str().expect("UTF-8"),
            "--listen",
            "127.0.0.1:0",
        ])
    }

    fn manager() -> ServiceManager {
        ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
            .expect("connect to the SCM")
    }

    fn open(name: &str) -> Service {
        let access = ServiceAccess::QUERY_STATUS
            | ServiceAccess::START
            | ServiceAccess::STOP
            | ServiceAccess::PAUSE_CONTINUE;
        manager()
            .open_service(name, access)
            .expect("open the service")
    }

    /// Sends `SERVICE_CONTROL_PARAMCHANGE`: Wine's sc.exe has no `control` command and the
    /// windows-service crate sends only stop, pause, continue and user-defined codes.
    #[allow(unsafe_code)]
    fn paramchange(service: &Service) {
        use windows_sys::Win32::System::Services::{
            ControlService, SERVICE_CONTROL_PARAMCHANGE, SERVICE_STATUS,
        };
        let mut status = SERVICE_STATUS {
            dwServiceType: 0,
            dwCurrentState: 0,
            dwControlsAccepted: 0,
            dwWin32ExitCode: 0,
            dwServiceSpecificExitCode: 0,
            dwCheckPoint: 0,
            dwWaitHint: 0,
        };
        // SAFETY: the handle is an open service handle with SERVICE_PAUSE_CONTINUE access (which
        // paramchange needs), owned by `service` for the whole call; `status` is a live, writable
        // SERVICE_STATUS the call fills in.
        let sent = unsafe {
            ControlService(
                service.raw_handle(),
                SERVICE_CONTROL_PARAMCHANGE,
                &raw mut status,
            )
        };
        assert_ne!(
            sent,
            0,
            "ControlService(PARAMCHANGE): {}",
            std::io::Error::last_os_error()
        );
    }

    /// `StartService`, retried while the SCM is busy starting other services; the SCM's answer.
    async fn start(service: &Service) -> Result<(), windows_service::Error> {
        eventually("the SCM takes a start", SCM_BUSY, || async {
            match service.start::<&str>(&[]) {
                Err(windows_service::Error::Winapi(e))
                    if e.raw_os_error() == Some(DATABASE_LOCKED) =>
                {
                    Err(e.to_string())
                }
                answer => Ok(answer),
            }
        })
        .await
    }

    async fn state_when(service: &Service, wanted: ServiceState) -> ServiceExitCode {
        eventually(&format!("the service {wanted:?}"), PATIENCE, || async {
            let status = service.query_status().map_err(|e| e.to_string())?;
            if status.current_state == wanted {
                Ok(status.exit_code)
            } else {
                Err(format!("{:?}", status.current_state))
            }
        })
        .await
    }

    /// The address the service logged it listens on (`--listen 127.0.0.1:0`).
    async fn listening_on(log: &Path) -> std::net::SocketAddr {
        let pattern = regex::Regex::new(r"agent started .*listen=(127\.0\.0\.1:\d+)")
            .expect("a valid pattern");
        eventually("the service logs its address", PATIENCE, || async {
            let text = std::fs::read_to_string(log).map_err(|e| e.to_string())?;
            pattern
                .captures(&text)
                .map(|found| found[1].parse().expect("a socket address"))
                .ok_or(text)
        })
        .await
    }

    async fn status_when(
        addr: std::net::SocketAddr,
        what: &str,
        done: impl Fn(&[Value]) -> bool,
    ) -> Value {
        eventually(what, PATIENCE, || async {
            when_monitors(http::get(addr, "/api/status", &[]).await?.json(), &done)
        })
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_agent_runs_as_a_service_reloads_on_paramchange_and_stops_flushed() {
        let _scm = SCM.lock().await;
        let healthy = FakeSmtp::start(Script::healthy()).await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let config_path = dir.path().join("agent.toml");
        std::fs::write(&config_path, config(&[("first", healthy.port())])).expect("config");
        let name = format!("ehlowatch-test-{}", std::process::id());
        let db = dir.path().join("history.sqlite");
        let (code, stdout, stderr) = install(&name, &config_path, &db);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(stdout.contains(&format!("sc start {name}")), "{stdout}");

        let service = open(&name);
        start(&service).await.expect("start the service");
        state_when(&service, ServiceState::Running).await;
        let addr = listening_on(&dir.path().join(format!("{name}.log"))).await;
        eventually("/healthz answers 200", PATIENCE, || async {
            let response = http::get(addr, "/healthz", &[]).await?;
            if response.status == 200 {
                Ok(())
            } else {
                Err(format!("{response:?}"))
            }
        })
        .await;
        let before = status_when(addr, "the first monitor judged", all_judged).await;
        assert_eq!(monitor(&before, "first")["status"], "success", "{before}");

        let both = [("first", healthy.port()), ("second", healthy.port())];
        std::fs::write(&config_path, config(&both)).expect("rewrite the config");
        paramchange(&service);
        let after = status_when(addr, "the added monitor judged", |ms| {
            ms.len() == 2 && all_judged(ms)
        })
        .await;
        assert_eq!(monitor(&after, "second")["status"], "success", "{after}");

        service.stop().expect("stop the service");
        let exit = state_when(&service, ServiceState::Stopped).await;
        assert_eq!(exit, ServiceExitCode::NO_ERROR);
        let log = std::fs::read_to_string(dir.path().join(format!("{name}.log"))).expect("log");
        for needle in ["config reloaded", "stopping: flushing history", "stopped"] {
            assert!(log.contains(needle), "no {needle:?} in the log:\n{log}");
        }
        let (store, _) = HistoryStore::open(&db).expect("open the history");
        for name in ["first", "second"] {
            let results = store
                .queries()
                .recent_results(&MonitorId(name.to_owned()), 1_000)
                .expect("read results");
            assert!(
                results.iter().any(|r| r.verdict == Verdict::Success),
                "{name}: no success stored among {results:?}"
            );
        }
        drop(store);
        drop(service);

        let (code, stdout, stderr) = ehlowatch(&["service", "uninstall", "--name", &name]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        eventually("the service is gone", PATIENCE, || async {
            match manager().open_service(&name, ServiceAccess::QUERY_STATUS) {
                Err(windows_service::Error::Winapi(e))
                    if e.raw_os_error() == Some(NO_SUCH_SERVICE) =>
                {
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
                Ok(_) => Err("still installed".to_owned()),
            }
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_config_error_at_start_stops_the_service_with_exit_code_3_logged() {
        let _scm = SCM.lock().await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let config_path = dir.path().join("agent.toml");
        std::fs::write(&config_path, config(&[("first", 25)])).expect("config");
        let name = format!("ehlowatch-bad-{}", std::process::id());
        let db = dir.path().join("history.sqlite");
        let (code, stdout, stderr) = install(&name, &config_path, &db);
        assert_eq!(code, 0, "{stdout}{stderr}");
        // Broken after the install checked it.
        std::fs::write(&config_path, "[[monitor]]\nname = 'x'\nport = 70000\n").expect("break");
        let service = open(&name);
        // The SCM may answer the start before the service gives up, or after (with an error).
        let _ = start(&service).await;
        let exit = state_when(&service, ServiceState::Stopped).await;
        assert_eq!(exit, ServiceExitCode::ServiceSpecific(3));
        let log = std::fs::read_to_string(dir.path().join(format!("{name}.log"))).expect("log");
        assert!(
            log.contains("the service cannot start") && log.contains("monitor[0].port"),
            "{log}"
        );
        drop(service);
        let (code, stdout, stderr) = ehlowatch(&["service", "uninstall", "--name", &name]);
        assert_eq!(code, 0, "{stdout}{stderr}");
    }

    #[test]
    fn service_run_from_a_console_is_refused_pointing_at_run() {
        let _scm = SCM.blocking_lock();
        let (code, _, stderr) = ehlowatch(&["service", "run", "--config", "agent.toml"]);
        assert_eq!(code, 3, "{stderr}");
        assert!(
            stderr.contains("Service Control Manager") && stderr.contains("ehlowatch run"),
            "{stderr}"
        );
    }
}
