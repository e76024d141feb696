//! The lab's DNSSEC: a signed zone served by NSD validates through the validating resolver in
//! the client namespace (the AD bit, as `drill` shows it), an unsigned one answers without it,
//! an edited signed zone re-signed with the same keys and a signed zone added later validate
//! within seconds, and a fake SMTP server presents the certificate the test gave it — all
//! without a packet leaving the lab. Needs root, NSD, unbound and ldnsutils: `#[ignore]`d, run by `scripts/test` with
//! `--include-ignored`.

#![cfg(target_os = "linux")]

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use ehlowatch_testkit::netns::{Family, Lab, Zone};
use ehlowatch_testkit::{ServerCert, TestPki, Validity};

/// How long an edited zone may take to show through the resolver: its 2 s TTL, the
/// resolver's 2 s cache, and a loaded machine.
const EDIT_SHOWS_WITHIN: Duration = Duration::from_secs(15);

/// What `drill` saw for one query.
#[derive(Debug)]
struct Answer {
    rcode: String,
    /// The header's flags (`qr`, `rd`, `ra`, `ad`…).
    flags: Vec<String>,
    /// The rdata of each answer record of the asked type, e.g. `3 1 1 ab12…`.
    rdata: Vec<String>,
}

impl Answer {
    fn authenticated(&self) -> bool {
        self.flags.iter().any(|f| f == "ad")
    }
}

/// Asks `resolver` from the client namespace, with the DO bit (`drill -D`), for `name`'s
/// records of type `qtype`.
fn drill(lab: &Lab, resolver: SocketAddr, name: &str, qtype: &str) -> Answer {
    let out = lab
        .client_cmd("drill")
        .args(["-D", "-p", &resolver.port().to_string(), name, qtype])
        .arg(format!("@{}", resolver.ip()))
        .output()
        .expect("drill in the client namespace");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "drill {name} {qtype} failed: {}{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let header = text
        .lines()
        .find(|l| l.starts_with(";; ->>HEADER<<-"))
        .unwrap_or_else(|| panic!("no header in drill's answer:\n{text}"));
    let rcode = header
        .split("rcode: ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_default()
        .to_owned();
    let flags = text
        .lines()
        .find_map(|l| l.strip_prefix(";; flags: "))
        .unwrap_or_else(|| panic!("no flags in drill's answer:\n{text}"))
        .split(';')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let rdata = text
        .lines()
        .skip_while(|l| !l.starts_with(";; ANSWER SECTION:"))
        .skip(1)
        .take_while(|l| !l.starts_with(";;"))
        .filter_map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            (fields.len() > 4 && fields[3] == qtype).then(|| fields[4..].join(" "))
        })
        .collect();
    Answer {
        rcode,
        flags,
        rdata,
    }
}

/// The signed zone `dane.test` (TTL 2 s): `mx1` at `mx` with a TLSA record `tlsa`.
fn dane_zone(mx: IpAddr, tlsa: &str) -> Zone {
    Zone::new("dane.test")
        .ttl(2)
        .signed()
        .ip("mx1", mx)
        .mx(10, "mx1")
        .raw(&format!("_25._tcp.mx1 TLSA {tlsa}"))
}

