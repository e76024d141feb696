//! End to end on a real desktop stack (issue 4): Xvfb, a private D-Bus session, the `dunst`
//! notification daemon and a `StatusNotifierItem` tray host, with the real app binary on an
//! isolated data directory.
//!
//! - The app driven over WebDriver (tauri-driver + `WebKitWebDriver`), watching a local fake SMTP
//!   server: the window shows the monitor as Success and the tray icon is green; the server is
//!   killed → a critical "SMTP failed: …" toast reaches the notification daemon, the icon turns
//!   red and the window's row says failed; the server comes back → a low-urgency "SMTP
//!   recovered: …" toast and a green icon. Screenshots of the X screen and of the window at
//!   each stage go to the artifacts folder the test prints.
//! - `kill -9` during a settings save, again and again at different moments: the settings file
//!   always holds the old or the new settings, never a torn file, and the restarted app loads
//!   it as it is.
//!
//! Both need the headless desktop's packages (xvfb, dbus-daemon, dunst, imagemagick,
//! webkit2gtk-driver, haskell-status-notifier-item-utils; haskell-gtk-sni-tray-utils for a
//! visible tray), tauri-driver, and `fake-smtp` built next to the app binary (`cargo build -p
//! ehlowatch-testkit --bin fake-smtp`); `scripts/test` runs them.

mod desktop;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ehlowatch_app::notify::toast::{COALESCE, PER_MONITOR};
use ehlowatch_app::settings::file;
use ehlowatch_app::settings::Settings;
use serde_json::Value;

use desktop::app::{self, FakeSmtp, INTERVAL, QOS, RETRY};
use desktop::driver::WebDriver;
use desktop::notifications::{Notifications, Notify, CRITICAL, LOW};
use desktop::session::Session;
use desktop::tray::{self, Colour, Item};
use desktop::{poll, Artifacts, Clock};

/// The desktop tests share two cores with WebKit: one at a time.
static DESKTOP: Mutex<()> = Mutex::new(());

/// The monitor's name, and so the toasts' subject.
const MONITOR: &str = "local";
/// Time allowed on top of what the app's settings and rules account for.
const SLACK: Duration = Duration::from_secs(5);
/// How long the app may take to start, register its tray item and judge the first probe.
const STARTUP: Duration = Duration::from_secs(45);

const ROW_SUCCESS: &str = r#"[data-testid="monitor-row"][data-status="success"]"#;
const ROW_FAILED: &str = r#"[data-testid="monitor-row"][data-status="failed"]"#;

#[test]
#[ignore = "needs the desktop stack: run by scripts/test"]
fn a_failing_server_turns_the_tray_red_with_a_toast_and_its_recovery_green_again() {
    let _one = DESKTOP.lock().unwrap_or_else(PoisonError::into_inner);
    let clock = Clock::start();
    let artifacts = Artifacts::new("tray_toasts_window");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));

    // 1. A fresh data directory provisioning one monitor for the fake server; the desktop; the
    //    app under WebDriver.
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    let toasts = Notifications::start(&session, &artifacts).expect("dbus-monitor starts");
    let server = FakeSmtp::start(loopback(0), &artifacts, "fake-smtp-1.err")
        .expect("the fake SMTP server starts");
    clock.log(format!("fake SMTP server listens on {}", server.addr));
    let data = app::data_dir(&app::settings(MONITOR, server.addr)).expect("a data directory");
    let args = vec!["--data-dir".to_owned(), data.path().display().to_string()];
    let window = WebDriver::start(
        &session,
        &app::app_binary(),
        &args,
        &[("EHLOWATCH_DATA_DIR", data.path())],
        &artifacts,
    )
    .expect("a WebDriver session on the app's window");
    clock.log("WebDriver session open");
    let pid = poll(
        "the app's process is found",
        Duration::from_secs(10),
        Duration::from_millis(100),
        || match app::app_pids(data.path()).as_slice() {
            [pid] => Ok(*pid),
            pids => Err(format!("processes {pids:?}")),
        },
    )
    .expect("one app process");
    let item = poll(
        "the app registers its tray item",
        STARTUP,
        Duration::from_millis(100),
        || tray::find_item(&session.bus, pid),
    )
    .expect("the app's StatusNotifierItem");
    clock.log(format!(
        "app pid {pid}, tray item {} {}",
        item.service, item.path
    ));
    let mut run = Run {
        checks: Checks::new(clock),
        clock,
        session: &session,
        toasts: &toasts,
        window,
        item,
        artifacts: &artifacts,
    };

    run.success();
    let (addr, failure_toast) = run.failure(server);
    let server = run.recovery(addr, failure_toast.as_ref());
    run.quit(pid);
    drop(server);
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
    run.checks.finish();
}

