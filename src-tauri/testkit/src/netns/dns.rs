//! The lab's DNS: zones built by the test ([`Zone`]) served by a real authoritative server,
//! NSD from Debian's `nsd` package, run in the foreground (`nsd -d`) as root with
//! no chroot, its config, zone files, pid, state and log under a directory of the lab's.
//!
//! Each zone gets a SOA and an NS record (`lab-ns.<zone>`, with the server's address) of its
//! own; names in records are relative to the zone unless they end with a dot (zone-file rules,
//! RFC 1035 §5.1), `@` is the zone's apex. Records have the zone's TTL (60 s unless
//! [`Zone::ttl`] says otherwise), which is also its negative TTL. A zone marked
//! [`Zone::signed`] is DNSSEC-signed before NSD serves it (see `dnssec.rs`).

use std::fmt::Write as _;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::process::Child;

use super::{dnssec, exec};

/// What NSD logs once its zones are loaded and it serves.
const STARTED: &str = "nsd started";

/// A zone's default TTL and negative TTL, in seconds, unless [`Zone::ttl`] sets them.
const DEFAULT_TTL_S: u32 = 60;

/// One DNS zone for the lab's server, built record by record: a SOA and an NS record of its
/// own, then the records added. Every record has the zone's default TTL, 60 s unless
/// [`ttl`](Self::ttl) sets another (a record may carry its own, as [`mx_ttl`](Self::mx_ttl) or
/// [`raw`](Self::raw) lines do). A zone marked [`signed`](Self::signed) is served
/// DNSSEC-signed, with keys made once per lab and zone origin (so its trust anchor for
/// [`Lab::serve_validating_resolver`](super::Lab::serve_validating_resolver) holds across
/// re-serving); other zones are served unsigned.
///
/// ```
/// use std::net::Ipv4Addr;
/// use ehlowatch_testkit::netns::Zone;
///
/// let zone = Zone::new("example.test")
///     .ttl(2)
///     .signed()
///     .a("mx1", Ipv4Addr::new(10, 250, 0, 10))
///     .mx(10, "mx1")
///     .txt("_mta-sts", "v=STSv1; id=1")
///     .raw("_25._tcp.mx1 TLSA 3 1 1 0123456789abcdef");
/// assert_eq!(zone.origin(), "example.test");
/// assert!(zone.is_signed());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    origin: String,
    records: Vec<String>,
    ttl_s: u32,
    signed: bool,
}

impl Zone {
    /// An empty zone for `origin` (e.g. `example.test`; a trailing dot is allowed). Panics on
    /// a name that is empty or holds whitespace, quotes, `;`, `/` or parentheses.
    pub fn new(origin: &str) -> Self {
        let origin = origin.trim_end_matches('.').to_ascii_lowercase();
        check_name("Zone::new origin", &origin);
        Self {
            origin,
            records: Vec::new(),
            ttl_s: DEFAULT_TTL_S,
            signed: false,
        }
    }

    /// The zone's name, without a trailing dot.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Sets the zone's default TTL (`$TTL`) to `seconds`, for every record without a TTL of its
    /// own, and its negative TTL (the SOA minimum, RFC 2308), so a resolver asks again that soon
    /// after the zone changes — a name or type that is missing included. Panics on 0.
    #[must_use]
    pub fn ttl(mut self, seconds: u32) -> Self {
        assert!(
            seconds > 0,
            "Zone::ttl seconds {seconds}: a TTL of at least 1 s"
        );
        self.ttl_s = seconds;
        self
    }

    /// Marks the zone to be DNSSEC-signed when served: a KSK and a ZSK (ECDSA P-256,
    /// algorithm 13) made by `ldns-keygen` the first time the lab serves this origin and kept
    /// for the lab's life, the zone signed by `ldns-signzone` (NSEC, signatures valid from an
    /// hour ago for 30 days) on every [`Lab::serve_dns`](super::Lab::serve_dns).
    #[must_use]
    pub fn signed(mut self) -> Self {
        self.signed = true;
        self
    }

    /// Whether the zone is served DNSSEC-signed ([`signed`](Self::signed)).
    pub fn is_signed(&self) -> bool {
        self.signed
    }

