//! `kill -9` during a settings save, again and again at different moments around the save's
//! write: the settings file always holds the old or the new settings, never a torn file, and the
//! restarted app loads it as it is; a last app ends on the tray's Quit.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::desktop::app::{self, closed_port, MONITOR};
use crate::desktop::session::Session;
use crate::desktop::settings_file::{assert_no_corrupt_files, read_settings};
use crate::desktop::timing::STARTUP;
use crate::desktop::tray::{self, Item};
use crate::desktop::{one_at_a_time, Artifacts, Clock, Proc};

#[test]
#[ignore = "needs the desktop stack: run by scripts/test"]
fn kill_9_during_a_settings_save_leaves_the_old_or_the_new_settings() {
    /// When the kill comes after the click, in µs: the save writes at once, within about 2 ms,
    /// so in steps of 0.1 ms across the write (temporary file, fsync, rename), then after it.
    const KILL_AFTER_US: [u64; 16] = [
        0, 100, 200, 300, 400, 500, 600, 700, 800, 1_000, 1_200, 1_500, 2_000, 3_000, 10_000,
        800_000,
    ];

    let _one = one_at_a_time();
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
    for (round, delay) in KILL_AFTER_US.into_iter().enumerate() {
        if ctx.run(round, Duration::from_micros(delay)) {
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
            "round {round}: {} clicked, killed {:>6} µs later ({} ms measured): the file holds \
             the {} settings",
            path.join(" › "),
            delay.as_micros(),
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

    /// Clicks the menu entry at `path` once the monitor's line shows its first verdict (until
    /// then the menu is rebuilt at each change).
    fn click(&self, item: &Item, path: &[&str]) -> Result<(), String> {
        let judged = |menu: &tray::Menu| menu.top_labels().iter().any(|l| l.starts_with("✕ "));
        tray::click(&self.session.bus, item, path, judged, STARTUP)
    }

    fn start_app(&self, log: &str) -> Proc {
        app::spawn_app(self.session, self.data, self.artifacts, log).expect("the app starts")
    }

    fn tray_item(&self, pid: u32) -> Result<Item, String> {
        tray::wait_item(&self.session.bus, pid, STARTUP)
    }
}