#[test]
#[ignore = "needs the desktop stack: run by scripts/test"]
fn kill_9_during_a_settings_save_leaves_the_old_or_the_new_settings() {
    /// When the kill comes after the click: before the save's 300 ms debounce ends, in steps of
    /// 2 ms across the write that follows it (temporary file, fsync, rename), and after it.
    const KILL_AFTER_MS: [u64; 16] = [
        0, 100, 200, 280, 295, 300, 302, 304, 306, 308, 310, 312, 315, 320, 400, 800,
    ];

    let _one = DESKTOP.lock().unwrap_or_else(PoisonError::into_inner);
    let clock = Clock::start();
    let artifacts = Artifacts::new("kill9_settings");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    // A port nothing listens on: the monitor fails the same way every time, so its menu line
    // (and the menu ids) stay put between the reading of the menu and the click.
    let provisioned = app::settings(MONITOR, closed_port());
    let data = app::data_dir(&provisioned).expect("a data directory");
    let ctx = KillRound {
        session: &session,
        data: data.path(),
        provisioned: &provisioned,
        artifacts: &artifacts,
        clock,
    };
    let (mut old, mut new) = (0, 0);
    for (round, delay) in KILL_AFTER_MS.into_iter().enumerate() {
        if ctx.run(round, Duration::from_millis(delay)) {
            old += 1;
        } else {
            new += 1;
        }
        let strays = assert_no_corrupt_files(data.path());
        if !strays.is_empty() {
            clock.log(format!("temporary files left by the kills: {strays:?}"));
        }
    }
    ctx.last_start_then_quit();
    clock.log(format!(
        "{old} kills left the old settings, {new} the new ones; never a torn file"
    ));
    assert!(new > 0, "no kill came after a save: the test saw no write");
}

/// The WebDriver test's parts, stage by stage.
#[derive(Debug)]
struct Run<'a> {
    checks: Checks,
    clock: Clock,
    session: &'a Session,
    toasts: &'a Notifications,
    window: WebDriver,
    item: Item,
    artifacts: &'a Artifacts,
}

