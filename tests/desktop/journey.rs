//! The steps every WebDriver journey takes: the app started under WebDriver on a data
//! directory, the X screen saved, and the end (the WebDriver session ends, the app exits).

use std::path::Path;
use std::time::Duration;

use super::app;
use super::checks::Checks;
use super::driver::WebDriver;
use super::session::Session;
use super::{poll, Artifacts};

/// The app on the data directory `data`, under WebDriver, and its one process.
pub fn under_webdriver(session: &Session, data: &Path, artifacts: &Artifacts) -> (WebDriver, u32) {
    let args = vec!["--data-dir".to_owned(), data.display().to_string()];
    let window = WebDriver::start(
        session,
        &app::app_binary(),
        &args,
        &[("EHLOWATCH_DATA_DIR", data.as_os_str())],
        artifacts,
    )
    .expect("a WebDriver session on the app's window");
    let pid = poll(
        "the app's process is found",
        Duration::from_secs(10),
        Duration::from_millis(100),
        || match app::app_pids(data).as_slice() {
            [pid] => Ok(*pid),
            pids => Err(format!("processes {pids:?}")),
        },
    )
    .expect("one app process");
    (window, pid)
}

/// Ends the WebDriver session, which ends the app `pid`: both checked.
pub fn quit(checks: &mut Checks, window: &mut WebDriver, pid: u32) {
    let quit = window.quit();
    checks.check("the WebDriver session ends", quit);
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
    checks.check("the app process exits", exited);
}

/// The X screen as `<stage>-screen.png`.
pub fn screen(checks: &mut Checks, session: &Session, artifacts: &Artifacts, stage: &str) {
    let screen = artifacts.path(&format!("{stage}-screen.png"));
    let shot = session.screenshot(&screen);
    checks.check(&format!("screenshot {}", screen.display()), shot);
}
