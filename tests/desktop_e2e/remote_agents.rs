//! Remote agents in the real window and tray: two real agents (`ehlowatch run`, HTTPS with a test
//! CA, read and control tokens) on loopback, each watching fake SMTP servers; a real Secret
//! Service (`gnome-keyring-daemon`) on the desktop's own session bus. Both agents are added
//! through Settings → Agents over WebDriver, their tokens typed into the password field; their
//! monitors show in the window and the tray menu, the tray green. A server of dc1 dies → a
//! critical toast naming dc1 and a red tray; it comes back → green. dc2 is killed → its group
//! unreachable, the tray grey (never red), and exactly one toast naming dc2 over more than a
//! reconnect backoff cycle. After Quit no file under the data directory (settings, history and
//! its WAL, WebKit's data and cache) or the session's HOME and XDG folders holds a token; the app
//! started again reads dc1's token from the keyring and connects.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ehlowatch_app::notify::toast::COALESCE;
use ehlowatch_testkit::agent::Agent;
use ehlowatch_testkit::secret_service::Keyring;
use ehlowatch_testkit::TestPki;

use crate::desktop::app::{self, loopback, FakeSmtp};
use crate::desktop::checks::Checks;
use crate::desktop::driver::WebDriver;
use crate::desktop::journey;
use crate::desktop::notifications::{toast_is, Notifications, CRITICAL};
use crate::desktop::session::Session;
use crate::desktop::timing::{remaining, SLACK, STARTUP};
use crate::desktop::tray::{self, Colour, Item};
use crate::desktop::window::{row, NAV_STATUS, UI};
use crate::desktop::{one_at_a_time, poll, Artifacts, Clock};

/// The agents' read tokens, which the window is given, and their control tokens, which it is not.
const DC1_TOKEN: &str = "read-dc1-5e0b7c2a94f1d836";
const DC2_TOKEN: &str = "read-dc2-81f4a6c03e9d2b57";
const DC1_CONTROL: &str = "control-dc1-2b9d04e7a1c6f358";
const DC2_CONTROL: &str = "control-dc2-c7a31f5e08d294b6";

/// The agents probe every second and confirm a failure after one retry a second later.
const AGENT_PROBES: Duration = Duration::from_secs(3);
/// After a source turns unreachable the app reconnects after 1, 2 and 4 s (then 8 s): a second
/// toast for it would come within this of the first one.
const RECONNECTS: Duration = Duration::from_secs(1 + 2 + 4 + 1);

const NAV_SETTINGS: &str = r#"[data-testid="nav-settings"]"#;
const ADD_AGENT: &str = r#"[data-testid="add-agent"]"#;
const SAVE_AGENT: &str = r#"[data-testid="save-agent"]"#;

/// An agent's config: monitors of loopback ports, probed every second, a failure confirmed
/// after one retry.
fn config(monitors: &[(&str, SocketAddr)]) -> String {
    let mut text = "[defaults]\nqos_ms = 200\ninterval_s = 1\nretry_s = 1\n".to_owned();
    for (name, addr) in monitors {
        let _ = write!(
            text,
            "\n[[monitor]]\nname = '{name}'\nhost = \"{}\"\nport = {}\nalerts = {{ failed_after = 1 }}\n",
            addr.ip(),
            addr.port()
        );
    }
    text
}