    /// An A record: `name` has IPv4 address `ip`.
    #[must_use]
    pub fn a(self, name: &str, ip: Ipv4Addr) -> Self {
        self.record("Zone::a name", name, "A", &ip.to_string())
    }

    /// An AAAA record: `name` has IPv6 address `ip`.
    #[must_use]
    pub fn aaaa(self, name: &str, ip: Ipv6Addr) -> Self {
        self.record("Zone::aaaa name", name, "AAAA", &ip.to_string())
    }

    /// An A or AAAA record, by the family of `ip`.
    #[must_use]
    pub fn ip(self, name: &str, ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => self.a(name, v4),
            IpAddr::V6(v6) => self.aaaa(name, v6),
        }
    }

    /// An MX record at the zone's apex: mail goes to `host` (relative unless it ends with a
    /// dot; `mx(0, ".")` is a null MX, RFC 7505) with `preference`.
    #[must_use]
    pub fn mx(self, preference: u16, host: &str) -> Self {
        check_name("Zone::mx host", host);
        self.record("Zone::mx", "@", "MX", &format!("{preference} {host}"))
    }

    /// An MX record like [`Self::mx`] with its own TTL in seconds (instead of the zone's,
    /// [`Self::ttl`]),
    /// so a resolver asks again that soon after the zone changes.
    #[must_use]
    pub fn mx_ttl(self, ttl_s: u32, preference: u16, host: &str) -> Self {
        check_name("Zone::mx_ttl host", host);
        self.raw(&format!("@ {ttl_s} IN MX {preference} {host}"))
    }

    /// A TXT record: `name` has `text` (quoted for the zone file, split into strings of at
    /// most 255 bytes as RFC 1035 requires).
    #[must_use]
    pub fn txt(self, name: &str, text: &str) -> Self {
        let mut rdata = String::new();
        let bytes = text.as_bytes();
        for chunk in bytes.chunks(255).chain(bytes.is_empty().then_some(&[][..])) {
            rdata.push('"');
            for &b in chunk {
                match b {
                    b'"' | b'\\' => {
                        rdata.push('\\');
                        rdata.push(char::from(b));
                    }
                    0x20..=0x7e => rdata.push(char::from(b)),
                    _ => {
                        let _ = write!(rdata, "\\{b:03}");
                    }
                }
            }
            rdata.push_str("\" ");
        }
        self.record("Zone::txt name", name, "TXT", rdata.trim_end())
    }

    /// One zone-file line as it is, e.g. `"_25._tcp.mx1 TLSA 3 1 1 ab12…"` or
    /// `"www CNAME mx1"` (the class `IN` and the TTL may be left out).
    #[must_use]
    pub fn raw(mut self, line: &str) -> Self {
        assert!(
            !line.contains('\n'),
            "Zone::raw line {line:?}: one line, without a line break"
        );
        self.records.push(line.to_owned());
        self
    }

    fn record(mut self, field: &str, name: &str, kind: &str, rdata: &str) -> Self {
        check_name(field, name);
        self.records.push(format!("{name} IN {kind} {rdata}"));
        self
    }

    /// The zone file, with its SOA and NS (`lab-ns`, at `server`).
    fn render(&self, server: IpAddr) -> String {
        let glue = if server.is_ipv4() { "A" } else { "AAAA" };
        let mut text = format!(
            "$ORIGIN {origin}.\n$TTL {ttl}\n\
             @ IN SOA lab-ns hostmaster 1 3600 600 86400 {ttl}\n\
             @ IN NS lab-ns\n\
             lab-ns IN {glue} {server}\n",
            origin = self.origin,
            ttl = self.ttl_s
        );
        for line in &self.records {
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

/// Panics unless `name` can stand as one owner or target name in a zone file.
fn check_name(field: &str, name: &str) {
    let bad = name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || "\"';()/\\".contains(c) || c.is_control());
    assert!(
        !bad,
        "{field} {name:?}: not a DNS name (empty, or holds whitespace, quotes, ';', '/' or \
         parentheses)"
    );
}

/// Writes NSD's config and `zones` into `dir` (a fresh directory), signs the signed ones with
/// the keys kept under `keys` (made there the first time), checks them with
/// `nsd-checkconf`/`nsd-checkzone`, starts NSD in namespace `ns` on port 53 (UDP and TCP) of
/// each of `listen`, and returns once it serves. `listen[0]` is the zones' NS address.
/// Panics quoting NSD's words when a zone or the config is refused or NSD does not start.
pub(super) fn start(ns: &str, dir: &Path, keys: &Path, listen: &[IpAddr], zones: &[Zone]) -> Child {
    assert!(
        !zones.is_empty(),
        "netns lab: serve_dns needs at least one zone"
    );
    fs::create_dir_all(dir)
        .unwrap_or_else(|e| panic!("netns lab: cannot create {}: {e}", dir.display()));
    let d = dir.display();
    let mut conf = String::from("server:\n");
    for ip in listen {
        let _ = writeln!(conf, "  ip-address: {ip}");
    }
    let _ = write!(
        conf,
        "  port: 53\n  chroot: \"\"\n  username: \"\"\n  zonesdir: \"{d}\"\n  \
         zonelistfile: \"{d}/zone.list\"\n  database: \"\"\n  pidfile: \"{d}/nsd.pid\"\n  \
         xfrdfile: \"{d}/xfrd.state\"\n  xfrdir: \"{d}\"\n  logfile: \"{d}/nsd.log\"\n  \
         server-count: 1\n  verbosity: 1\n\
         remote-control:\n  control-enable: no\n"
    );
    for zone in zones {
        let mut file = dir.join(format!("{}.zone", zone.origin));
        write(&file, &zone.render(listen[0]));
        if zone.signed {
            file = dnssec::sign(keys, &zone.origin, &file);
        }
        let mut check = exec::command("nsd-checkzone", [zone.origin.as_str()]);
        check.arg(&file);
        exec::run(&mut check);
        let _ = write!(
            conf,
            "zone:\n  name: \"{}\"\n  zonefile: \"{}\"\n",
            zone.origin,
            file.display()
        );
    }
    let conf_file = dir.join("nsd.conf");
    write(&conf_file, &conf);
    let mut check = exec::command("nsd-checkconf", [&conf_file]);
    exec::run(&mut check);

    exec::start_daemon(
        ns,
        &exec::Daemon {
            name: "NSD",
            tool: "nsd",
            conf: &conf_file,
            log: &dir.join("nsd.log"),
            out: &dir.join("nsd.out"),
            started: STARTED,
        },
    )
}

fn write(path: &Path, text: &str) {
    fs::write(path, text)
        .unwrap_or_else(|e| panic!("netns lab: cannot write {}: {e}", path.display()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_renders_its_soa_ns_and_records() {
        let zone = Zone::new("Example.TEST.")
            .a("mx1", Ipv4Addr::new(10, 0, 0, 1))
            .aaaa("mx1", "fd00::1".parse().expect("v6"))
            .mx(10, "mx1")
            .txt("@", "say \"hi\"")
            .raw("www CNAME mx1");
        let text = zone.render("10.0.0.53".parse().expect("ip"));
        assert_eq!(zone.origin(), "example.test");
        for line in [
            "$ORIGIN example.test.",
            "@ IN NS lab-ns",
            "lab-ns IN A 10.0.0.53",
            "mx1 IN A 10.0.0.1",
            "mx1 IN AAAA fd00::1",
            "@ IN MX 10 mx1",
            "@ IN TXT \"say \\\"hi\\\"\"",
            "www CNAME mx1",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
        }
    }

    #[test]
    fn long_txt_is_split_into_strings_of_255_bytes() {
        let zone = Zone::new("t.test").txt("x", &"a".repeat(300));
        let line = &zone.records[0];
        assert!(line.contains(&format!("\"{}\" \"{}\"", "a".repeat(255), "a".repeat(45))));
    }

    #[test]
    #[should_panic(expected = "Zone::a name \"bad name\"")]
    fn a_bad_name_is_refused_naming_the_field_and_value() {
        let _ = Zone::new("t.test").a("bad name", Ipv4Addr::LOCALHOST);
    }
}
