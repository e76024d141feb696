//! The toasts that reach the notification daemon, as a `dbus-monitor` child sees them on the
//! session bus: each `org.freedesktop.Notifications.Notify` call is parsed into a [`Notify`],
//! and tests wait for one that matches, with a deadline, and check that it is one of the
//! app's ([`toast_is`]). dunst's own history is kept with the artifacts.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::session::Session;
use super::{Artifacts, Clock, Proc};

/// How long `dbus-monitor` may take to start monitoring.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// One `Notify` call.
#[derive(Debug, Clone, PartialEq)]
pub struct Notify {
    /// The application name.
    pub app_name: String,
    /// The id of the notification it replaces (0 for none).
    pub replaces_id: u32,
    /// The icon name.
    pub icon: String,
    /// The title line.
    pub summary: String,
    /// The text.
    pub body: String,
    /// Action keys and labels, alternating.
    pub actions: Vec<String>,
    /// The `urgency` hint: 0 low, 1 normal, 2 critical.
    pub urgency: Option<u8>,
    /// The expiry timeout in milliseconds (-1: the server's default).
    pub timeout: i32,
    /// When the test saw it.
    pub seen: Instant,
}

/// Freedesktop urgency levels.
pub const LOW: u8 = 0;
/// Critical urgency.
pub const CRITICAL: u8 = 2;

#[derive(Debug, Default)]
struct Seen {
    ready: bool,
    calls: Vec<Notify>,
    ended: bool,
}

/// A running `dbus-monitor` and what it has seen.
#[derive(Debug)]
pub struct Notifications {
    seen: Arc<(Mutex<Seen>, Condvar)>,
    _monitor: Proc,
}

impl Notifications {
    /// Starts monitoring `Notify` calls on the session bus; returns once the monitor is
    /// in place (so no later call is missed). Its raw output is kept in `dbus-monitor.log`.
    pub fn start(session: &Session, artifacts: &Artifacts) -> Result<Self, String> {
        let mut command: Command = session.command("dbus-monitor");
        command
            .args(["--address", &session.bus_address])
            .arg("type='method_call',interface='org.freedesktop.Notifications',member='Notify'")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(artifacts.log_file("dbus-monitor.err"));
        let mut monitor = Proc::spawn("dbus-monitor", &mut command)?;
        let stdout = monitor
            .child()
            .stdout
            .take()
            .ok_or("dbus-monitor: no stdout pipe")?;
        let seen = Arc::new((Mutex::new(Seen::default()), Condvar::new()));
        let raw_log = artifacts.path("dbus-monitor.log");
        let shared = seen.clone();
        std::thread::spawn(move || {
            let mut raw = std::fs::File::create(raw_log).ok();
            let mut parser = Parser::default();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(file) = raw.as_mut() {
                    use std::io::Write;
                    let _ = writeln!(file, "{line}");
                }
                let event = parser.feed(&line);
                if event.is_none() {
                    continue;
                }
                let (lock, changed) = &*shared;
                let mut seen = lock.lock().unwrap_or_else(PoisonError::into_inner);
                match event {
                    Some(Event::Ready) => seen.ready = true,
                    Some(Event::Notify(n)) => seen.calls.push(*n),
                    None => {}
                }
                changed.notify_all();
            }
            let (lock, changed) = &*shared;
            lock.lock().unwrap_or_else(PoisonError::into_inner).ended = true;
            changed.notify_all();
        });
        let notifications = Self {
            seen,
            _monitor: monitor,
        };
        notifications.wait("dbus-monitor is monitoring", READY_TIMEOUT, |s| {
            s.ready.then_some(())
        })?;
        Ok(notifications)
    }

    /// Waits until a `Notify` call seen since the monitor started satisfies `wanted`, for at
    /// most `timeout`; the error lists every call seen.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&Notify) -> bool,
    ) -> Result<Notify, String> {
        self.wait(what, timeout, |s| {
            s.calls.iter().find(|n| wanted(n)).cloned()
        })
    }

    /// Every call seen so far.
    pub fn all(&self) -> Vec<Notify> {
        let (lock, _) = &*self.seen;
        lock.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .calls
            .clone()
    }

    fn wait<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut found: impl FnMut(&Seen) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let (lock, changed) = &*self.seen;
        let mut seen = lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(value) = found(&seen) {
                return Ok(value);
            }
            let now = Instant::now();
            if now >= deadline || seen.ended {
                let why = if seen.ended {
                    "dbus-monitor ended".to_owned()
                } else {
                    format!("not within {timeout:?}")
                };
                let calls: Vec<String> = seen
                    .calls
                    .iter()
                    .map(|n| format!("{:?} / {:?} (urgency {:?})", n.summary, n.body, n.urgency))
                    .collect();
                return Err(format!("{what}: {why}; Notify calls seen: {calls:?}"));
            }
            seen = changed
                .wait_timeout(seen, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// The toast came from the app with this urgency and names its event.
pub fn toast_is(n: Notify, urgency: u8) -> Result<Notify, String> {
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
pub fn save_dunst_history(session: &Session, artifacts: &Artifacts, clock: &Clock) {
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

/// What a line of `dbus-monitor` output completed.
#[derive(Debug, PartialEq)]
enum Event {
    /// The monitor is in place (it reports losing its own name when it becomes a monitor).
    Ready,
    /// A whole `Notify` call.
    Notify(Box<Notify>),
}

/// Reads `dbus-monitor`'s text output line by line. A message starts with an unindented header
/// line; its arguments follow indented by three spaces; strings are printed unescaped between
/// quotes and may span lines. A `Notify` call is complete at its last argument (`int32`, the
/// timeout), so it is reported without waiting for the next message.
#[derive(Debug, Default)]
struct Parser {
    notify: Option<Vec<String>>,
    in_string: bool,
}

impl Parser {
    fn feed(&mut self, line: &str) -> Option<Event> {
        let was_in_string = self.in_string;
        self.in_string = string_continues(line, was_in_string);
        if !was_in_string && !line.starts_with(' ') {
            self.notify = None;
            if line.starts_with("signal ") && line.contains("member=NameLost") {
                return Some(Event::Ready);
            }
            if line.starts_with("method call ")
                && line.contains("interface=org.freedesktop.Notifications")
                && line.contains("member=Notify")
            {
                self.notify = Some(Vec::new());
            }
            return None;
        }
        let lines = self.notify.as_mut()?;
        lines.push(line.to_owned());
        if !was_in_string && line.starts_with("   int32 ") {
            let lines = self.notify.take()?;
            return parse_notify(&lines).map(|n| Event::Notify(Box::new(n)));
        }
        None
    }
}

/// Whether a string is still open after `line`.
fn string_continues(line: &str, in_string: bool) -> bool {
    if in_string {
        return !line.ends_with('"');
    }
    match line.trim_start().strip_prefix("string \"") {
        Some(rest) => !rest.ends_with('"'),
        None => false,
    }
}

/// The arguments of a `Notify` call from its lines (after the header).
fn parse_notify(lines: &[String]) -> Option<Notify> {
    // Top-level arguments: each starts on a line indented by exactly three spaces.
    let mut args: Vec<Vec<&str>> = Vec::new();
    let mut in_string = false;
    for line in lines {
        let top = !in_string
            && line.starts_with("   ")
            && !line.starts_with("    ")
            && !matches!(line.trim(), "]" | ")");
        in_string = string_continues(line, in_string);
        if top {
            args.push(vec![line.as_str()]);
        } else {
            args.last_mut()?.push(line.as_str());
        }
    }
    let [app, replaces, icon, summary, body, actions, hints, timeout] = args.as_slice() else {
        return None;
    };
    Some(Notify {
        app_name: string(app)?,
        replaces_id: scalar(replaces, "uint32")?.parse().ok()?,
        icon: string(icon)?,
        summary: string(summary)?,
        body: string(body)?,
        actions: actions
            .iter()
            .filter_map(|l| l.trim_start().strip_prefix("string \""))
            .filter_map(|s| s.strip_suffix('"'))
            .map(str::to_owned)
            .collect(),
        urgency: urgency(hints),
        timeout: scalar(timeout, "int32")?.parse().ok()?,
        seen: Instant::now(),
    })
}

/// A string argument, possibly over several lines.
fn string(lines: &[&str]) -> Option<String> {
    let text = lines.join("\n");
    text.trim_start()
        .strip_prefix("string \"")?
        .strip_suffix('"')
        .map(str::to_owned)
}

/// A scalar argument's text, e.g. `uint32 0`.
fn scalar<'a>(lines: &[&'a str], kind: &str) -> Option<&'a str> {
    Some(lines.first()?.trim_start().strip_prefix(kind)?.trim())
}