impl Run<'_> {
    /// Stage 2: success in the window and in the tray.
    fn success(&mut self) {
        let row = self.window.wait_for(ROW_SUCCESS, STARTUP);
        self.checks
            .check("the window shows the monitor as Success", row);
        let green = self.wait_colour(Colour::Green, STARTUP);
        self.checks.check("the tray icon is green", green);
        let counted = self.wait_menu("1 OK");
        self.checks.check("the tray menu counts 1 OK", counted);
        self.screenshots("1-success");
    }

    /// Stage 3: the server fails: a critical toast, a red icon, a failed row. Returns the server's
    /// address and the toast.
    fn failure(&mut self, server: FakeSmtp) -> (SocketAddr, Option<Notify>) {
        let addr = server.kill().expect("the fake SMTP server is killed");
        let killed = Instant::now();
        self.clock
            .log("fake SMTP server killed: connections are refused");
        let within = INTERVAL + RETRY + QOS * 2 + COALESCE + SLACK;
        let toast = self
            .toasts
            .wait_for("Notify 'SMTP failed: local'", within, |n| {
                n.summary == format!("SMTP failed: {MONITOR}")
            })
            .and_then(|n| toast_is(n, CRITICAL));
        let toast = self.checks.check(
            "a critical 'SMTP failed' toast reaches the notification daemon",
            toast,
        );
        if let Some(n) = &toast {
            self.clock.log(format!(
                "failure toast {:.1} s after the kill: {:?}",
                (n.seen - killed).as_secs_f64(),
                n.body
            ));
        }
        let red = self.wait_colour(Colour::Red, remaining(killed, within));
        self.checks.check("the tray icon is red", red);
        let row = self.window.wait_for(ROW_FAILED, remaining(killed, within));
        self.checks.check("the window's row says failed", row);
        self.screenshots("2-failed");
        (addr, toast)
    }

    /// Stage 4: the server comes back on the same port: a green icon, a success row, a low toast.
    fn recovery(&mut self, addr: SocketAddr, failure_toast: Option<&Notify>) -> FakeSmtp {
        let server = FakeSmtp::start(addr, self.artifacts, "fake-smtp-2.err")
            .expect("the fake SMTP server restarts on its port");
        let restarted = Instant::now();
        self.clock
            .log(format!("fake SMTP server back on {}", server.addr));
        let within = INTERVAL + RETRY + QOS * 2 + SLACK;
        let green = self.wait_colour(Colour::Green, within);
        self.checks.check("the tray icon is green again", green);
        let row = self
            .window
            .wait_for(ROW_SUCCESS, remaining(restarted, within));
        self.checks
            .check("the window's row says success again", row);
        // A monitor is in at most one toast a minute: the recovery waits for the failure's.
        let due = (restarted + within + COALESCE)
            .max(failure_toast.map_or(restarted, |n| n.seen) + PER_MONITOR + COALESCE)
            + SLACK;
        let toast = self
            .toasts
            .wait_for(
                "Notify 'SMTP recovered: local'",
                due.saturating_duration_since(Instant::now()),
                |n| n.summary == format!("SMTP recovered: {MONITOR}"),
            )
            .and_then(|n| toast_is(n, LOW));
        let toast = self.checks.check(
            "a low-urgency 'SMTP recovered' toast reaches the notification daemon",
            toast,
        );
        if let Some(n) = &toast {
            self.clock.log(format!(
                "recovery toast {:.1} s after the restart: {:?}",
                (n.seen - restarted).as_secs_f64(),
                n.body
            ));
        }
        self.screenshots("3-recovered");
        save_dunst_history(self.session, self.artifacts, &self.clock);
        self.clock
            .log(format!("{} Notify calls in all", self.toasts.all().len()));
        server
    }

    /// Stage 6: ending the WebDriver session ends the app.
    fn quit(&mut self, pid: u32) {
        let quit = self.window.quit();
        self.checks.check("the WebDriver session ends", quit);
        let exited = poll(
            "the app exits",
            Duration::from_secs(15),
            Duration::from_millis(50),
            || {
                if app::alive(pid) {
                    Err(format!("{pid} alive"))
                } else {
                    Ok(())
                }
            },
        );
        self.checks.check("the app process exits", exited);
    }

    /// Waits until the tray icon has `colour`.
    fn wait_colour(&self, colour: Colour, timeout: Duration) -> Result<(), String> {
        poll(
            &format!("the tray icon is {colour:?}"),
            timeout,
            Duration::from_millis(100),
            || {
                let icon = tray::icon(&self.session.bus, &self.item)?;
                if icon.colour == colour {
                    Ok(())
                } else {
                    Err(format!("{:?} ({})", icon.colour, icon.file.display()))
                }
            },
        )
    }

    /// Waits until the tray menu has a top-level line `label`.
    fn wait_menu(&self, label: &str) -> Result<(), String> {
        poll(
            &format!("the tray menu shows {label:?}"),
            Duration::from_secs(10),
            Duration::from_millis(100),
            || {
                let menu = tray::menu(&self.session.bus, &self.item)?;
                if menu.top_labels().contains(&label) {
                    Ok(())
                } else {
                    Err(menu.top_labels().join(" | "))
                }
            },
        )
    }

    /// The X screen and the window, as PNGs named after the stage.
    fn screenshots(&mut self, stage: &str) {
        let screen = self.artifacts.path(&format!("{stage}-screen.png"));
        let shot = self.session.screenshot(&screen);
        self.checks
            .check(&format!("screenshot {}", screen.display()), shot);
        let shot = self
            .window
            .screenshot()
            .and_then(|png| self.artifacts.save(&format!("{stage}-window.png"), &png));
        self.checks
            .check(&format!("window screenshot of stage {stage}"), shot);
    }
}

