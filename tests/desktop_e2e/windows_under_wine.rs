//! The Windows build of the desktop app (`ehlowatch-app.exe`, named by `EHLOWATCH_WINDOWS_APP`)
//! under Wine, on the harness's private X display inside a Wine virtual desktop, whose taskbar
//! holds the tray. A provisioned settings file has one failing and one healthy monitor: the
//! engine probes both and the history grows; the tray icon is the failed one — red, with a
//! cross — read by pixel from a screenshot; a second launch exits and leaves one instance, and
//! asks the first for its window, which Wine cannot make (no `WebView2`): the app says "window
//! unavailable" and keeps its tray and engine. Wine has no toast notifier, so the test asserts
//! that the app tried one, with the failing monitor's name, in its log, and that the app
//! registered its toast id for the user. The data directory's name is not ASCII
//! ([`DATA_NAME`]). Apart from the journey, `--autostart on|off` writes and removes the user's
//! Run key entry, read back with `wine reg query`.
//!
//! Needs the Windows build and a booted Wine prefix (`WINEPREFIX`, with the `ProcessPrng` shim):
//! `scripts/test` provides both and runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::desktop::app::{closed_port, data_dir, live_pids_where, loopback, FakeSmtp};
use crate::desktop::checks::Checks;
use crate::desktop::image::Image;
use crate::desktop::session::Session;
use crate::desktop::tray::Colour;
use crate::desktop::{one_at_a_time, poll, Artifacts, Clock, Proc};

/// The monitor whose server is down, and so the toast's subject.
const FAILING: &str = "Down MX";
/// The monitor whose server answers.
const HEALTHY: &str = "Up MX";
/// The name of the virtual desktop every program of the prefix opens in.
const DESKTOP: &str = "ehlowatch";
/// Its size: the taskbar, where the tray icons show, is at its foot.
const DESKTOP_SIZE: &str = "1024x700";
/// How long the app may take to start under Wine and probe both monitors a few times.
const PATIENCE: Duration = Duration::from_secs(60);
/// The data directory's name: French, a snowman (outside the BMP's Latin blocks) and Chinese.
const DATA_NAME: &str = "Données ☃ 数据";
/// The app's per-user toast registration (`notify::registration` in the app).
const AUMID_KEY: &str = r"HKCU\Software\Classes\AppUserModelId\org.ehlowatch.desktop";
/// The per-user Run key and the app's value in it (`autostart::windows` in the app).
const RUN_KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";
const RUN_VALUE: &str = "EHLO Watch";

/// `ehlowatch-app.exe`, named by `EHLOWATCH_WINDOWS_APP`.
fn app_exe() -> PathBuf {
    PathBuf::from(
        std::env::var_os("EHLOWATCH_WINDOWS_APP")
            .expect("EHLOWATCH_WINDOWS_APP names ehlowatch-app.exe (scripts/test sets it)"),
    )
}

#[test]
#[ignore = "needs the Windows build (EHLOWATCH_WINDOWS_APP) and a Wine prefix: scripts/test runs it"]
fn autostart_on_and_off_write_the_run_key_under_wine() {
    let _desktop = one_at_a_time();
    let clock = Clock::start();
    let mut checks = Checks::new(clock);
    let exe = app_exe();
    let windows_exe = checks
        .check("winepath gives the exe's Windows path", windows_path(&exe))
        .unwrap_or_else(|| checks.give_up("no Windows path"));
    let wanted = format!("\"{windows_exe}\" --minimized");

    checks.check(
        "--autostart on exits 0 and says what it wrote",
        switch_autostart(&exe, "on").and_then(|line| {
            if line.starts_with("autostart on") && line.contains(&wanted) {
                Ok(())
            } else {
                Err(format!("it said {line:?}"))
            }
        }),
    );
    checks.check(
        "the Run key's \"EHLO Watch\" holds the exe's quoted path and --minimized",
        reg_query(RUN_KEY, Some(RUN_VALUE)).and_then(|out| {
            out.lines()
                .find(|l| l.contains(RUN_VALUE) && l.contains("REG_SZ"))
                .filter(|l| l.trim_end().ends_with(&wanted))
                .map(drop)
                .ok_or_else(|| format!("no REG_SZ ending in {wanted} in:\n{out}"))
        }),
    );
    checks.check(
        "--autostart on again leaves one entry",
        switch_autostart(&exe, "on")
            .and_then(|_| reg_query(RUN_KEY, None))
            .and_then(|out| match out.matches(RUN_VALUE).count() {
                1 => Ok(()),
                n => Err(format!("{n} entries in:\n{out}")),
            }),
    );
    checks.check(
        "--autostart off exits 0 and says so",
        switch_autostart(&exe, "off").and_then(|line| {
            if line.starts_with("autostart off") {
                Ok(())
            } else {
                Err(format!("it said {line:?}"))
            }
        }),
    );
    checks.check(
        "the Run key no longer holds \"EHLO Watch\"",
        match reg_query(RUN_KEY, None) {
            Ok(out) if out.contains(RUN_VALUE) => Err(format!("still there:\n{out}")),
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        },
    );
    checks.check(
        "--autostart off again is no error",
        switch_autostart(&exe, "off").map(drop),
    );
    checks.finish();
}

