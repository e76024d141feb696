//! The lab's validating resolver: Debian's `unbound`, run in the foreground (`unbound -d`) as
//! root with no chroot in the client namespace on `127.0.0.1:53`, on a private config under the
//! lab's directory. It asks only the lab's NSD (a stub zone for the root and for each served
//! zone: no root priming, no `unbound-anchor`, nothing leaves the lab) and validates the signed
//! zones against their KSKs' DS records as trust anchors; answers live at most 2 s in its
//! cache, so an edited zone shows within seconds. It logs every query it receives (cache hits
//! too), which [`Lab::resolver_queries`] counts.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::Child;

use super::lab::{Family, Lab};
use super::{dnssec, exec};

/// What unbound logs once it serves.
const STARTED: &str = "start of service";

/// The longest time, in seconds, unbound keeps any answer (positive or negative) or a
/// server's state in its caches.
const CACHE_MAX_S: u32 = 2;

/// Where the resolver listens in the client namespace.
const LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 53);

impl Lab {
    /// Starts a validating resolver, unbound, on `127.0.0.1:53` of the client namespace and
    /// returns that address once it serves: the software under test, run there by
    /// [`client_cmd`](Self::client_cmd), points its resolver at it (and may trust its AD bit,
    /// being on loopback). It resolves only through the lab's NSD ([`serve_dns`](Self::serve_dns),
    /// called before or after), validating every [signed](super::Zone::signed) zone against the
    /// lab's keys; unsigned zones answer without the AD bit. Answers, negative ones too, are
    /// cached at most 2 s. A later `serve_dns` keeps it answering (the zones' new records within
    /// their TTL); it is stopped when the lab drops. Called again, it returns the same address.
    /// Panics quoting `unbound-checkconf` or unbound's log when it does not start.
    pub fn serve_validating_resolver(&mut self) -> SocketAddr {
        if self.resolver.is_none() {
            let conf = self.resolver_conf();
            self.resolver = Some(start(&self.client, &self.resolver_dir(), conf));
        }
        LISTEN
    }

    /// Restarts a running resolver when its config changed (zones or trust anchors were added or
    /// removed by [`serve_dns`](Self::serve_dns)); otherwise leaves it, caches and all.
    pub(super) fn refresh_resolver(&mut self) {
        let conf = self.resolver_conf();
        let Some((child, running)) = self.resolver.as_mut() else {
            return;
        };
        if *running == conf {
            return;
        }
        exec::stop(child);
        self.resolver = None;
        self.resolver = Some(start(&self.client, &self.resolver_dir(), conf));
    }

    /// How many queries for `name` (fully qualified, with or without its final dot) of type
    /// `qtype` (`A`, `TXT` …) the resolver of
    /// [`serve_validating_resolver`](Self::serve_validating_resolver) has received since it
    /// last started, from its query log: what the software under test asked, cached or not.
    /// Zero when it never ran.
    pub fn resolver_queries(&self, name: &str, qtype: &str) -> usize {
        let log = fs::read_to_string(self.resolver_dir().join("unbound.log")).unwrap_or_default();
        count_queries(&log, name, qtype)
    }

    fn resolver_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("unbound")
    }

    /// The resolver's config for the zones served now.
    fn resolver_conf(&self) -> String {
        let dir = self.resolver_dir();
        let nsd = self.server_ip(Family::V4);
        let origins: Vec<&str> = self.zones.iter().map(super::Zone::origin).collect();
        let anchors: Vec<String> = self
            .zones
            .iter()
            .filter(|zone| zone.is_signed())
            .map(|zone| dnssec::trust_anchor(&self.keys_dir(), zone.origin()))
            .collect();
        config(&dir, nsd, &origins, &anchors)
    }
}

/// The lines of unbound's `log`, with `log-queries: yes`, that tell a query for `name` of type
/// `qtype`: `… info: 127.0.0.1 10.2.0.192.bl.test. A IN`. Names are compared without case.
fn count_queries(log: &str, name: &str, qtype: &str) -> usize {
    let wanted = format!(
        " {}. {} IN",
        name.trim_end_matches('.').to_ascii_lowercase(),
        qtype.to_ascii_uppercase()
    );
    log.lines()
        .filter(|line| line.contains(" info: "))
        .filter(|line| {
            line.to_ascii_lowercase()
                .ends_with(&wanted.to_ascii_lowercase())
        })
        .count()
}

