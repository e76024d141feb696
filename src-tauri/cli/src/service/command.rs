//! The service's command line and files: the flags of `ehlowatch run` made absolute (a service
//! starts in `System32`, so a relative path would name a file there) and forwarded after
//! `service run --name NAME`; its history by default in `%ProgramData%\ehlowatch`, its log
//! `<NAME>.log` beside the history.

// The functions serve the Windows service; the tests run everywhere.
#![cfg_attr(not(windows), allow(dead_code))]

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::args::{RunArgs, ServiceRunArgs};

/// The exit code of a refused command, and the service-specific exit code the SCM shows when the
/// agent could not start (as `ehlowatch run` exits 3).
pub const REFUSED: u8 = 3;

/// The service's history when `--db` is not given: `%ProgramData%\ehlowatch\history.sqlite`.
pub fn default_db() -> PathBuf {
    let program_data = std::env::var_os("ProgramData")
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
    program_data.join("ehlowatch").join("history.sqlite")
}

/// The service's log: `<NAME>.log` in the history's folder.
pub fn log_path(db: &Path, name: &str) -> PathBuf {
    db.parent()
        .unwrap_or_else(|| Path::new("."))
        .join(format!("{name}.log"))
}

/// Makes every path of `run` absolute (against the working directory) and gives `--db` its
/// service default; the error names the flag.
pub fn absolute(run: &mut RunArgs) -> Result<(), String> {
    let make = |flag: &str, path: &mut PathBuf| {
        *path = std::path::absolute(&*path)
            .map_err(|e| format!("error: {flag} {}: {e}", path.display()))?;
        Ok::<_, String>(())
    };
    make("--config", &mut run.config)?;
    let mut db = run.db.take().unwrap_or_else(default_db);
    make("--db", &mut db)?;
    run.db = Some(db);
    for (flag, path) in [
        ("--tls-cert", &mut run.tls_cert),
        ("--tls-key", &mut run.tls_key),
        ("--token-file", &mut run.token_file),
        ("--control-token-file", &mut run.control_token_file),
    ] {
        if let Some(path) = path {
            make(flag, path)?;
        }
    }
    Ok(())
}

/// The arguments after the executable: `service run --name NAME` and every flag of `run` given.
pub fn arguments(args: &ServiceRunArgs) -> Vec<OsString> {
    // Spelled out field by field: a flag added to `run` fails to compile here until forwarded.
    let RunArgs {
        config,
        db,
        listen,
        tls_cert,
        tls_key,
        token_file,
        control_token_file,
        metrics_auth,
        allow_plain_http,
    } = &args.run;
    let mut out: Vec<OsString> = ["service", "run", "--name", args.name.name.as_str()]
        .into_iter()
        .map(OsString::from)
        .collect();
    let mut path = |flag: &str, value: Option<&PathBuf>| {
        if let Some(value) = value {
            out.push(flag.into());
            out.push(value.into());
        }
    };
    path("--config", Some(config));
    path("--db", db.as_ref());
    path("--tls-cert", tls_cert.as_ref());
    path("--tls-key", tls_key.as_ref());
    path("--token-file", token_file.as_ref());
    path("--control-token-file", control_token_file.as_ref());
    out.push("--listen".into());
    out.push(listen.to_string().into());
    for (flag, on) in [
        ("--metrics-auth", *metrics_auth),
        ("--allow-plain-http", *allow_plain_http),
    ] {
        if on {
            out.push(flag.into());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{absolute, arguments};
    use crate::args::{Cli, Command, ServiceCommand, ServiceRunArgs};

    fn parse(line: &[&str]) -> ServiceRunArgs {
        match Cli::try_parse_from(line).expect("parses").command {
            Command::Service(ServiceCommand::Install(args) | ServiceCommand::Run(args)) => args,
            other => panic!("not a service command: {other:?}"),
        }
    }

    #[test]
    fn the_installed_command_line_forwards_every_flag_with_absolute_paths() {
        let mut args = parse(&[
            "ehlowatch",
            "service",
            "install",
            "--name",
            "watch-2",
            "--config",
            "agent.toml",
            "--listen",
            "0.0.0.0:9925",
            "--tls-cert",
            "cert.pem",
            "--tls-key",
            "key.pem",
            "--token-file",
            "read.token",
            "--control-token-file",
            "control.token",
            "--metrics-auth",
        ]);
        absolute(&mut args.run).expect("absolute paths");
        let mut line = vec!["ehlowatch".into()];
        line.extend(arguments(&args));
        let again = parse(
            &line
                .iter()
                .map(|a: &std::ffi::OsString| a.to_str().expect("UTF-8"))
                .collect::<Vec<_>>(),
        );
        assert_eq!(format!("{again:?}"), format!("{args:?}"));
        let here = std::env::current_dir().expect("a working directory");
        assert_eq!(again.run.config, here.join("agent.toml"));
        assert_eq!(again.run.tls_key, Some(here.join("key.pem")));
        assert!(again
            .run
            .db
            .as_deref()
            .is_some_and(std::path::Path::is_absolute));
        assert_eq!(again.name.name, "watch-2");
        assert!(again.run.metrics_auth && !again.run.allow_plain_http);
    }
}
