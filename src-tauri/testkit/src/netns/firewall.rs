//! The lab's packet filter, with Debian's `iptables`/`ip6tables` (the `nf_tables` backend; `-w`
//! for the legacy one's lock), the same rules for both families.
//!
//! In the client namespace, `OUTPUT` jumps first to `ew-count`, which counts every packet
//! leaving for an address outside the lab (not loopback, not the lab's subnets, and for IPv6
//! not link-local or multicast, which neighbour discovery uses) in its last rule, commented
//! `ew-escaped`; then to `ew-drop`, which holds the drops a test asks for. In the server
//! namespace, `INPUT` drops what is sent to a dead address.

use std::net::IpAddr;

use super::exec;

/// The chain counting packets that leave for outside the lab.
const COUNT: &str = "ew-count";
/// The chain holding the drops a test asks for.
const DROP: &str = "ew-drop";
/// The comment on the counting rule.
const ESCAPED: &str = "ew-escaped";
/// The interface joining the client to the server.
pub(super) const VETH: &str = "veth0";

/// The two families' tools.
const TOOLS: [&str; 2] = ["iptables", "ip6tables"];

/// Runs `tool -w ARGS` in namespace `ns`; panics with its stderr when it fails.
fn rule(ns: &str, tool: &str, args: &[&str]) -> String {
    let mut cmd = exec::in_ns(ns, exec::tool(tool));
    cmd.arg("-w").args(args);
    exec::run(&mut cmd)
}

/// Installs the counting and drop chains in the client namespace `ns`; `v4` and `v6` are the
/// lab's subnets (CIDR).
pub(super) fn install(ns: &str, v4: &str, v6: &str) {
    for tool in TOOLS {
        rule(ns, tool, &["-N", COUNT]);
        rule(ns, tool, &["-N", DROP]);
        rule(ns, tool, &["-A", "OUTPUT", "-j", COUNT]);
        rule(ns, tool, &["-A", "OUTPUT", "-j", DROP]);
        rule(ns, tool, &["-A", COUNT, "-o", "lo", "-j", "RETURN"]);
        let inside: &[&str] = if tool == "iptables" {
            &[v4]
        } else {
            &[v6, "fe80::/10", "ff00::/8"]
        };
        for net in inside {
            rule(ns, tool, &["-A", COUNT, "-d", net, "-j", "RETURN"]);
        }
        rule(
            ns,
            tool,
            &[
                "-A",
                COUNT,
                "-m",
                "comment",
                "--comment",
                ESCAPED,
                "-j",
                "RETURN",
            ],
        );
    }
}

/// Drops outbound TCP to `port` leaving the client namespace `ns` through the veth.
pub(super) fn drop_tcp(ns: &str, port: u16) {
    let port = port.to_string();
    for tool in TOOLS {
        rule(
            ns,
            tool,
            &[
                "-A", DROP, "-o", VETH, "-p", "tcp", "--dport", &port, "-j", "DROP",
            ],
        );
    }
}

/// Drops every packet leaving the client namespace `ns` except through loopback.
pub(super) fn drop_all_but_lo(ns: &str) {
    for tool in TOOLS {
        rule(ns, tool, &["-A", DROP, "!", "-o", "lo", "-j", "DROP"]);
    }
}

/// Removes every drop from the client namespace `ns`; the counter keeps counting.
pub(super) fn clear(ns: &str) {
    for tool in TOOLS {
        rule(ns, tool, &["-F", DROP]);
    }
}

/// How many packets the client namespace `ns` sent to addresses outside the lab, both
/// families together.
pub(super) fn escaped(ns: &str) -> u64 {
    TOOLS
        .iter()
        .map(|tool| {
            let listing = rule(ns, tool, &["-n", "-v", "-x", "-L", COUNT]);
            listing
                .lines()
                .find(|line| line.contains(ESCAPED))
                .and_then(|line| line.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or_else(|| {
                    panic!("netns lab: no `{ESCAPED}` counter in {tool} -L {COUNT}:\n{listing}")
                })
        })
        .sum()
}

/// Drops every packet sent to `ip` on arrival in the server namespace `ns`: connections to it
/// time out.
pub(super) fn drop_inbound_to(ns: &str, ip: IpAddr) {
    let tool = if ip.is_ipv4() { TOOLS[0] } else { TOOLS[1] };
    rule(
        ns,
        tool,
        &["-A", "INPUT", "-d", &ip.to_string(), "-j", "DROP"],
    );
}
