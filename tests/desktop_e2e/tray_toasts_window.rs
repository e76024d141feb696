//! The first-run journey over WebDriver, light: the monitor for a fake SMTP server is added
//! through the window's editor (which first refuses a bad port at its field); success shows in
//! the window and a green tray icon; the server's death brings a critical toast, a red icon and
//! a failed row; its return a low-urgency toast, green again, and a chart that marks the
//! failure; ending the WebDriver session ends the app.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ehlowatch_app::notify::toast::{COALESCE, PER_MONITOR};

use crate::desktop::app::{self, loopback, FakeSmtp, INTERVAL, MONITOR, QOS, RETRY};
use crate::desktop::checks::Checks;
use crate::desktop::driver::WebDriver;
use crate::desktop::journey;
use crate::desktop::notifications::{
    save_dunst_history, toast_is, Notifications, Notify, CRITICAL, LOW,
};
use crate::desktop::paint::first_paint;
use crate::desktop::scheme::{scheme_is, window_shot, Scheme};
use crate::desktop::session::Session;
use crate::desktop::timing::{remaining, SLACK, STARTUP};
use crate::desktop::tray::{self, Colour, Item};
use crate::desktop::window::{
    back_to_status, input, open_detail, refused_port, row, Drawn, ROW_FAILED, ROW_SUCCESS,
    SAVE_MONITOR, UI, WELCOME,
};
use crate::desktop::{one_at_a_time, poll, Artifacts, Clock};

#[test]
#[ignore = "needs the desktop stack: run by scripts/test"]
fn a_failing_server_turns_the_tray_red_with_a_toast_and_its_recovery_green_again() {
    let _one = one_at_a_time();
    let clock = Clock::start();
    let artifacts = Artifacts::new("tray_toasts_window");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));

    // 1. An empty data directory (a first run); the desktop; the app under WebDriver.
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    let toasts = Notifications::start(&session, &artifacts).expect("dbus-monitor starts");
    let server = FakeSmtp::start(loopback(0), &artifacts, "fake-smtp-1.err")
        .expect("the fake SMTP server starts");
    clock.log(format!("fake SMTP server listens on {}", server.addr));
    let data = app::empty_data_dir().expect("a data directory");
    let (window, pid) = journey::under_webdriver(&session, data.path(), &artifacts);
    clock.log("WebDriver session open, the app's process found");
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

    run.first_run(server.addr);
    run.success();
    run.detail(
        "detail-success",
        Drawn {
            points: 1,
            failure_marks: 0,
        },
    );
    let (addr, failure_toast) = run.failure(server);
    let server = run.recovery(addr, failure_toast.as_ref());
    run.detail(
        "detail",
        Drawn {
            points: 2,
            failure_marks: 1,
        },
    );
    run.quit(pid);
    drop(server);
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
    run.checks.finish();
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
    /// Stage 1: a first run. The window welcomes the user, light; the monitor for the fake
    /// server is added through the editor, with the probe and alert settings of
    /// [`app::settings`]; the editor first refuses a bad port at its field.
    fn first_run(&mut self, server: SocketAddr) {
        let welcome = self.window.wait_for(WELCOME, STARTUP);
        self.checks
            .check("the window welcomes a first run", welcome);
        // Timing is reported, not asserted (a debug build on two shared cores): the page must
        // mark its first frame with status data.
        let paint = first_paint(&self.window).map(|paint| {
            paint.report(&self.clock, self.artifacts, Scheme::Light);
        });
        self.checks
            .check("the page marks its first frame with status data", paint);
        let light = scheme_is(&self.window, Scheme::Light);
        self.checks.check(
            "the window is light: matchMedia('(prefers-color-scheme: dark)') does not match",
            light,
        );
        self.shot("welcome");

        let host = server.ip().to_string();
        let (qos, interval, retry) = (
            QOS.as_millis().to_string(),
            INTERVAL.as_secs().to_string(),
            RETRY.as_secs().to_string(),
        );
        let fields = [
            ("name", MONITOR),
            ("host", host.as_str()),
            ("qos_ms", qos.as_str()),
            ("interval_s", interval.as_str()),
            ("retry_s", retry.as_str()),
            ("alerts.failed_after", "1"),
        ];
        let refused = refused_port(&self.window, &fields);
        if let Some(message) = self.checks.check(
            "the editor shows the refusal of port 70000 at the port field",
            refused,
        ) {
            self.clock
                .log(format!("the editor says at the port field: {message:?}"));
        }
        self.shot("editor-validation-error");
        let saved = self
            .window
            .fill(&input("port"), &server.port().to_string())
            .and_then(|()| self.window.click(SAVE_MONITOR))
            .and_then(|()| self.window.wait_for(&row(MONITOR), UI));
        if self
            .checks
            .check("the corrected monitor is saved and listed", saved)
            .is_none()
        {
            self.screenshots("add-failed");
            self.checks
                .give_up("no monitor was added through the window");
        }
    }

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

    /// The monitor's detail with its chart of the last hour drawn with `at_least`; a window
    /// screenshot `shot`; back to the status view.
    fn detail(&mut self, shot: &str, at_least: Drawn) {
        let drawn = open_detail(&self.window, MONITOR, at_least);
        if let Some(drawn) = self.checks.check(
            &format!("the detail draws the latency chart with at least {at_least:?}"),
            drawn,
        ) {
            self.clock
                .log(format!("the chart of the last hour: {drawn:?}"));
        }
        self.shot(shot);
        let back = back_to_status(&self.window);
        self.checks.check("back to the status view", back);
    }

    /// Stage 6: ending the WebDriver session ends the app.
    fn quit(&mut self, pid: u32) {
        journey::quit(&mut self.checks, &mut self.window, pid);
    }

    /// Waits until the tray icon has `colour`.
    fn wait_colour(&self, colour: Colour, timeout: Duration) -> Result<(), String> {
        tray::wait_colour(&self.session.bus, &self.item, colour, timeout)
    }

    /// Waits until the tray menu has a top-level line `label`.
    fn wait_menu(&self, label: &str) -> Result<(), String> {
        tray::wait_menu(&self.session.bus, &self.item, label)
    }

    /// The X screen and the window, as PNGs named after the stage.
    fn screenshots(&mut self, stage: &str) {
        journey::screen(&mut self.checks, self.session, self.artifacts, stage);
        self.shot(&format!("{stage}-window"));
    }

    /// The window, as `<name>-light.png`.
    fn shot(&mut self, name: &str) {
        let shot = window_shot(&self.window, self.artifacts, name, Scheme::Light);
        self.checks
            .check(&format!("window screenshot {name}"), shot);
    }
}