#[test]
#[ignore = "needs the desktop stack and gnome-keyring: run by scripts/test"]
fn remote_agents_a_failure_turns_the_tray_red_and_a_dead_agent_grey_with_one_toast() {
    let _one = one_at_a_time();
    let clock = Clock::start();
    let artifacts = Artifacts::new("remote_agents");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));

    // 1. The desktop with a Secret Service on its own session bus; two agents and their servers.
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    let keyring = Keyring::start(
        session.command("gnome-keyring-daemon"),
        &session.bus_address,
    );
    clock.log("gnome-keyring-daemon owns org.freedesktop.secrets on the session bus");
    let toasts = Notifications::start(&session, &artifacts).expect("dbus-monitor starts");
    let servers = ["dc1-mx1", "dc1-mx2", "dc2-mx1"].map(|name| {
        FakeSmtp::start(loopback(0), &artifacts, &format!("fake-smtp-{name}.err"))
            .expect("a fake SMTP server starts")
    });
    let [dc1_mx1, dc1_mx2, dc2_mx1] = servers;
    let pki = TestPki::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let dc1 = runtime.block_on(Agent::start_secured(
        &config(&[("mx1", dc1_mx1.addr), ("mx2", dc1_mx2.addr)]),
        &pki,
        DC1_TOKEN,
        DC1_CONTROL,
        &[],
    ));
    let mut dc2 = runtime.block_on(Agent::start_secured(
        &config(&[("mx1", dc2_mx1.addr)]),
        &pki,
        DC2_TOKEN,
        DC2_CONTROL,
        &[],
    ));
    clock.log(format!(
        "agents dc1 on {} and dc2 on {}",
        dc1.addr(),
        dc2.addr()
    ));

    // 2. The app on an empty data directory, under WebDriver.
    let data = app::empty_data_dir().expect("a data directory");
    let (window, pid) = journey::under_webdriver(&session, data.path(), &artifacts);
    let item = tray::wait_item(&session.bus, pid, STARTUP).expect("the app's tray item");
    clock.log(format!("app pid {pid}, tray item {}", item.service));
    let mut run = Run {
        checks: Checks::new(clock),
        clock,
        session: &session,
        toasts: &toasts,
        window,
        item,
        artifacts: &artifacts,
    };

    let ca = pki.ca_file();
    run.add_agent("dc1", &format!("https://{}", dc1.addr()), DC1_TOKEN, &ca);
    run.add_agent("dc2", &format!("https://{}", dc2.addr()), DC2_TOKEN, &ca);
    run.all_ok();
    let dc1_mx2 = run.failure_and_recovery(dc1_mx2);
    run.agent_dies(&mut dc2);
    run.quit(pid);
    let tokens = [DC1_TOKEN, DC2_TOKEN];
    let keyring_store = session.root().join("home/.local/share/keyrings");
    let dirs = [data.path().to_owned(), session.root().to_owned()];
    run.scan(&dirs, &keyring_store, &tokens, "after Quit");

    // 3. A fresh app process on the same data directory, in the tray: dc1's token comes back
    // from the keyring and it connects.
    let again = app::spawn_app(&session, data.path(), &artifacts, "app-again")
        .expect("the app starts again");
    run.reads_the_token_back(again.pid());
    drop(again);
    run.scan(&dirs, &keyring_store, &tokens, "after the second run");
    drop(keyring);
    drop((dc1_mx1, dc1_mx2, dc2_mx1));
    run.clock.log(format!(
        "{} Notify calls in all; artifacts folder: {}",
        toasts.all().len(),
        artifacts.dir.display()
    ));
    run.checks.finish();
}

