//! A red icon that is never the network's fault, on the real desktop: the app (in the tray, no
//! window) runs in the client namespace of a network lab (`ehlowatch_testkit::netns`) — its
//! servers and DNS (NSD) in the lab's server namespace — while the desktop it shows on (Xvfb,
//! the session bus, dunst, the tray host, `dbus-monitor`) stays where the test is. Outbound TCP
//! 25 dropped: one "Outbound port 25 is blocked on this network" toast, a grey icon, no Failed
//! toast although one failed probe would alert; the drop lifted: one "Port 25 reachable again",
//! green. Everything but loopback dropped: one "This machine seems offline", grey; lifted: one
//! "Back online", green. Exactly those four `Notify` calls in all, and no packet left the lab.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ehlowatch_testkit::netns::{Family, Lab, Zone};
use serde_json::json;

use crate::desktop::app::{self, fake_smtp_binary};
use crate::desktop::lab;
use crate::desktop::notifications::{Notifications, Notify};
use crate::desktop::session::Session;
use crate::desktop::timing::STARTUP;
use crate::desktop::tray::{self, Colour};
use crate::desktop::{one_at_a_time, Artifacts, Clock};

/// How long each local cause may take to be told: a probe's 2×QoS, the other monitors' second
/// opinion, the toast's gathering, with room for a loaded machine.
const TOLD_WITHIN: Duration = Duration::from_secs(30);

/// Two port-25 monitors and one on 587, by name, probed every 2 s; one failed probe would alert.
fn settings() -> serde_json::Value {
    json!({
        "defaults": { "qos_ms": 300, "interval_s": 2, "retry_s": 1, "ehlo_name": "probe.example.test" },
        "alerts": { "failed_after": 1 },
        "control": { "hosts": ["ctl.example.test"] },
        "monitor": [
            { "name": "mx1", "host": "mx1.example.test" },
            { "name": "mx2", "host": "mx2.example.test" },
            { "name": "submission", "host": "mx1.example.test", "port": 587 }
        ]
    })
}

/// The lab: `mx1` (25, 587), `mx2` (25) and the control host `ctl` (25, 443) on NSD.
fn lab() -> Lab {
    let mut lab = Lab::new("desktop");
    let mx1 = lab.add_server_ip(Family::V4);
    let mx2 = lab.add_server_ip(Family::V4);
    let ctl = lab.add_server_ip(Family::V4);
    let listeners: [(IpAddr, u16); 5] = [(mx1, 25), (mx1, 587), (mx2, 25), (ctl, 25), (ctl, 443)];
    for (ip, port) in listeners {
        lab.fake_smtp(SocketAddr::new(ip, port), "healthy");
    }
    lab.serve_dns(&[Zone::new("example.test")
        .ip("mx1", mx1)
        .ip("mx2", mx2)
        .ip("ctl", ctl)]);
    lab
}

#[test]
#[ignore = "needs the desktop stack, root and network namespaces: run by scripts/test"]
fn a_port_25_block_and_offline_are_one_toast_each_and_never_red() {
    let _one = one_at_a_time();
    let clock = Clock::start();
    let artifacts = Artifacts::new("blocked_here");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
    fake_smtp_binary(); // panics, saying how to build it, when it is missing
    let lab = lab();
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    let toasts = Notifications::start(&session, &artifacts).expect("dbus-monitor starts");
    let data = app::data_dir(&settings()).expect("a data directory");

    let app = lab::spawn_app(&session, &lab, data.path(), &artifacts, "app")
        .expect("the app starts in the lab");
    let item = tray::wait_item(&session.bus, app.pid(), STARTUP).expect("the app's tray item");
    let colour = |c: Colour, what: &str| {
        tray::wait_colour(&session.bus, &item, c, TOLD_WITHIN)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        clock.log(format!("ok: the tray icon is {c:?} ({what})"));
    };
    let told = |summary: &str, body: &str| -> Notify {
        let n = toasts
            .wait_for(&format!("Notify {summary:?}"), TOLD_WITHIN, |n| {
                n.summary == summary
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n.body, body, "{summary}");
        clock.log(format!("ok: toast {summary:?}: {body:?}"));
        n
    };
    colour(Colour::Green, "every server answers");

    lab.drop_outbound_tcp(25);
    clock.log("outbound TCP 25 dropped in the client namespace");
    told(
        "Outbound port 25 is blocked on this network",
        "2 monitors can't be checked from here — event 5522",
    );
    colour(Colour::Grey, "blocked here, not their servers' fault");
    lab.clear_drops();
    clock.log("drops lifted");
    told(
        "Port 25 reachable again",
        "2 monitors checked again — event 5523",
    );
    colour(Colour::Green, "port 25 reachable again");

    lab.drop_all_but_lo();
    clock.log("everything but loopback dropped in the client namespace");
    told(
        "This machine seems offline",
        "3 monitors can't be checked from here — event 5520",
    );
    colour(Colour::Grey, "offline");
    lab.clear_drops();
    clock.log("drops lifted");
    told("Back online", "3 monitors checked again — event 5521");
    colour(Colour::Green, "back online");

    let summaries: Vec<String> = toasts.all().into_iter().map(|n| n.summary).collect();
    assert_eq!(
        summaries,
        [
            "Outbound port 25 is blocked on this network",
            "Port 25 reachable again",
            "This machine seems offline",
            "Back online"
        ],
        "one toast per local cause and one per end, none per monitor"
    );
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
    drop(app);
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
}