#[test]
#[ignore = "needs root, network namespaces and NSD/unbound: scripts/test runs it"]
fn a_signed_tlsa_validates_an_unsigned_one_does_not_and_edits_validate_within_seconds() {
    let mut lab = Lab::new("dnssec");
    let mx = lab.add_server_ip(Family::V4);
    let first = ServerCert::self_signed(&["mx1.dane.test"]).tlsa(3, 1, 1);
    let plain = Zone::new("plain.test")
        .ttl(2)
        .ip("mx1", mx)
        .raw(&format!("_25._tcp.mx1 TLSA {first}"));
    lab.serve_dns(&[dane_zone(mx, &first), plain.clone()]);
    let resolver = lab.serve_validating_resolver();
    assert_eq!(resolver, "127.0.0.1:53".parse().expect("address"));

    let signed = drill(&lab, resolver, "_25._tcp.mx1.dane.test", "TLSA");
    assert_eq!(signed.rcode, "NOERROR", "{signed:?}");
    assert_eq!(signed.rdata, std::slice::from_ref(&first), "{signed:?}");
    assert!(
        signed.authenticated(),
        "no AD bit on a signed answer: {signed:?}"
    );
    let address = drill(&lab, resolver, "mx1.dane.test", "A");
    assert_eq!(address.rdata, [mx.to_string()], "{address:?}");
    assert!(address.authenticated(), "{address:?}");
    let missing = drill(&lab, resolver, "_25._tcp.mx2.dane.test", "TLSA");
    assert_eq!(missing.rcode, "NXDOMAIN", "{missing:?}");
    assert!(
        missing.authenticated(),
        "a signed NXDOMAIN is proven: {missing:?}"
    );

    let unsigned = drill(&lab, resolver, "_25._tcp.mx1.plain.test", "TLSA");
    assert_eq!(unsigned.rcode, "NOERROR", "{unsigned:?}");
    assert_eq!(unsigned.rdata, std::slice::from_ref(&first), "{unsigned:?}");
    assert!(
        !unsigned.authenticated(),
        "an unsigned answer with the AD bit: {unsigned:?}"
    );

    // The zone edited and served again: the new record, validated, within seconds.
    let second = ServerCert::self_signed(&["mx1.dane.test"]).tlsa(3, 1, 1);
    assert_ne!(first, second);
    lab.serve_dns(&[dane_zone(mx, &second), plain.clone()]);
    let now = until_shown(&lab, resolver, "_25._tcp.mx1.dane.test", "TLSA", &second);
    assert!(now.authenticated(), "{now:?}");

    // A signed zone added later: its trust anchor is taken too.
    let later = Zone::new("later.test").ttl(2).signed().ip("mx1", mx);
    lab.serve_dns(&[dane_zone(mx, &second), plain, later]);
    let now = until_shown(&lab, resolver, "mx1.later.test", "A", &mx.to_string());
    assert!(now.authenticated(), "{now:?}");
    let still = drill(&lab, resolver, "_25._tcp.mx1.dane.test", "TLSA");
    assert!(still.authenticated(), "{still:?}");
    assert_eq!(lab.escaped_packets(), 0);
}

/// Asks `resolver` for `name`'s `qtype` records until it answers with exactly `rdata` and the
/// AD bit, within [`EDIT_SHOWS_WITHIN`]; that answer.
fn until_shown(lab: &Lab, resolver: SocketAddr, name: &str, qtype: &str, rdata: &str) -> Answer {
    let deadline = Instant::now() + EDIT_SHOWS_WITHIN;
    loop {
        let now = drill(lab, resolver, name, qtype);
        if now.rdata == [rdata] && now.authenticated() {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{name} {qtype} {rdata} is not answered with AD after {EDIT_SHOWS_WITHIN:?}: {now:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs root, network namespaces and NSD/unbound: scripts/test runs it"]
fn a_fake_smtp_server_presents_the_certificate_chain_the_test_gave_it() {
    let mut lab = Lab::new("cert");
    let mx = lab.add_server_ip(Family::V4);
    let pki = TestPki::new();
    let cert = pki.server_cert(&["mx1.dane.test"], Validity::FRESH);
    lab.fake_smtp_with_cert(SocketAddr::new(mx, 25), "starttls", &cert);
    // What a client meets after STARTTLS: every certificate sent, then the leaf as DER.
    let script = "openssl s_client -starttls smtp -connect \"$0:25\" -showcerts </dev/null \
                  2>/dev/null | tee /dev/stderr | openssl x509 -outform DER";
    let out = lab
        .client_cmd("timeout")
        .args(["20", "bash", "-c", script])
        .arg(mx.to_string())
        .output()
        .expect("openssl in the client namespace");
    let shown = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "no certificate after STARTTLS: {shown}"
    );
    assert_eq!(out.stdout, cert.chain[0].as_ref(), "another leaf: {shown}");
    assert_eq!(shown.matches("BEGIN CERTIFICATE").count(), 2, "{shown}");
    assert_eq!(lab.escaped_packets(), 0);
}