/// unbound's config: files under `dir`, every query to `nsd` through stub zones for the root and
/// each of `origins`, `anchors` (DS records, one zone-file line each) as trust anchors.
fn config(dir: &Path, nsd: IpAddr, origins: &[&str], anchors: &[String]) -> String {
    let d = dir.display();
    let mut conf = format!(
        "server:\n  chroot: \"\"\n  username: \"\"\n  directory: \"{d}\"\n  \
         pidfile: \"{d}/unbound.pid\"\n  use-syslog: no\n  logfile: \"{d}/unbound.log\"\n  \
         log-time-ascii: yes\n  verbosity: 1\n  val-log-level: 2\n  log-servfail: yes\n  log-queries: yes\n  \
         interface: {ip}\n  port: {port}\n  access-control: 127.0.0.0/8 allow\n  \
         module-config: \"validator iterator\"\n  do-not-query-localhost: no\n  do-ip6: no\n  \
         qname-minimisation: no\n  cache-max-ttl: {CACHE_MAX_S}\n  \
         cache-max-negative-ttl: {CACHE_MAX_S}\n  cache-min-ttl: 0\n  prefetch: no\n  \
         prefetch-key: no\n  infra-host-ttl: {CACHE_MAX_S}\n  val-bogus-ttl: 1\n",
        ip = LISTEN.ip(),
        port = LISTEN.port(),
    );
    // unbound answers names under special-use domains (`test.`, `invalid.`, `localhost.`…)
    // itself unless told not to: every served zone and each of its parents is resolved.
    let mut local: BTreeSet<String> = BTreeSet::new();
    for origin in origins {
        let labels: Vec<&str> = origin.split('.').collect();
        for at in 0..labels.len() {
            local.insert(labels[at..].join("."));
        }
    }
    for name in &local {
        let _ = writeln!(conf, "  local-zone: \"{name}.\" nodefault");
    }
    for anchor in anchors {
        let _ = writeln!(conf, "  trust-anchor: \"{anchor}\"");
    }
    for name in std::iter::once("").chain(origins.iter().copied()) {
        let _ = write!(
            conf,
            "stub-zone:\n  name: \"{name}.\"\n  stub-addr: {nsd}\n"
        );
    }
    conf.push_str("remote-control:\n  control-enable: no\n");
    conf
}

/// Writes `conf` into `dir`, checks it with `unbound-checkconf`, starts unbound in namespace
/// `ns` and returns it, with `conf`, once it serves. Panics quoting unbound when it does not
/// start.
fn start(ns: &str, dir: &Path, conf: String) -> (Child, String) {
    fs::create_dir_all(dir)
        .unwrap_or_else(|e| panic!("netns lab: cannot create {}: {e}", dir.display()));
    let conf_file = dir.join("unbound.conf");
    fs::write(&conf_file, &conf)
        .unwrap_or_else(|e| panic!("netns lab: cannot write {}: {e}", conf_file.display()));
    exec::run(&mut exec::command("unbound-checkconf", [&conf_file]));
    let log = dir.join("unbound.log");
    let _ = fs::remove_file(&log);
    let child = exec::start_daemon(
        ns,
        &exec::Daemon {
            name: "unbound",
            tool: "unbound",
            conf: &conf_file,
            log: &log,
            out: &dir.join("unbound.out"),
            started: STARTED,
        },
    );
    (child, conf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_stubs_root_and_each_zone_to_nsd_and_anchors_the_signed_ones() {
        let nsd: IpAddr = "10.250.0.1".parse().expect("ip");
        let anchor = "dane.test. IN DS 9400 13 2 eebf".to_owned();
        let conf = config(
            Path::new("/tmp/x"),
            nsd,
            &["dane.test", "plain.test"],
            std::slice::from_ref(&anchor),
        );
        for line in [
            "  interface: 127.0.0.1",
            "  port: 53",
            "  module-config: \"validator iterator\"",
            "  cache-max-ttl: 2",
            "  cache-max-negative-ttl: 2",
            "  log-queries: yes",
            "  local-zone: \"test.\" nodefault",
            "  local-zone: \"dane.test.\" nodefault",
            "  trust-anchor: \"dane.test. IN DS 9400 13 2 eebf\"",
            "  name: \".\"",
            "  name: \"dane.test.\"",
            "  name: \"plain.test.\"",
        ] {
            assert!(conf.lines().any(|l| l == line), "no {line:?} in\n{conf}");
        }
        assert_eq!(conf.matches("stub-addr: 10.250.0.1").count(), 3);
        assert!(!conf.contains("auto-trust-anchor-file") && !conf.contains("root-hints"));
    }

    #[test]
    fn queries_are_counted_by_name_and_type_from_the_log() {
        let log = "[1] unbound[9:0] info: start of service (unbound 1.19.2).\n\
                   [2] unbound[9:0] info: 127.0.0.1 10.2.0.192.bl.test. A IN\n\
                   [3] unbound[9:0] info: 127.0.0.1 10.2.0.192.bl.test. TXT IN\n\
                   [4] unbound[9:0] info: 127.0.0.1 10.2.0.192.BL.test. A IN\n\
                   [5] unbound[9:0] info: 127.0.0.1 110.2.0.192.bl.test. A IN\n";
        assert_eq!(count_queries(log, "10.2.0.192.bl.test", "A"), 2);
        assert_eq!(count_queries(log, "10.2.0.192.bl.test.", "txt"), 1);
        assert_eq!(count_queries(log, "11.2.0.192.bl.test", "A"), 0);
    }
}