#[test]
#[ignore = "needs the Windows build (EHLOWATCH_WINDOWS_APP) and a Wine prefix: scripts/test runs it"]
fn the_windows_app_probes_and_shows_its_tray_under_wine() {
    let _desktop = one_at_a_time();
    let clock = Clock::start();
    let artifacts = Artifacts::new("windows_under_wine");
    clock.log(format!("artifacts in {}", artifacts.dir.display()));
    let mut checks = Checks::new(clock);
    let exe = app_exe();
    let session = Session::start(&artifacts, &clock).unwrap_or_else(|e| panic!("{e}"));
    let server =
        FakeSmtp::start(loopback(0), &artifacts, "fake-smtp.log").unwrap_or_else(|e| panic!("{e}"));
    let down = closed_port();
    let root = data_dir(&json!({
        "defaults": { "qos_ms": 1000, "interval_s": 3, "retry_s": 1 },
        "alerts": { "failed_after": 1 },
        "monitor": [
            { "name": FAILING, "host": "127.0.0.1", "port": down.port() },
            { "name": HEALTHY, "host": "127.0.0.1", "port": server.addr.port() }
        ]
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let data = root.path().join(DATA_NAME);
    std::fs::create_dir(&data)
        .and_then(|()| {
            std::fs::rename(
                root.path().join("settings.json"),
                data.join("settings.json"),
            )
        })
        .unwrap_or_else(|e| panic!("{}: {e}", data.display()));

    use_one_virtual_desktop(&session).unwrap_or_else(|e| panic!("{e}"));
    let mut app =
        launch(&session, &exe, &data, &artifacts, "app").unwrap_or_else(|e| panic!("{e}"));
    // The app logs to its standard output.
    let log = artifacts.path("app.out");

    checks.check(
        "the engine probes both monitors and the history grows",
        history_grows(&data),
    );
    let shot = artifacts.path("tray.png");
    checks.check(
        "the taskbar's tray shows the failed icon: red with a white cross",
        poll("the failed icon", PATIENCE, Duration::from_secs(1), || {
            session.screenshot(&shot)?;
            failed_icon_in(&shot)
        }),
    );
    checks.check(
        "the app registered its toast id for the user: DisplayName \"EHLO Watch\", an IconUri",
        reg_query(AUMID_KEY, None).and_then(|out| {
            let value = |name: &str| {
                out.lines()
                    .find(|l| l.trim_start().starts_with(name))
                    .map(str::to_owned)
            };
            match (value("DisplayName"), value("IconUri")) {
                (Some(name), Some(_)) if name.trim_end().ends_with("EHLO Watch") => Ok(()),
                _ => Err(format!("not in:\n{out}")),
            }
        }),
    );
    checks.check(
        "the settings and the history are in the non-ASCII data directory",
        ["settings.json", "history.sqlite"]
            .iter()
            .find(|f| !data.join(f).is_file())
            .map_or(Ok(()), |f| Err(format!("no {f} in {}", data.display()))),
    );
    checks.check(
        "a toast was attempted for the failing monitor",
        in_log(&log, |l| {
            l.contains("toast not shown") && l.contains(FAILING)
        }),
    );

    let second = launch(&session, &exe, &data, &artifacts, "second");
    checks.check(
        "a second launch exits",
        second.and_then(|mut p| p.wait_exit(PATIENCE)).map(drop),
    );
    checks.check(
        "one instance is left",
        match instances(&data).len() {
            1 => Ok(()),
            n => Err(format!("{n} instances")),
        },
    );
    checks.check(
        "the window it asked for is unavailable, said so, and the app lives on",
        in_log(&log, |l| l.contains("window unavailable")).and_then(|_| {
            match app.child().try_wait() {
                Ok(None) => Ok(()),
                Ok(Some(status)) => Err(format!("the app exited: {status}")),
                Err(e) => Err(e.to_string()),
            }
        }),
    );
    checks.check("the engine still probes after that", history_grows(&data));
    drop(app);
    checks.finish();
}

/// Makes every program of the prefix open in one virtual desktop with a taskbar (where tray
/// icons show), as Wine's explorer `/desktop` does for one: the second launch must find the
/// first instance's windows in the same desktop.
fn use_one_virtual_desktop(session: &Session) -> Result<(), String> {
    for args in [
        [r"HKCU\Software\Wine\Explorer", "Desktop", DESKTOP],
        [
            r"HKCU\Software\Wine\Explorer\Desktops",
            DESKTOP,
            DESKTOP_SIZE,
        ],
    ] {
        let out = session
            .command("wine")
            .args(["reg", "add", args[0], "/v", args[1], "/d", args[2], "/f"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run wine reg: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "wine reg add {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(())
}

/// `wine ehlowatch-app.exe --data-dir DIR --minimized` on the session's display; its stdout and
/// stderr go to `<log>.out` and `<log>.err`.
fn launch(
    session: &Session,
    exe: &Path,
    data: &Path,
    artifacts: &Artifacts,
    log: &str,
) -> Result<Proc, String> {
    let mut command = session.command("wine");
    command
        .arg(exe)
        .arg("--data-dir")
        .arg(data)
        .arg("--minimized")
        // Wine converts the arguments (the data directory's name) by the locale's charset.
        .env("LC_ALL", "C.UTF-8")
        .env("EHLOWATCH_LOG", "warn,ehlowatch=info,ehlowatch_app=info")
        .stdin(Stdio::null())
        .stdout(artifacts.log_file(&format!("{log}.out")))
        .stderr(artifacts.log_file(&format!("{log}.err")));
    Proc::spawn(log, &mut command)
}

/// `wine ehlowatch-app.exe --autostart on|off`: the line it printed when it exited 0.
fn switch_autostart(exe: &Path, to: &str) -> Result<String, String> {
    let out = wine_output(Command::new("wine").arg(exe).args(["--autostart", to]))?;
    Ok(out.trim().to_owned())
}

/// `wine reg query KEY [/v VALUE]`'s output, when it exits 0.
fn reg_query(key: &str, value: Option<&str>) -> Result<String, String> {
    let mut command = Command::new("wine");
    command.args(["reg", "query", key]);
    if let Some(value) = value {
        command.args(["/v", value]);
    }
    wine_output(&mut command)
}

/// `path`'s name for Windows programs (`Z:\…`), from `winepath -w`.
fn windows_path(path: &Path) -> Result<String, String> {
    let out = wine_output(Command::new("winepath").arg("-w").arg(path))?;
    Ok(out.trim().to_owned())
}

/// Runs a Wine command with a UTF-8 locale (Wine converts arguments and output by it) and a
/// deadline; its standard output when it exits 0. Output goes through files, not pipes: a Wine
/// service the command starts would hold a pipe open long after the command ended.
fn wine_output(command: &mut Command) -> Result<String, String> {
    let what = format!("{command:?}");
    let io = |e: std::io::Error| format!("{what}: {e}");
    let stdout = tempfile::tempfile().map_err(io)?;
    let stderr = tempfile::tempfile().map_err(io)?;
    let mut child = command
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(stdout.try_clone().map_err(io)?)
        .stderr(stderr.try_clone().map_err(io)?)
        .spawn()
        .map_err(io)?;
    let status = poll(
        "the command's end",
        PATIENCE,
        Duration::from_millis(100),
        || {
            child
                .try_wait()
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "still running".to_owned())
        },
    );
    let read = |mut file: std::fs::File| {
        use std::io::{Read, Seek};
        let mut bytes = Vec::new();
        let _ = file.rewind().and_then(|()| file.read_to_end(&mut bytes));
        String::from_utf8_lossy(&bytes).into_owned()
    };
    match status {
        Ok(status) if status.success() => Ok(read(stdout)),
        Ok(status) => Err(format!(
            "{what} exited with {status}: {}{}",
            read(stdout),
            read(stderr)
        )),
        Err(e) => {
            let _ = child.kill();
            Err(format!("{what}: {e}"))
        }
    }
}

/// Waits for a line of the app's log that is `wanted`, and returns it.
fn in_log(log: &Path, wanted: impl Fn(&str) -> bool) -> Result<String, String> {
    poll(
        "the line in the app's log",
        PATIENCE,
        Duration::from_millis(250),
        || {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            text.lines()
                .find(|l| wanted(l))
                .map(str::to_owned)
                .ok_or_else(|| "not there yet".to_owned())
        },
    )
}

/// Waits until the history holds results for both monitors, then until it holds more.
fn history_grows(data: &Path) -> Result<(), String> {
    let path = data.join("history.sqlite");
    // (monitors with results, results)
    let counts = || -> Result<(i64, i64), String> {
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .map_err(|e| e.to_string())?;
        conn.query_row(
            "SELECT count(DISTINCT monitor_id), count(*) FROM results",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| e.to_string())
    };
    let (_, first) = poll(
        "results for both monitors",
        PATIENCE,
        Duration::from_millis(500),
        || match counts()? {
            (2, n) => Ok((2, n)),
            seen => Err(format!("{seen:?}")),
        },
    )?;
    poll(
        "more results",
        PATIENCE,
        Duration::from_millis(500),
        || match counts()? {
            (_, n) if n >= first + 2 => Ok(()),
            seen => Err(format!("{seen:?} after {first}")),
        },
    )
}

/// The live Wine processes of the app on `data` (Wine shows a process's Windows command line).
fn instances(data: &Path) -> Vec<u32> {
    let data = data.to_string_lossy();
    live_pids_where(|args| {
        let line = args.join(" ");
        line.contains("ehlowatch-app.exe") && line.contains(&*data)
    })
}

/// Finds the failed icon in a screenshot: the red disc's pixels, and in their bounding box a
/// white cross — light at the centre and along both diagonals, red straight above the centre
/// (where a check mark, an exclamation mark or a dash would differ).
fn failed_icon_in(png_path: &Path) -> Result<(), String> {
    let shot = Image::read(png_path)?;
    let at = |x: u32, y: u32| shot.pixel(x, y).unwrap_or([0; 4]);
    let (mut x0, mut y0, mut x1, mut y1, mut red) = (u32::MAX, u32::MAX, 0, 0, 0);
    for y in 0..shot.height {
        for x in 0..shot.width {
            if Colour::of(at(x, y)) == Colour::Red {
                red += 1;
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    if red < 20 {
        return Err(format!("{red} red pixels on the screen"));
    }
    let size = (x1 - x0).max(y1 - y0);
    if size > 64 {
        return Err(format!(
            "red spreads over {}×{} px: not one icon",
            x1 - x0,
            y1 - y0
        ));
    }
    let (cx, cy) = (f64::from(x0 + x1) / 2.0, f64::from(y0 + y1) / 2.0);
    let off = f64::from(size) * 0.17;
    let px = |x: f64, y: f64| at(x.round() as u32, y.round() as u32);
    let light = |x: f64, y: f64| px(x, y)[..3].iter().all(|&c| c >= 200);
    let cross = [
        (0.0, 0.0),
        (-off, -off),
        (off, -off),
        (-off, off),
        (off, off),
    ]
    .iter()
    .all(|&(dx, dy)| light(cx + dx, cy + dy));
    let above = px(cx, cy - off * 1.6);
    if cross && Colour::of(above) == Colour::Red {
        Ok(())
    } else {
        Err(format!(
            "a red icon at ({x0},{y0})–({x1},{y1}) without a white cross (above the centre: {above:?})"
        ))
    }
}