/// The kill -9 test's rounds.
#[derive(Debug)]
struct KillRound<'a> {
    session: &'a Session,
    data: &'a Path,
    provisioned: &'a Value,
    artifacts: &'a Artifacts,
    clock: Clock,
}

impl KillRound<'_> {
    /// Starts the app, checks it loaded the file as it is, toggles the notifications pause
    /// from the tray (a settings save) and kills the app with SIGKILL `delay` after the click.
    /// Returns true when the file kept the old settings, false when it holds the new ones;
    /// panics on anything else.
    fn run(&self, round: usize, delay: Duration) -> bool {
        let fail =
            |e: String| -> ! { panic!("round {round}, kill {delay:?} after the click: {e}") };
        let before = read_settings(self.data, self.provisioned).unwrap_or_else(|e| fail(e));
        let paused = before
            .ui
            .notifications_paused_until
            .is_some_and(|t| t > chrono::Utc::now());
        let mut app = self.start_app(&format!("app-{round}"));
        let item = self.tray_item(app.pid()).unwrap_or_else(|e| fail(e));
        // The app loaded the file as it is: its menu offers to undo what the file says.
        let path: &[&str] = if paused {
            &["Resume notifications"]
        } else {
            &["Pause notifications", "1 hour"]
        };
        self.click(&item, path).unwrap_or_else(|e| fail(e));
        let clicked = Instant::now();
        // The moment of the kill is what this test varies.
        std::thread::sleep(delay);
        app.kill_9().unwrap_or_else(|e| fail(e));
        let after = read_settings(self.data, self.provisioned).unwrap_or_else(|e| fail(e));
        let (was, is) = (
            before.ui.notifications_paused_until,
            after.ui.notifications_paused_until,
        );
        let kept = is == was;
        let changed = if paused {
            is.is_none()
        } else {
            is.is_some_and(|t| t > chrono::Utc::now())
        };
        if !kept && !changed {
            fail(format!(
                "neither the old nor the new pause: {was:?} → {is:?}"
            ));
        }
        self.clock.log(format!(
            "round {round}: {} clicked, killed {:>3} ms later ({} ms measured): the file holds \
             the {} settings",
            path.join(" › "),
            delay.as_millis(),
            clicked.elapsed().as_millis(),
            if kept { "old" } else { "new" }
        ));
        kept
    }

    /// The last file loads in a fresh app as it is; Quit from the tray ends that app.
    fn last_start_then_quit(&self) {
        let mut app = self.start_app("app-last");
        let item = self.tray_item(app.pid()).expect("the last app's tray item");
        self.click(&item, &["Quit"]).expect("Quit is clicked");
        app.wait_exit(Duration::from_secs(15))
            .expect("the app exits on Quit");
        read_settings(self.data, self.provisioned).expect("the settings after Quit");
        let _ = assert_no_corrupt_files(self.data);
    }

    /// Clicks the menu entry at `path` once the monitor's line shows its first verdict. Until
    /// then the menu is rebuilt (with new ids), and a click on a replaced id is refused: it is
    /// clicked again on a refusal.
    fn click(&self, item: &Item, path: &[&str]) -> Result<(), String> {
        poll(
            &format!("{path:?} clicked in the judged tray menu"),
            STARTUP,
            Duration::from_millis(50),
            || {
                let menu = tray::menu(&self.session.bus, item)?;
                let judged = menu.top_labels().iter().any(|l| l.starts_with("✕ "));
                match menu.find(path) {
                    Some(entry) if judged => menu.click(&self.session.bus, entry),
                    _ => Err(menu.outline()),
                }
            },
        )
    }

    fn start_app(&self, log: &str) -> desktop::Proc {
        app::spawn_app(self.session, self.data, self.artifacts, log).expect("the app starts")
    }

    fn tray_item(&self, pid: u32) -> Result<Item, String> {
        poll(
            "the app registers its tray item",
            STARTUP,
            Duration::from_millis(50),
            || tray::find_item(&self.session.bus, pid),
        )
    }
}

