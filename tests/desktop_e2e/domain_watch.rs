//! A watched mail domain on the real desktop: the app runs in the client namespace of a
//! network lab (`ehlowatch_testkit::netns`) whose NSD serves the zone `watch.test` this test
//! writes (TTL 1 s, `[dns] min_ttl_s = 1`), its MX hosts fake SMTP servers in the server
//! namespace; the desktop (Xvfb, the session bus, dunst, the tray host) stays where the test is,
//! and the window is driven over WebDriver from there. The window shows the domain as its MX
//! hosts, one row per MX host and address. The zone gains a host: exactly one "MX set changed"
//! notification. The STARTTLS server is replaced by a plain one on the same address: exactly one
//! "STARTTLS vanished" notification, and the icon turns amber. The app quits from the tray and
//! starts again on the same data directory: the baseline comes back from the history, and
//! nothing is told again. "Exactly one" and "nothing" are counted on the bus over the probes
//! that follow (the history's results), never over a sleep; no packet left the lab.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use ehlowatch_testkit::netns::{Family, Lab, Zone};
use serde_json::json;

use crate::desktop::app::{self, fake_smtp_binary};
use crate::desktop::driver::WebDriver;
use crate::desktop::history::{probes, wait_probes};
use crate::desktop::lab;
use crate::desktop::notifications::{Notifications, Notify};
use crate::desktop::session::Session;
use crate::desktop::timing::STARTUP;
use crate::desktop::tray::{self, Colour};
use crate::desktop::window::UI;
use crate::desktop::{one_at_a_time, poll, Artifacts, Clock};

/// How long a change may take to be told: the MX answer's TTL, a probe, the toast's gathering,
/// with room for a loaded machine.
const TOLD_WITHIN: Duration = Duration::from_secs(45);
/// How long the probes counted after a toast may take.
const PROBES_WITHIN: Duration = Duration::from_secs(60);
/// The probes a "once" or a "none" is counted over: at one a second, well past the 3 s a toast
/// gathers for before it goes out.
const FOLLOWING: u64 = 8;
/// The domain the monitor watches.
const DOMAIN: &str = "watch.test";
/// The monitor's name, which the toasts name.
const MONITOR: &str = "watched";
/// The target rows of the window's detail.
const TARGETS: &str = r#"[data-testid="detail"] [data-testid="targets"] li"#;

/// One domain monitor, probed every second.
fn settings() -> serde_json::Value {
    json!({
        "defaults": { "qos_ms": 300, "interval_s": 1, "retry_s": 1, "ehlo_name": "probe.example.test" },
        "dns": { "min_ttl_s": 1 },
        "monitor": [{ "name": MONITOR, "domain": DOMAIN }]
    })
}

/// `watch.test` with the MX records `mx` (TTL 1 s): `mx1` is the STARTTLS server, `mx2` and
/// `mx3` the plain one.
fn zone(mx: &[(u16, &str)], starttls: IpAddr, plain: IpAddr) -> Zone {
    let hosts = Zone::new(DOMAIN)
        .ip("mx1", starttls)
        .ip("mx2", plain)
        .ip("mx3", plain);
    mx.iter().fold(hosts, |zone, (preference, host)| {
        zone.mx_ttl(1, *preference, host)
    })
}

/// The summaries of every toast seen so far.
fn summaries(toasts: &Notifications) -> Vec<String> {
    toasts.all().into_iter().map(|n| n.summary).collect()
}

/// The labels of the detail's target rows ("mx1.watch.test — 10.250.0.10").
fn target_rows(window: &WebDriver) -> Result<Vec<String>, String> {
    let rows = window.execute(&format!(
        "return Array.from(document.querySelectorAll('{TARGETS} .target-address'))\
         .map(e => e.textContent);"
    ))?;
    serde_json::from_value(rows).map_err(|e| e.to_string())
}

/// Waits until the detail shows exactly the target rows `want`.
fn shows_targets(window: &WebDriver, want: &[String]) -> Result<(), String> {
    poll(
        &format!("the detail's target rows are {want:?}"),
        TOLD_WITHIN,
        Duration::from_millis(250),
        || match target_rows(window)? {
            rows if rows == want => Ok(()),
            rows => Err(format!("{rows:?}")),
        },
    )
}

/// Waits for `FOLLOWING` more probes and checks the toasts of the run are still `want`.
fn told_only(toasts: &Notifications, data: &Path, want: &[&str], clock: &Clock) {
    let from = probes(data).unwrap_or_else(|e| panic!("{e}"));
    let to = wait_probes(data, from, FOLLOWING, PROBES_WITHIN).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        summaries(toasts),
        want,
        "the toasts after probes {from}..{to}"
    );
    clock.log(format!(
        "ok: after probes {from}..{to} the toasts are still {want:?}"
    ));
}