/// The journey's parts, stage by stage.
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
    /// Settings → Agents → Add agent: name, URL, the token typed into the password field, the
    /// CA file; saved once the app's live check passed, listed connected with its token in the
    /// keyring.
    fn add_agent(&mut self, name: &str, url: &str, token: &str, ca: &Path) {
        let field = |key: &str| format!(r#"{ADD_AGENT} input[name="{key}"]"#);
        let listed = format!(r#"[data-testid="agent"][data-source="{name}"]"#);
        let added = self
            .window
            .click(NAV_SETTINGS)
            .and_then(|()| self.window.wait_for(ADD_AGENT, UI))
            .and_then(|()| {
                let kind = self.window.attributes(&field("agent.token"), "type")?;
                let autocomplete = self
                    .window
                    .attributes(&field("agent.token"), "autocomplete")?;
                if kind == [Some("password".to_owned())] && autocomplete == [Some("off".to_owned())]
                {
                    Ok(())
                } else {
                    Err(format!(
                        "the token field has type {kind:?}, autocomplete {autocomplete:?}"
                    ))
                }
            })
            .and_then(|()| self.window.fill(&field("agent.name"), name))
            .and_then(|()| self.window.fill(&field("agent.url"), url))
            .and_then(|()| self.window.fill(&field("agent.token"), token))
            .and_then(|()| {
                self.window
                    .fill(&field("agent.ca_file"), &ca.display().to_string())
            })
            .and_then(|()| self.window.click(SAVE_AGENT))
            .and_then(|()| self.window.wait_for(&listed, UI))
            .and_then(|()| {
                self.window.wait_for(
                    &format!(r#"{listed} [data-testid="token-store"][data-store="keyring"]"#),
                    UI,
                )
            });
        if self
            .checks
            .check(
                &format!("{name} is added through Settings → Agents, its token in the keyring"),
                added,
            )
            .is_none()
        {
            self.shot(&format!("add-{name}-failed"));
            self.checks
                .give_up("an agent was not added through the window");
        }
        let emptied = self.window.execute(&format!(
            "return document.querySelector('{ADD_AGENT} input[name=\"agent.token\"]').value;"
        ));
        self.checks.check(
            "the token field is empty again",
            emptied.and_then(|v| {
                if v == "" {
                    Ok(())
                } else {
                    Err(format!("it holds {v}"))
                }
            }),
        );
        self.shot(&format!("added-{name}"));
    }

    /// Every remote monitor OK: the window's rows, the tray's menu lines, a green tray.
    fn all_ok(&mut self) {
        let shown = self.window.click(NAV_STATUS).and_then(|()| {
            ["dc1/mx1", "dc1/mx2", "dc2/mx1"]
                .iter()
                .try_for_each(|key| {
                    self.window.wait_for(
                        &format!(r#"{}[data-source][data-status="success"]"#, row(key)),
                        STARTUP,
                    )
                })
        });
        self.checks.check(
            "the window shows dc1/mx1, dc1/mx2 and dc2/mx1 as Success",
            shown,
        );
        for line in ["dc1 / mx1 — OK", "dc1 / mx2 — OK", "dc2 / mx1 — OK"] {
            let listed = self.wait_menu_line(line, UI);
            self.checks
                .check(&format!("the tray menu has a line '… {line}'"), listed);
        }
        let green = self.wait_colour(Colour::Green, UI);
        self.checks.check("the tray icon is green", green);
        self.screenshots("1-all-ok");
    }

    /// dc1's mx2 server dies: a critical toast naming dc1, a red tray, a failed row; the server
    /// back on its port: green again. Returns the server.
    fn failure_and_recovery(&mut self, server: FakeSmtp) -> FakeSmtp {
        let addr = server.kill().expect("dc1's mx2 server is killed");
        let killed = Instant::now();
        self.clock.log("dc1's mx2 server killed");
        let within = AGENT_PROBES + COALESCE + SLACK;
        let toast = self
            .toasts
            .wait_for("Notify 'SMTP failed: dc1 / mx2'", within, |n| {
                n.summary == "SMTP failed: dc1 / mx2"
            })
            .and_then(|n| toast_is(n, CRITICAL));
        if let Some(n) = self.checks.check(
            "a critical toast 'SMTP failed: dc1 / mx2' names the agent",
            toast,
        ) {
            self.clock.log(format!(
                "failure toast {:.1} s after the kill: {:?}",
                (n.seen - killed).as_secs_f64(),
                n.body
            ));
        }
        let red = self.wait_colour(Colour::Red, remaining(killed, within));
        self.checks.check("the tray icon is red", red);
        let failed = self.window.wait_for(
            &format!(r#"{}[data-status="failed"]"#, row("dc1/mx2")),
            remaining(killed, within),
        );
        self.checks
            .check("the window's row dc1/mx2 says failed", failed);
        self.screenshots("2-dc1-failed");

        let server = FakeSmtp::start(addr, self.artifacts, "fake-smtp-dc1-mx2-again.err")
            .expect("dc1's mx2 server restarts on its port");
        let back = Instant::now();
        let green = self.wait_colour(Colour::Green, AGENT_PROBES + SLACK);
        self.checks.check("the tray icon is green again", green);
        let success = self.window.wait_for(
            &format!(r#"{}[data-status="success"]"#, row("dc1/mx2")),
            remaining(back, AGENT_PROBES + SLACK),
        );
        self.checks
            .check("the window's row dc1/mx2 says success again", success);
        server
    }

    /// dc2 is killed: its group unreachable, its monitor grey in the menu, a grey tray (dc1 is
    /// all green) and one toast naming dc2; over the reconnects that follow, no second toast
    /// and never a red tray.
    fn agent_dies(&mut self, dc2: &mut Agent) {
        dc2.kill();
        let killed = Instant::now();
        self.clock.log("agent dc2 killed");
        let within = COALESCE + SLACK;
        let toast = self
            .toasts
            .wait_for("Notify 'Agent dc2 unreachable'", within, |n| {
                n.summary == "Agent dc2 unreachable"
            });
        let toast = self
            .checks
            .check("a toast 'Agent dc2 unreachable' names the agent", toast);
        if let Some(n) = &toast {
            self.clock.log(format!(
                "unreachable toast {:.1} s after the kill: {:?}",
                (n.seen - killed).as_secs_f64(),
                n.body
            ));
        }
        let grey = self.wait_colour(Colour::Grey, remaining(killed, within));
        self.checks.check("the tray icon is grey", grey);
        let group = self.window.wait_for(
            r#"[data-testid="source-group"][data-source="dc2"][data-health="unreachable"]"#,
            remaining(killed, within),
        );
        self.checks
            .check("the window's group dc2 says unreachable", group);
        let line = self.wait_menu_line("dc2 / mx1 — agent unreachable", UI);
        self.checks
            .check("the tray menu greys dc2 / mx1 as agent unreachable", line);
        self.screenshots("3-dc2-unreachable");

        // Over a whole backoff cycle of reconnects: the tray never red, no second toast of dc2.
        let quiet_from = toast.as_ref().map_or_else(Instant::now, |n| n.seen);
        let second = poll(
            "a second toast naming dc2, or a red tray",
            remaining(quiet_from, RECONNECTS + COALESCE),
            Duration::from_millis(200),
            || {
                let naming: Vec<String> = self
                    .toasts
                    .all()
                    .into_iter()
                    .filter(|n| n.summary.contains("dc2") || n.body.contains("dc2"))
                    .map(|n| n.summary)
                    .collect();
                if naming.len() > 1 {
                    return Ok(format!("toasts naming dc2: {naming:?}"));
                }
                match tray::icon(&self.session.bus, &self.item) {
                    Ok(icon) if icon.colour == Colour::Red => {
                        Ok(format!("a red tray ({})", icon.file.display()))
                    }
                    _ => Err(String::new()),
                }
            },
        );
        self.checks.check(
            &format!(
                "exactly one toast names dc2 and the tray is never red over the {:?} after it",
                RECONNECTS + COALESCE
            ),
            match second {
                Ok(seen) => Err(seen),
                Err(_) => Ok(()),
            },
        );
    }

    /// Ends the WebDriver session, which ends the app.
    fn quit(&mut self, pid: u32) {
        journey::quit(&mut self.checks, &mut self.window, pid);
    }

    /// No file under `dirs` (but the keyring's own encrypted store) holds a token, whole or its
    /// last 10 bytes.
    fn scan(&mut self, dirs: &[PathBuf], except: &Path, tokens: &[&str], when: &str) {
        let mut files = Vec::new();
        for dir in dirs {
            files_under(dir, except, &mut files);
        }
        // WebKit's data and cache: the app gives the webview `<data dir>/webview`.
        let webkit = files
            .iter()
            .filter(|f| f.components().any(|c| c.as_os_str() == "webview"))
            .count();
        let list = files.iter().fold(String::new(), |mut list, f| {
            let _ = writeln!(list, "{}", f.display());
            list
        });
        let listed = self
            .artifacts
            .save(&format!("scanned {when}.txt"), list.as_bytes());
        self.clock.log(format!(
            "{when}: {} files scanned ({webkit} of WebKit's), listed in {}",
            files.len(),
            listed.unwrap_or_default().display()
        ));
        let mut found = Vec::new();
        for file in &files {
            let Ok(bytes) = std::fs::read(file) else {
                continue;
            };
            for token in tokens {
                let tail = &token.as_bytes()[token.len() - 10..];
                if bytes.windows(tail.len()).any(|w| w == tail) {
                    found.push(format!("{} holds {token}", file.display()));
                }
            }
        }
        let missing: Vec<&str> = ["settings.json", "history.sqlite", "history.sqlite-wal"]
            .into_iter()
            .filter(|name| !files.iter().any(|f| f.ends_with(name)))
            .collect();
        self.checks.check(
            &format!("{when}: no file under the data directory (settings, history and its WAL, WebKit's) or the session's HOME/XDG folders holds a token"),
            if !missing.is_empty() || webkit == 0 {
                Err(format!("{missing:?} not scanned, {webkit} of WebKit's files"))
            } else if found.is_empty() {
                Ok(())
            } else {
                Err(found.join("; "))
            },
        );
    }

    /// The app started again, in the tray: dc1 connects with the token the keyring gives back.
    fn reads_the_token_back(&mut self, pid: u32) {
        let item = tray::wait_item(&self.session.bus, pid, STARTUP);
        let Some(item) = self.checks.check("the app starts again in the tray", item) else {
            return;
        };
        self.item = item;
        let line = self.wait_menu_line("dc1 / mx1 — OK", STARTUP);
        self.checks.check(
            "the fresh process connects to dc1 with the keyring's token (dc1 / mx1 — OK)",
            line,
        );
    }

    /// Waits until the tray icon has `colour`.
    fn wait_colour(&self, colour: Colour, timeout: Duration) -> Result<(), String> {
        tray::wait_colour(&self.session.bus, &self.item, colour, timeout)
    }

    /// Waits until the tray menu has a top-level line ending in `text` (after its glyph).
    fn wait_menu_line(&self, text: &str, timeout: Duration) -> Result<(), String> {
        poll(
            &format!("the tray menu shows '… {text}'"),
            timeout,
            Duration::from_millis(100),
            || {
                let menu = tray::menu(&self.session.bus, &self.item)?;
                let labels = menu.top_labels();
                if labels.iter().any(|l| l.ends_with(text)) {
                    Ok(())
                } else {
                    Err(labels.join(" | "))
                }
            },
        )
    }

    /// The X screen and the window, as PNGs named after the stage.
    fn screenshots(&mut self, stage: &str) {
        journey::screen(&mut self.checks, self.session, self.artifacts, stage);
        self.shot(&format!("{stage}-window"));
    }

    /// The window, as `<name>.png`.
    fn shot(&mut self, name: &str) {
        let saved = self
            .window
            .screenshot()
            .and_then(|png| self.artifacts.save(&format!("{name}.png"), &png));
        self.checks
            .check(&format!("window screenshot {name}"), saved);
    }
}

/// Every regular file under `dir`, but those under `except`.
fn files_under(dir: &Path, except: &Path, out: &mut Vec<PathBuf>) {
    if dir.starts_with(except) {
        return;
    }
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return;
    };
    if meta.is_file() {
        out.push(dir.to_owned());
    } else if meta.is_dir() {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            files_under(&entry.path(), except, out);
        }
    }
}
