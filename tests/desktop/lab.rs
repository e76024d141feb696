//! The desktop in front of a network lab (`ehlowatch_testkit::netns`): the app — alone, or under
//! tauri-driver and `WebKitWebDriver` — runs in the lab's client namespace (`ip netns exec`
//! execs it, so the process is the program's own, with the session's environment), while the
//! desktop it shows on (Xvfb, the session bus, dunst, the tray host) stays where the test is.
//! The WebDriver ports on the client's loopback are reached through the lab's relay.

use std::ffi::OsStr;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Command, Stdio};

use ehlowatch_testkit::netns::{Lab, Side};

use super::app::app_binary;
use super::driver::{Place, WebDriver};
use super::session::Session;
use super::timing::STARTUP;
use super::window::{ROWS, ROW_SUCCESS};
use super::{Artifacts, Proc};

/// What the app logs in a lab: the engine's steps too.
pub const APP_LOG: &str = "warn,ehlowatch=info,ehlowatch_app=info,ehlowatch_engine=info";

/// A command running `program` in the lab's client namespace, with the session's environment.
pub fn client_command(session: &Session, lab: &Lab, program: &Path) -> Command {
    let mut command = session.command("ip");
    command
        .args(["netns", "exec", lab.ns(Side::Client)])
        .arg(program);
    command
}

/// Starts the app (in the tray, no window) in the lab's client namespace on `data`; its output
/// goes to `<log>.out` and `<log>.err` in the artifacts.
pub fn spawn_app(
    session: &Session,
    lab: &Lab,
    data: &Path,
    artifacts: &Artifacts,
    log: &str,
) -> Result<Proc, String> {
    let mut command = client_command(session, lab, &app_binary());
    command
        .arg("--data-dir")
        .arg(data)
        .env("EHLOWATCH_LOG", APP_LOG)
        .stdin(Stdio::null())
        .stdout(artifacts.log_file(&format!("{log}.out")))
        .stderr(artifacts.log_file(&format!("{log}.err")));
    Proc::spawn("ehlowatch-app in the lab", &mut command)
}

/// The window of the app run by tauri-driver in the lab's client namespace on `data`, the first
/// monitor's detail open once its row shows Success.
pub fn window_with_detail(
    lab: &mut Lab,
    session: &Session,
    data: &Path,
    artifacts: &Artifacts,
) -> WebDriver {
    let args = vec!["--data-dir".to_owned(), data.display().to_string()];
    let window = WebDriver::start_in(
        &mut InLab(lab),
        session,
        &app_binary(),
        &args,
        &[
            ("EHLOWATCH_DATA_DIR", data.as_os_str()),
            ("EHLOWATCH_LOG", OsStr::new(APP_LOG)),
        ],
        artifacts,
    )
    .expect("a WebDriver session on the app's window, in the lab");
    window
        .wait_for(ROW_SUCCESS, STARTUP)
        .expect("the monitor's row shows Success");
    window
        .click(&format!(r#"{ROWS} [data-testid="open-detail"]"#))
        .expect("the monitor's detail opens");
    window
}

/// tauri-driver in the lab's client namespace, reached through the lab's relay.
#[derive(Debug)]
pub struct InLab<'a>(pub &'a mut Lab);

impl Place for InLab<'_> {
    fn command(&self, session: &Session, program: &Path) -> Command {
        client_command(session, self.0, program)
    }

    fn wait_listening(&self, port: u16) -> Result<(), String> {
        // Panics, saying what, after its own deadline.
        self.0
            .wait_listening(Side::Client, SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        Ok(())
    }

    fn reach(&mut self, port: u16) -> SocketAddr {
        self.0.forward_to_client(port)
    }
}
