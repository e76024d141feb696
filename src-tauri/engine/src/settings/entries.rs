//! The entries: one per setting, with its key, default, range and meaning, and the list of all
//! of them in the documented order.

use super::kinds::{Choice, Flag, Int, List, Setting, Text};
use super::SMTP_PORT;

/// `qos_ms`.
pub const QOS_MS: Int = Int {
    key: "qos_ms",
    default: 1000,
    min: 1,
    max: 300_000,
    unit: "ms",
    noun: None,
    doc: "QoS in milliseconds: a 250 later than this is a warning, later than twice this a failure",
};

/// `interval_s`.
pub const INTERVAL_S: Int = Int {
    key: "interval_s",
    default: 60,
    min: 1,
    max: 86_400,
    unit: "s",
    noun: None,
    doc: "Seconds between probes; longer than twice the QoS",
};

/// `retry_s`.
pub const RETRY_S: Int = Int {
    key: "retry_s",
    default: 10,
    min: 1,
    max: 86_400,
    unit: "s",
    noun: None,
    doc: "Seconds before the confirmation re-probe after a failed probe (never more than the interval)",
};

/// `cert_warn_days`.
pub const CERT_WARN_DAYS: Int = Int {
    key: "cert_warn_days",
    default: 14,
    min: 0,
    max: 3_650,
    unit: "days",
    noun: None,
    doc: "Fewer days left on the server's certificate than this is a warning",
};

/// `cert_crit_days`.
pub const CERT_CRIT_DAYS: Int = Int {
    key: "cert_crit_days",
    default: 3,
    min: 0,
    max: 3_650,
    unit: "days",
    noun: None,
    doc: "Fewer days left on the server's certificate than this is a failure; not above cert_warn_days",
};

/// `port`: its default depends on the TLS mode ([`default_port`]).
#[allow(clippy::cast_lossless)]
pub const PORT: Int = Int {
    key: "port",
    // `i64::from` is not const; the cast widens.
    default: SMTP_PORT as i64,
    min: 1,
    max: 65_535,
    unit: "",
    noun: Some("a port"),
    doc: "TCP port: 25, or 465 for implicit TLS, unless set",
};

/// `failed_after`.
pub const FAILED_AFTER: Int = Int {
    key: "failed_after",
    default: 2,
    min: 1,
    max: 1_000,
    unit: "",
    noun: None,
    doc: "Consecutive failed probes before a Failed alert",
};

/// `warning_after`.
pub const WARNING_AFTER: Int = Int {
    key: "warning_after",
    default: 2,
    min: 1,
    max: 1_000,
    unit: "",
    noun: None,
    doc: "Consecutive QoS warnings before a Warning alert",
};

/// `repeat_every_min`.
pub const REPEAT_EVERY_MIN: Int = Int {
    key: "repeat_every_min",
    default: 0,
    min: 0,
    max: 10_080,
    unit: "min",
    noun: None,
    doc: "Remind every this many minutes while a monitor stays Failed; 0 for never",
};

/// `retention_days`.
pub const RETENTION_DAYS: Int = Int {
    key: "retention_days",
    default: 30,
    min: 1,
    max: 3_650,
    unit: "days",
    noun: None,
    doc: "Days of raw results the history keeps",
};

/// `on_recovery`.
pub const ON_RECOVERY: Flag = Flag {
    key: "on_recovery",
    default: true,
    doc: "Alert when a monitor recovers",
};

/// `every_failure`.
pub const EVERY_FAILURE: Flag = Flag {
    key: "every_failure",
    default: false,
    doc: "Alert on every failed probe, confirmations or not",
};

/// `insecure`.
pub const INSECURE: Flag = Flag {
    key: "insecure",
    default: false,
    doc: "Skip certificate verification (the report still says whether it would verify)",
};

/// `enabled`.
pub const ENABLED: Flag = Flag {
    key: "enabled",
    default: true,
    doc: "Probe this monitor",
};

/// `tls`.
pub const TLS: Choice = Choice {
    key: "tls",
    words: &["none", "starttls", "implicit"],
    doc: "none, starttls (RFC 3207) or implicit (TLS from the first byte, RFC 8314)",
};

/// `family`.
pub const FAMILY: Choice = Choice {
    key: "family",
    words: &["any", "ipv4", "ipv6"],
    doc: "The address family to connect over",
};

/// `addresses`.
pub const ADDRESSES: Choice = Choice {
    key: "addresses",
    words: &["all", "first"],
    doc: "all: probe every address of the host (at most 8), each a target, the worst shown; first: only the first address that answers",
};

/// `id`.
pub const ID: Text = Text {
    key: "id",
    doc: "A stable identity kept across renames; the name when not set",
};

/// `name`.
pub const NAME: Text = Text {
    key: "name",
    doc: "Unique; the label in metrics, toasts and the tray. Required",
};

/// `host`.
pub const HOST: Text = Text {
    key: "host",
    doc: "Host name or IP address (IPv6 with or without brackets). Required, unless the monitor names a domain",
};

/// `domain`.
pub const DOMAIN: Text = Text {
    key: "domain",
    doc: "A mail domain instead of a host: every address of every MX host (at most 10 hosts, one IPv4 and one IPv6 address each) probed on port 25 with opportunistic STARTTLS",
};