#[test]
#[ignore = "needs the desktop stack, root, network namespaces and NSD: run by scripts/test"]
fn a_domain_shows_its_mx_hosts_and_tells_a_change_once_and_nothing_after_a_restart() {
    let _one = one_at_a_time();
    let clock = Clock::start();
    let artifacts = Artifacts::new("domain_watch");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
    fake_smtp_binary(); // panics, saying how to build it, when it is missing
    let mut lab = Lab::new("domain");
    let starttls = lab.add_server_ip(Family::V4);
    let plain = lab.add_server_ip(Family::V4);
    let tls_server = lab.fake_smtp(SocketAddr::new(starttls, 25), "starttls-self-signed");
    lab.fake_smtp(SocketAddr::new(plain, 25), "healthy");
    let two = [(10, "mx1"), (20, "mx2")];
    lab.serve_dns(&[zone(&two, starttls, plain)]);
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    let toasts = Notifications::start(&session, &artifacts).expect("dbus-monitor starts");
    let data = app::data_dir(&settings()).expect("a data directory");
    let told = |prefix: &str| -> Notify {
        let n = toasts
            .wait_for(&format!("Notify {prefix:?}"), TOLD_WITHIN, |n| {
                n.summary.starts_with(prefix)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        clock.log(format!("ok: toast {:?}: {:?}", n.summary, n.body));
        n
    };

    let window = lab::window_with_detail(&mut lab, &session, data.path(), &artifacts);
    clock.log("WebDriver session open, the domain's detail shown");
    let shot = |name: &str| match window.screenshot() {
        Ok(png) => drop(artifacts.save(name, &png)),
        Err(e) => clock.log(format!("no screenshot {name}: {e}")),
    };
    let mx1 = format!("mx1.{DOMAIN} — {starttls}");
    let mx2 = format!("mx2.{DOMAIN} — {plain}");
    let mx3 = format!("mx3.{DOMAIN} — {plain}");
    shows_targets(&window, &[mx1.clone(), mx2.clone()]).unwrap_or_else(|e| panic!("{e}"));
    clock.log("ok: the detail shows the domain as its two MX hosts");
    shot("mx-hosts.png");
    let pid = app::wait_app_processes(data.path(), 1)[0];
    let item = tray::wait_item(&session.bus, pid, STARTUP).expect("the app's tray item");
    let colour = |item: &tray::Item, c: Colour, what: &str| {
        tray::wait_colour(&session.bus, item, c, TOLD_WITHIN)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        clock.log(format!("ok: the tray icon is {c:?} ({what})"));
    };
    colour(&item, Colour::Green, "every MX host answers");
    told_only(&toasts, data.path(), &[], &clock);

    // The zone gains a host: one toast listing the sets, and a third row.
    let three = [(10, "mx1"), (20, "mx2"), (30, "mx3")];
    lab.serve_dns(&[zone(&three, starttls, plain)]);
    clock.log("the zone gains mx3");
    let changed = told("MX set changed");
    assert_eq!(changed.summary, format!("MX set changed: {MONITOR}"));
    assert!(
        changed.body.contains("added 30 mx3.watch.test") && changed.body.contains("event 5530"),
        "{}",
        changed.body
    );
    shows_targets(&window, &[mx1.clone(), mx2.clone(), mx3.clone()])
        .unwrap_or_else(|e| panic!("{e}"));
    clock.log("ok: the detail shows the third MX host");
    shot("mx-added.png");
    let mx_changed = format!("MX set changed: {MONITOR}");
    told_only(&toasts, data.path(), &[&mx_changed], &clock);

    // mx1 stops offering STARTTLS: one toast, and the icon turns amber.
    lab.stop(tls_server);
    lab.fake_smtp(SocketAddr::new(starttls, 25), "healthy");
    clock.log("mx1's STARTTLS server replaced by a plain one");
    let vanished = told("STARTTLS vanished");
    assert_eq!(vanished.summary, format!("STARTTLS vanished: {MONITOR}"));
    assert!(vanished.body.contains("event 5532"), "{}", vanished.body);
    colour(&item, Colour::Amber, "mail to mx1 falls back to plaintext");
    shot("starttls-vanished.png");
    let starttls_vanished = format!("STARTTLS vanished: {MONITOR}");
    let both = [mx_changed.as_str(), starttls_vanished.as_str()];
    told_only(&toasts, data.path(), &both, &clock);

    // Quit from the tray, and start again on the same data directory: nothing is told again.
    tray::click(&session.bus, &item, &["Quit"], |_| true, UI).expect("Quit is clicked");
    app::wait_app_processes(data.path(), 0); // the app exits
    drop(window);
    clock.log("the app quit from the tray");
    let app = lab::spawn_app(&session, &lab, data.path(), &artifacts, "app-again")
        .expect("the app starts again in the lab");
    let item = tray::wait_item(&session.bus, app.pid(), STARTUP).expect("the app's tray item");
    colour(&item, Colour::Amber, "the vanished STARTTLS is still amber");
    told_only(&toasts, data.path(), &both, &clock);
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
    drop(app);
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
}