/// The `urgency` hint: `string "urgency"` followed by `variant byte N`.
fn urgency(hints: &[&str]) -> Option<u8> {
    let at = hints
        .iter()
        .position(|l| l.trim_start() == "string \"urgency\"")?;
    let value = hints.get(at + 1)?.trim_start().strip_prefix("variant")?;
    value.trim_start().strip_prefix("byte")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = r#"signal time=1.0 sender=org.freedesktop.DBus serial=2 member=NameAcquired
   string ":1.0"
signal time=1.0 sender=org.freedesktop.DBus serial=4 member=NameLost
   string ":1.0"
method call time=2.0 sender=:1.2 interface=org.freedesktop.Notifications; member=Notify
   string "EHLO Watch"
   uint32 0
   string "ehlowatch-app"
   string "SMTP "failed": x"
   string "line1 "q" — event 5509
line2"
   array [
      string "default"
      string "Open"
   ]
   array [
      dict entry(
         string "urgency"
         variant             byte 2
      )
   ]
   int32 -1"#;

    #[test]
    fn dbus_monitor_output_is_read_into_calls() {
        let mut parser = Parser::default();
        let events: Vec<Event> = OUTPUT.lines().filter_map(|l| parser.feed(l)).collect();
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0], Event::Ready);
        let Event::Notify(n) = &events[1] else {
            panic!("{events:?}")
        };
        assert_eq!(n.app_name, "EHLO Watch");
        assert_eq!(n.replaces_id, 0);
        assert_eq!(n.icon, "ehlowatch-app");
        assert_eq!(n.summary, "SMTP \"failed\": x");
        assert_eq!(n.body, "line1 \"q\" — event 5509\nline2");
        assert_eq!(n.actions, ["default", "Open"]);
        assert_eq!(n.urgency, Some(CRITICAL));
        assert_eq!(n.timeout, -1);
    }
}