/// Stage checks that do not stop the test: each failure is logged and the test fails at the
/// end with all of them, so one missing piece (the window, say) does not hide the others.
#[derive(Debug)]
struct Checks {
    clock: Clock,
    failed: Vec<String>,
}

impl Checks {
    fn new(clock: Clock) -> Self {
        Self {
            clock,
            failed: Vec::new(),
        }
    }

    fn check<T>(&mut self, what: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => {
                self.clock.log(format!("ok: {what}"));
                Some(value)
            }
            Err(e) => {
                self.clock.log(format!("FAILED: {what}: {e}"));
                self.failed.push(format!("{what}: {e}"));
                None
            }
        }
    }

    fn finish(self) {
        assert!(
            self.failed.is_empty(),
            "{} check(s) failed:\n- {}",
            self.failed.len(),
            self.failed.join("\n- ")
        );
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// A loopback address nothing listens on (bound, then released).
fn closed_port() -> SocketAddr {
    TcpListener::bind(loopback(0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

/// The time left of `budget` counted from `start`.
fn remaining(start: Instant, budget: Duration) -> Duration {
    (start + budget).saturating_duration_since(Instant::now())
}

/// The toast came from the app with this urgency and names its event.
fn toast_is(n: Notify, urgency: u8) -> Result<Notify, String> {
    if n.app_name != ehlowatch_app::notify::desktop::APP_NAME {
        return Err(format!("app name {:?}", n.app_name));
    }
    if n.urgency != Some(urgency) {
        return Err(format!("urgency {:?}, not {urgency}", n.urgency));
    }
    if !n.body.contains("— event ") {
        return Err(format!("the body names no event: {:?}", n.body));
    }
    Ok(n)
}

/// What dunst itself recorded, kept with the artifacts (not checked: the bus is).
fn save_dunst_history(session: &Session, artifacts: &Artifacts, clock: &Clock) {
    let output = session
        .command("timeout")
        .args(["5", "dunstctl", "history"])
        .output();
    match output {
        Ok(out) if out.status.success() => {
            let _ = artifacts.save("dunst-history.json", &out.stdout);
        }
        Ok(out) => clock.log(format!("dunstctl history: {}", out.status)),
        Err(e) => clock.log(format!("dunstctl history: {e}")),
    }
}

/// The settings file, read and validated as the app does; the provisioned monitor must be in
/// it unchanged.
fn read_settings(dir: &Path, provisioned: &Value) -> Result<Settings, String> {
    let path = dir.join("settings.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (settings, _) = file::parse(&bytes, Some(dir)).map_err(|e| {
        format!(
            "{} is not valid settings ({e}):\n{}",
            path.display(),
            String::from_utf8_lossy(&bytes)
        )
    })?;
    let wanted = &provisioned["monitor"][0];
    let monitor = settings
        .config
        .monitors
        .first()
        .ok_or("the monitor is gone")?;
    let same = monitor.name.as_deref() == wanted["name"].as_str()
        && monitor.host.as_deref() == wanted["host"].as_str()
        && monitor.port == wanted["port"].as_i64()
        && settings.config.monitors.len() == 1;
    if same {
        Ok(settings)
    } else {
        Err(format!(
            "the monitor changed: {:?}",
            settings.config.monitors
        ))
    }
}

/// No settings file was moved aside as corrupt; returns the temporary files a kill left
/// behind (`.settings-*.tmp`, harmless: never read).
fn assert_no_corrupt_files(dir: &Path) -> Vec<String> {
    let names: Vec<String> = std::fs::read_dir(dir)
        .expect("the data directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("settings.json.corrupt-")),
        "a settings file was moved aside: {names:?}"
    );
    names
        .into_iter()
        .filter(|n| n.starts_with(".settings-"))
        .collect()
}
