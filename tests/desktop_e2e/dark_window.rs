//! The window under a dark GTK theme (`GTK_THEME=Adwaita:dark`, which WebKit passes on as
//! `prefers-color-scheme: dark`), on an app that already has a monitor: the status view (with
//! its paint timing, at start and on a reload), the detail's chart and the editor's refusal of a
//! bad port, each as a screenshot.

use std::ffi::OsStr;

use crate::desktop::app::{self, loopback, FakeSmtp, MONITOR};
use crate::desktop::driver::WebDriver;
use crate::desktop::paint::first_paint;
use crate::desktop::scheme::{scheme_is, window_shot, Scheme};
use crate::desktop::session::Session;
use crate::desktop::timing::STARTUP;
use crate::desktop::window::{back_to_status, open_detail, refused_port, Drawn, ROW_SUCCESS};
use crate::desktop::{one_at_a_time, Artifacts, Clock};

#[test]
#[ignore = "needs the desktop stack: run by scripts/test"]
fn the_window_follows_a_dark_desktop_theme() {
    let _one = one_at_a_time();
    let clock = Clock::start();
    let artifacts = Artifacts::new("dark_window");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    let server = FakeSmtp::start(loopback(0), &artifacts, "fake-smtp.err")
        .expect("the fake SMTP server starts");
    let data = app::data_dir(&app::settings(MONITOR, server.addr)).expect("a data directory");
    let args = vec!["--data-dir".to_owned(), data.path().display().to_string()];
    let mut window = WebDriver::start(
        &session,
        &app::app_binary(),
        &args,
        &[
            ("EHLOWATCH_DATA_DIR", data.path().as_os_str()),
            ("GTK_THEME", OsStr::new("Adwaita:dark")),
        ],
        &artifacts,
    )
    .expect("a WebDriver session on the app's window");
    clock.log("WebDriver session open (GTK_THEME=Adwaita:dark)");
    let shot = |name: &str| {
        let path = window_shot(&window, &artifacts, name, Scheme::Dark)
            .unwrap_or_else(|e| panic!("window screenshot {name}: {e}"));
        clock.log(format!("window screenshot {}", path.display()));
    };

    window
        .wait_for(ROW_SUCCESS, STARTUP)
        .expect("the window shows the monitor as Success");
    clock.log("ok: the window shows the monitor as Success");
    scheme_is(&window, Scheme::Dark).expect("the window is dark");
    clock.log("ok: matchMedia('(prefers-color-scheme: dark)') matches");
    let paint = first_paint(&window).expect("the page's paint timing");
    clock.log("the window opened with the app (its engine still starting):");
    paint.report(&clock, &artifacts, Scheme::Dark);
    shot("status");
    // The case a user meets: the app has been running, the window opens on it.
    window
        .execute("setTimeout(() => location.reload(), 0); return null;")
        .expect("the page reloads");
    window
        .wait_for(ROW_SUCCESS, STARTUP)
        .expect("the reloaded window shows the monitor as Success");
    let paint = first_paint(&window).expect("the reloaded page's paint timing");
    clock.log("the window opened on the running app:");
    paint.report(&clock, &artifacts, Scheme::Dark);

    let drawn = open_detail(
        &window,
        MONITOR,
        Drawn {
            points: 2,
            failure_marks: 0,
        },
    )
    .expect("the detail draws the latency chart");
    clock.log(format!(
        "ok: the detail's chart of the last hour: {drawn:?}"
    ));
    shot("detail");
    back_to_status(&window).expect("back to the status view");

    let refused = refused_port(&window, &[("name", "second"), ("host", "127.0.0.1")])
        .expect("the editor shows the refusal of port 70000 at its field");
    clock.log(format!(
        "ok: the editor says at the port field: {refused:?}"
    ));
    shot("editor-validation-error");

    window.quit().expect("the WebDriver session ends");
    drop(server);
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
}
