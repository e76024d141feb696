//! MTA-STS on the real desktop: the app runs in the client namespace of a network lab whose NSD
//! serves `sts.test` (TTL 2 s): the mail domain `live.sts.test`, its two MX hosts (fake STARTTLS
//! servers with certificates from a test CA made per run) and its `_mta-sts` record; the policy
//! host is a fake HTTPS server in the server namespace with a certificate from the same CA,
//! which the app trusts through `[mail_policy] mta_sts_ca_file`. An enforce policy covering both
//! hosts: green. Republished (a new id) covering only mx1: a critical "SMTP failed" toast giving
//! the MTA-STS reason, a red icon, and the Policy card shows mx2 "mx not covered". The same
//! policy in testing mode: amber. Fixed: green again. No packet left the lab.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use ehlowatch_testkit::netns::{Family, Lab, Zone};
use ehlowatch_testkit::{TestPki, Validity};
use serde_json::json;

use crate::desktop::app::{self, fake_smtp_binary};
use crate::desktop::lab;
use crate::desktop::mail_policy;
use crate::desktop::notifications::Notifications;
use crate::desktop::session::Session;
use crate::desktop::timing::STARTUP;
use crate::desktop::tray::{self, Colour};
use crate::desktop::{one_at_a_time, Artifacts, Clock};

/// How long a policy change may take to show: the record's TTL, a probe and its fetch, the
/// confirmation re-probe, with room for a loaded machine.
const SHOWN_WITHIN: Duration = Duration::from_secs(45);
/// The monitor's name, which the toasts name.
const MONITOR: &str = "policed";
/// One domain monitor, probed every second through the lab's NSD, the test CA trusted for
/// MTA-STS.
fn settings(nsd: IpAddr, ca: &Path) -> serde_json::Value {
    json!({
        "defaults": { "qos_ms": 400, "interval_s": 1, "retry_s": 1, "ehlo_name": "probe.example.test" },
        "dns": { "resolver": [format!("{nsd}:53")], "min_ttl_s": 1 },
        "mail_policy": { "mta_sts_ca_file": ca.display().to_string() },
        "monitor": [{ "name": MONITOR, "domain": "live.sts.test" }]
    })
}

/// `sts.test`: `live.sts.test` with its MX hosts, its policy host and its record with `id`.
fn zone(mx1: IpAddr, mx2: IpAddr, host: IpAddr, id: u32) -> Zone {
    Zone::new("sts.test")
        .ttl(2)
        .ip("mx1", mx1)
        .ip("mx2", mx2)
        .raw("live MX 10 mx1")
        .raw("live MX 20 mx2")
        .ip("mta-sts.live", host)
        .txt("_mta-sts.live", &format!("v=STSv1; id={id};"))
}

/// A policy in `mode` covering the MX hosts `mx`.
fn policy(mode: &str, mx: &[&str]) -> String {
    let patterns = mx
        .iter()
        .fold(String::new(), |all, p| all + "mx: " + p + "\r\n");
    format!("version: STSv1\r\nmode: {mode}\r\n{patterns}max_age: 86400\r\n")
}

#[test]
#[ignore = "needs the desktop stack, root, network namespaces and NSD: run by scripts/test"]
fn an_enforce_policy_that_stops_covering_an_mx_host_turns_the_tray_red_until_fixed() {
    let _one = one_at_a_time();
    let clock = Clock::start();
    let artifacts = Artifacts::new("mta_sts");
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
    fake_smtp_binary(); // panics, saying how to build it, when it is missing
    let mut lab = Lab::new("mtasts");
    let pki = TestPki::new();
    let policies = tempfile::tempdir().expect("a folder for the policy file");
    let (mx1, mx2, host) = (
        lab.add_server_ip(Family::V4),
        lab.add_server_ip(Family::V4),
        lab.add_server_ip(Family::V4),
    );
    for (ip, name) in [(mx1, "mx1.sts.test"), (mx2, "mx2.sts.test")] {
        let cert = pki.server_cert(&[name], Validity::FRESH);
        lab.fake_smtp_with_cert(SocketAddr::new(ip, 25), "starttls", &cert);
    }
    let file = policies.path().join("policy.txt");
    let publish = |lab: &mut Lab, text: &str, id: u32| {
        std::fs::write(&file, text).expect("write the policy");
        lab.serve_dns(&[zone(mx1, mx2, host, id)])
    };
    let both = ["mx1.sts.test", "mx2.sts.test"];
    let nsd = publish(&mut lab, &policy("enforce", &both), 1);
    let cert = pki.server_cert(&["mta-sts.live.sts.test"], Validity::FRESH);
    lab.fake_mta_sts(SocketAddr::new(host, 443), "good", &cert, &file);
    let session = Session::start(&artifacts, &clock).expect("the headless desktop starts");
    let toasts = Notifications::start(&session, &artifacts).expect("dbus-monitor starts");
    let data = app::data_dir(&settings(nsd, &pki.ca_file())).expect("a data directory");

    let window = lab::window_with_detail(&mut lab, &session, data.path(), &artifacts);
    clock.log("WebDriver session open, the domain's detail shown");
    let shot = |name: &str| mail_policy::screenshot(&window, &artifacts, &clock, name);
    mail_policy::wait_states(
        &window,
        "mta_sts",
        &["valid", "valid"],
        SHOWN_WITHIN,
        &clock,
    );
    let pid = app::wait_app_processes(data.path(), 1)[0];
    let item = tray::wait_item(&session.bus, pid, STARTUP).expect("the app's tray item");
    let colour = |c: Colour, what: &str| {
        tray::wait_colour(&session.bus, &item, c, SHOWN_WITHIN)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        clock.log(format!("ok: the tray icon is {c:?} ({what})"));
    };
    colour(Colour::Green, "the enforce policy covers both MX hosts");
    shot("mta-sts-valid.png");

    // A new policy that no longer covers mx2: MTA-STS senders refuse it.
    publish(&mut lab, &policy("enforce", &both[..1]), 2);
    clock.log("policy id 2: enforce, mx1 only");
    let failed = toasts
        .wait_for("Notify 'SMTP failed'", SHOWN_WITHIN, |n| {
            n.summary == format!("SMTP failed: {MONITOR}")
        })
        .unwrap_or_else(|e| panic!("{e}"));
    clock.log(format!("ok: toast {:?}: {:?}", failed.summary, failed.body));
    assert!(
        failed
            .body
            .contains("MTA-STS senders will refuse this host: mx2.sts.test"),
        "{}",
        failed.body
    );
    colour(Colour::Red, "MTA-STS senders refuse mx2");
    mail_policy::wait_states(
        &window,
        "mta_sts",
        &["valid", "mx_not_covered"],
        SHOWN_WITHIN,
        &clock,
    );
    shot("mta-sts-enforce-uncovered.png");

    // The same policy in testing mode: amber, not red.
    publish(&mut lab, &policy("testing", &both[..1]), 3);
    clock.log("policy id 3: testing, mx1 only");
    colour(Colour::Amber, "a testing policy that does not cover mx2");
    shot("mta-sts-testing.png");

    // Fixed: both hosts covered again.
    publish(&mut lab, &policy("enforce", &both), 4);
    clock.log("policy id 4: enforce, both");
    colour(Colour::Green, "the fixed policy covers both MX hosts");
    mail_policy::wait_states(
        &window,
        "mta_sts",
        &["valid", "valid"],
        SHOWN_WITHIN,
        &clock,
    );
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
    drop(window);
    clock.log(format!("artifacts folder: {}", artifacts.dir.display()));
}