/// `ehlo_name`.
pub const EHLO_NAME: Text = Text {
    key: "ehlo_name",
    doc: "The name sent with EHLO; this machine's FQDN, else its address literal, when not set",
};

/// `ca_file`.
pub const CA_FILE: Text = Text {
    key: "ca_file",
    doc: "A PEM file of CA certificates trusted beside the system's",
};

/// `require_ext`.
pub const REQUIRE_EXT: List = List {
    key: "require_ext",
    doc: "EHLO keywords the server must advertise (RFC 5321 ehlo-keyword), e.g. STARTTLS SIZE",
};

/// `hosts` of `[control]`.
pub const CONTROL_HOSTS: List = List {
    key: "hosts",
    doc: "Control hosts (at most 8): large MX hosts tried on ports 25 and 443 when every port-25 monitor fails to connect, to tell a block on this network from dead servers; none: off",
};

/// The most control hosts `[control]` takes.
pub const MAX_CONTROL_HOSTS: usize = 8;

/// `resolver` of `[dns]`.
pub const DNS_RESOLVER: List = List {
    key: "resolver",
    doc: "DNS servers for mail domains (MX, then each MX host's A/AAAA), ip:port or an IP address (port 53); none: the system's configuration (/etc/resolv.conf, the registry on Windows)",
};

/// The most servers `[dns] resolver` takes.
pub const MAX_DNS_RESOLVERS: usize = 3;

/// `min_ttl_s` of `[dns]`.
pub const DNS_MIN_TTL_S: Int = Int {
    key: "min_ttl_s",
    default: 30,
    min: 1,
    max: 3_600,
    unit: "s",
    noun: None,
    doc: "The shortest time a DNS answer for a mail domain is kept: its TTL, clamped to this … 1 h",
};

/// `dane` of `[mail_policy]`.
pub const POLICY_DANE: Flag = Flag {
    key: "dane",
    default: true,
    doc: "Check each MX host's TLSA records (RFC 7672) against the certificate it serves; needs a validating resolver on loopback, else says \"not checked\"",
};

/// `mta_sts` of `[mail_policy]`.
pub const POLICY_MTA_STS: Flag = Flag {
    key: "mta_sts",
    default: true,
    doc: "Check each mail domain's MTA-STS policy (RFC 8461) against its MX hosts and the certificates they serve: one TXT lookup per probe, the policy fetched over HTTPS when its id changes or its max_age ends",
};

/// `tls_rpt` of `[mail_policy]`.
pub const POLICY_TLS_RPT: Flag = Flag {
    key: "tls_rpt",
    default: true,
    doc: "Check each mail domain's TLS-RPT record (RFC 8460): amber when it is broken, nothing when absent; one TXT lookup per probe",
};

/// `blocklists` of `[mail_policy]`.
pub const POLICY_BLOCKLISTS: List = List {
    key: "blocklists",
    doc: "DNS blocklist zones (RFC 5782) every MX address is looked up in, at most once an hour per address and list (at most 8 lists); none: off",
};

/// The most lists `[mail_policy] blocklists` takes.
pub const MAX_BLOCKLISTS: usize = 8;

/// `mta_sts_ca_file` of `[mail_policy]`.
pub const POLICY_CA_FILE: Text = Text {
    key: "mta_sts_ca_file",
    doc: "A PEM file of CA certificates trusted beside the system's for MTA-STS: the policy host's certificate and the MX hosts' certificates as a sending MTA checks them",
};

/// Every setting, in the documented order.
pub const ALL: &[Setting] = &[
    Setting::Int(&QOS_MS),
    Setting::Int(&INTERVAL_S),
    Setting::Int(&RETRY_S),
    Setting::Int(&CERT_WARN_DAYS),
    Setting::Int(&CERT_CRIT_DAYS),
    Setting::Int(&PORT),
    Setting::Int(&FAILED_AFTER),
    Setting::Int(&WARNING_AFTER),
    Setting::Int(&REPEAT_EVERY_MIN),
    Setting::Int(&RETENTION_DAYS),
    Setting::Flag(&ON_RECOVERY),
    Setting::Flag(&EVERY_FAILURE),
    Setting::Flag(&INSECURE),
    Setting::Flag(&ENABLED),
    Setting::Choice(&TLS),
    Setting::Choice(&FAMILY),
    Setting::Choice(&ADDRESSES),
    Setting::Text(&ID),
    Setting::Text(&NAME),
    Setting::Text(&HOST),
    Setting::Text(&DOMAIN),
    Setting::Text(&EHLO_NAME),
    Setting::Text(&CA_FILE),
    Setting::List(&REQUIRE_EXT),
    Setting::List(&CONTROL_HOSTS),
    Setting::List(&DNS_RESOLVER),
    Setting::Int(&DNS_MIN_TTL_S),
    Setting::Flag(&POLICY_DANE),
    Setting::Flag(&POLICY_MTA_STS),
    Setting::Flag(&POLICY_TLS_RPT),
    Setting::List(&POLICY_BLOCKLISTS),
    Setting::Text(&POLICY_CA_FILE),
];
