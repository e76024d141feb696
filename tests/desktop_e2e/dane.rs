//! DANE on the real desktop: the app runs in the client namespace of a network lab whose NSD
//! serves the DNSSEC-signed zone `dane.test` (keys made per run, TTL 2 s) and whose validating
//! unbound on the client's loopback is the app's `[dns]` resolver; both MX hosts are fake
//! STARTTLS servers with self-signed certificates made per run, each with a DANE-EE TLSA record
//! the testkit computes with `openssl`. The window's Policy card shows both matched and the icon
//! is green — a self-signed DANE-EE host is not red. mx1's record is replaced by one for another
//! certificate: a critical "SMTP failed" toast with the DANE reason, a red icon, and the card
//! shows mx1 "no match". The record restored: green again, the card matched. No packet left the
//! lab.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ehlowatch_testkit::netns::{Family, Lab, Zone};
use ehlowatch_testkit::ServerCert;
use serde_json::json;

use crate::desktop::app::{self, fake_smtp_binary};
use crate::desktop::lab;
use crate::desktop::mail_policy;
use crate::desktop::notifications::Notifications;
use crate::desktop::session::Session;
use crate::desktop::timing::STARTUP;
use crate::desktop::tray::{self, Colour};
use crate::desktop::{one_at_a_time, Artifacts, Clock};

/// How long a zone edit may take to show: the records' TTL, the resolver's cache, a probe, the
/// confirmation re-probe, with room for a loaded machine.
const SHOWN_WITHIN: Duration = Duration::from_secs(45);
/// The monitor's name, which the toasts name.
const MONITOR: &str = "signed";
/// One domain monitor, probed every second, resolved through the lab's validating resolver.
fn settings() -> serde_json::Value {
    json!({
        "defaults": { "qos_ms": 400, "interval_s": 1, "retry_s": 1, "ehlo_name": "probe.example.test" },
        "dns": { "resolver": ["127.0.0.1:53"], "min_ttl_s": 1 },
        "monitor": [{ "name": MONITOR, "domain": "dane.test" }]
    })
}

/// `dane.test`, signed, TTL 2 s: `mx1` and `mx2` at their addresses with their TLSA records.
fn zone(mx1: IpAddr, mx1_tlsa: &str, mx2: IpAddr, mx2_tlsa: &str) -> Zone {
    Zone::new("dane.test")
        .ttl(2)
        .signed()
        .ip("mx1", mx1)
        .ip("mx2", mx2)
        .mx(10, "mx1")
        .mx(20, "mx2")
        .raw(&format!("_25._tcp.mx1 TLSA {mx1_tlsa}"))
        .raw(&format!("_25._tcp.mx2 TLSA {mx2_tlsa}"))
}

#[test]
#[ignore = "needs the desktop stack, root, network namespaces, NSD and unbound: run by scripts/test"]
fn a_tlsa_record_that_no_longer_matches_turns_the_tray_red_with_the_dane_reason() {
    let _one = one_at_a_time();
    let clock = Clock::start();
    let artifacts = Artifacts::new("dane");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
    fake_smtp_binary(); // panics, saying how to build it, when it is missing
    let mut lab = Lab::new("dane");
    let mx1 = lab.add_server_ip(Family::V4);
    let mx2 = lab.add_server_ip(Family::V4);
    let mx1_cert = ServerCert::self_signed(&["mx1.dane.test"]);
    let mx2_cert = ServerCert::self_signed(&["not-the-mx.example"]);
    let stray = ServerCert::self_signed(&["stray.example"]);
    lab.fake_smtp_with_cert(SocketAddr::new(mx1, 25), "starttls", &mx1_cert);
    lab.fake_smtp_with_cert(SocketAddr::new(mx2, 25), "starttls", &mx2_cert);
    let (good, mx2_tlsa) = (mx1_cert.tlsa(3, 1, 1), mx2_cert.tlsa(3, 1, 1));
    lab.serve_dns(&[zone(mx1, &good, mx2, &mx2_tlsa)]);
    lab.serve_validating_resolver();
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    let toasts = Notifications::start(&session, &artifacts).expect("dbus-monitor starts");
    let data = app::data_dir(&settings()).expect("a data directory");

    let window = lab::window_with_detail(&mut lab, &session, data.path(), &artifacts);
    clock.log("WebDriver session open, the domain's detail shown");
    let shot = |name: &str| mail_policy::screenshot(&window, &artifacts, &clock, name);
    mail_policy::wait_states(
        &window,
        "dane",
        &["matched", "matched"],
        SHOWN_WITHIN,
        &clock,
    );
    shot("dane-matched.png");
    let pid = app::wait_app_processes(data.path(), 1)[0];
    let item = tray::wait_item(&session.bus, pid, STARTUP).expect("the app's tray item");
    let colour = |c: Colour, what: &str| {
        tray::wait_colour(&session.bus, &item, c, SHOWN_WITHIN)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        clock.log(format!("ok: the tray icon is {c:?} ({what})"));
    };
    colour(
        Colour::Green,
        "both MX hosts match their TLSA records, mx2 self-signed",
    );

    // mx1's record now names another certificate: DANE senders refuse mx1.
    lab.serve_dns(&[zone(mx1, &stray.tlsa(3, 1, 1), mx2, &mx2_tlsa)]);
    clock.log("mx1's TLSA record replaced by one for another certificate");
    let failed = toasts
        .wait_for("Notify 'SMTP failed'", SHOWN_WITHIN, |n| {
            n.summary == format!("SMTP failed: {MONITOR}")
        })
        .unwrap_or_else(|e| panic!("{e}"));
    clock.log(format!("ok: toast {:?}: {:?}", failed.summary, failed.body));
    assert!(
        failed.body.contains(
            "DANE senders will refuse this host: no TLSA record matches the served certificate"
        ),
        "{}",
        failed.body
    );
    colour(Colour::Red, "DANE senders refuse mx1");
    mail_policy::wait_states(
        &window,
        "dane",
        &["no_match", "matched"],
        SHOWN_WITHIN,
        &clock,
    );
    shot("dane-no-match.png");

    // The record restored: green again.
    lab.serve_dns(&[zone(mx1, &good, mx2, &mx2_tlsa)]);
    clock.log("mx1's TLSA record restored");
    colour(Colour::Green, "the record matches again");
    mail_policy::wait_states(
        &window,
        "dane",
        &["matched", "matched"],
        SHOWN_WITHIN,
        &clock,
    );
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
    drop(window);
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
}
