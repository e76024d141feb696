//! Invalid configurations and the exact messages people see for them.

use ehlowatch_engine::{Config, ConfigError};
use ehlowatch_testkit::ehlo_name_cases;

/// Every problem of a TOML text, as printed (`path: message`).
pub fn toml_problems(text: &str) -> Vec<String> {
    shown(&Config::from_toml_str(text).expect_err("the file should be rejected"))
}

fn json_problems(text: &str) -> Vec<String> {
    shown(&Config::from_json_str(text).expect_err("the file should be rejected"))
}

fn shown(e: &ConfigError) -> Vec<String> {
    e.problems.iter().map(ToString::to_string).collect()
}

/// A monitor named `a` on host `a.test` plus `extra` lines.
fn monitor(extra: &str) -> String {
    format!("[[monitor]]\nname = \"a\"\nhost = \"a.test\"\n{extra}\n")
}

#[test]
fn each_invalid_file_gets_its_exact_message() {
    let table: Vec<(String, Vec<&str>)> = vec![
        (monitor("port = 70000"), vec!["monitor[0].port: 70000 is not a port (1–65535)"]),
        (monitor("port = 0"), vec!["monitor[0].port: 0 is not a port (1–65535)"]),
        (monitor("tls = \"ssl\""), vec!["monitor[0].tls: \"ssl\" is not a TLS mode (none, starttls, implicit)"]),
        (
            format!("{}{}", monitor(""), monitor("")),
            vec!["monitor[1].name: \"a\" is used by monitor[0] too"],
        ),
        ("[defaults]\nqos_ms = 0\n".into(), vec!["defaults.qos_ms: 0 must be at least 1"]),
        (
            format!("[defaults]\ninterval_s = 2\n{}[[monitor]]\nname = \"b\"\nhost = \"b.test\"\n", monitor("")),
            vec!["defaults.interval_s: 2 must be longer than 2×qos_ms (2 s)"],
        ),
        ("[defaults]\nqos_ms = 300001\n".into(), vec!["defaults.qos_ms: 300001 must be at most 300000"]),
        (monitor("interval_s = 1"), vec!["monitor[0].interval_s: 1 must be longer than 2×qos_ms (2 s)"]),
        (
            monitor("qos_ms = 1200\ninterval_s = 2"),
            vec!["monitor[0].interval_s: 2 must be longer than 2×qos_ms (2.4 s)"],
        ),
        (
            monitor("qos_ms = 40000"),
            vec!["monitor[0].qos_ms: 40000 is too long for interval_s 60: 2×qos_ms (80 s) must be shorter"],
        ),
        (
            "[defaults]\nqos_ms = 40000\n".into(),
            vec!["defaults.qos_ms: 40000 is too long for interval_s 60: 2×qos_ms (80 s) must be shorter"],
        ),
        ("[[monitor]]\nname = \"a\"\nhost = \"\"\n".into(), vec!["monitor[0].host: must not be empty"]),
        (
            "[[monitor]]\nname = \"a\"\nhost = \"mx 1\"\n".into(),
            vec!["monitor[0].host: \"mx 1\" contains ' '; a host name or address has no spaces"],
        ),
        (
            "[[monitor]]\nname = \"\"\nhost = \"a.test\"\n".into(),
            vec!["monitor[0].name: must not be empty"],
        ),
        ("[[monitor]]\nport = 25\n".into(), vec!["monitor[0].name: is required", "monitor[0].host: is required"]),
        (
            monitor("ca_file = \"/nonexistent-ehlowatch/x.pem\""),
            vec!["monitor[0].ca_file: /nonexistent-ehlowatch/x.pem: No such file or directory"],
        ),
        (monitor("cert_crit_days = 20"), vec!["monitor[0].cert_crit_days: 20 is above cert_warn_days 14"]),
        ("[defaults]\ncert_warn_days = 2\n".into(), vec!["defaults.cert_warn_days: 2 is below cert_crit_days 3"]),
        (monitor("cert_warn_days = -1"), vec!["monitor[0].cert_warn_days: -1 must be at least 0"]),
        (
            monitor("ehlo_name = \"localhost\""),
            vec!["monitor[0].ehlo_name: \"localhost\" is not a name a server can check; use the FQDN or an address literal"],
        ),
        ("[defaults]\nehlo_name = \"\"\n".into(), vec!["defaults.ehlo_name: must not be empty"]),
        (monitor("prot = 25"), vec!["monitor[0].prot: unknown key (did you mean \"port\"?)"]),
        ("[unknwon_table]\nx = 1\n".into(), vec!["unknwon_table: unknown key"]),
        ("[[monitors]]\nname = \"a\"\n".into(), vec!["monitors: unknown key (did you mean \"monitor\"?)"]),
        ("[defaults]\nport = 25\n".into(), vec!["defaults.port: unknown key (port is set on each monitor)"]),
        ("\"odd key\" = 1\n".into(), vec!["\"odd key\": unknown key"]),
        (monitor("port = \"25\""), vec!["monitor[0].port: \"25\" is not an integer"]),
        (monitor("qos_ms = 1.5"), vec!["monitor[0].qos_ms: 1.5 is not an integer"]),
        ("[defaults]\nqos_ms = 1979-05-27\n".into(), vec!["defaults.qos_ms: 1979-05-27 is not an integer"]),
        (monitor("enabled = \"yes\""), vec!["monitor[0].enabled: \"yes\" is not true or false"]),
        (monitor("require_ext = \"SIZE\""), vec!["monitor[0].require_ext: \"SIZE\" is not an array of strings"]),
        (
            monitor("require_ext = [\"SIZE\", \"8BIT MIME\"]"),
            vec!["monitor[0].require_ext[1]: \"8BIT MIME\" is not an EHLO keyword (letters, digits and -)"],
        ),
        (monitor("family = \"4\""), vec!["monitor[0].family: \"4\" is not an address family (any, ipv4, ipv6)"]),
        (monitor("addresses = \"some\""), vec!["monitor[0].addresses: \"some\" is not a choice of addresses (all, first)"]),
        (
            "[monitor]\nname = \"a\"\nhost = \"a.test\"\n".into(),
            vec!["monitor: a table is not an array of tables; write [[monitor]] for each"],
        ),
        ("monitor = 5\n".into(), vec!["monitor: 5 is not an array of tables"]),
        ("defaults = 5\n".into(), vec!["defaults: 5 is not a table"]),
        (monitor("alerts = 3"), vec!["monitor[0].alerts: 3 is not a table"]),
        (
            monitor("alerts = { failed_after = 0 }"),
            vec!["monitor[0].alerts.failed_after: 0 must be at least 1"],
        ),
        (
            monitor("alerts = { failed = 3 }"),
            vec!["monitor[0].alerts.failed: unknown key (did you mean \"failed_after\"?)"],
        ),
        ("[alerts]\nrepeat_every_min = -5\n".into(), vec!["alerts.repeat_every_min: -5 must be at least 0"]),
        ("[alerts]\nqos_ms = 5\n".into(), vec!["alerts.qos_ms: unknown key (qos_ms belongs in defaults)"]),
        ("[history]\nretention_days = 0\n".into(), vec!["history.retention_days: 0 must be at least 1"]),
        (
            "[[monitor]]\nid = \"x\"\nname = \"a\"\nhost = \"a.test\"\n[[monitor]]\nid = \"x\"\nname = \"b\"\nhost = \"b.test\"\n".into(),
            vec!["monitor[1].id: \"x\" is used by monitor[0] too"],
        ),
        (
            "[[monitor]]\nid = \"b\"\nname = \"a\"\nhost = \"a.test\"\n[[monitor]]\nname = \"b\"\nhost = \"b.test\"\n".into(),
            vec!["monitor[1].name: \"b\" is the id of monitor[0]; give this monitor an id of its own"],
        ),
        (monitor("id = \" \""), vec!["monitor[0].id: must not be empty"]),
    ];
    for (text, want) in table {
        assert_eq!(toml_problems(&text), want, "for:\n{text}");
    }
}

#[test]
fn dns_resolvers_are_addresses_and_the_ttl_floor_is_bounded() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "[dns]\nresolver = [\"127.0.0.1:53\", \"dns.example\"]\n".into(),
            vec![
                "dns.resolver[1]: \"dns.example\" is not a resolver address (ip:port, [ipv6]:port or an IP address)",
            ],
        ),
        (
            format!("[dns]\nresolver = [{}]\n", ["\"::1\""; 4].join(", ")),
            vec!["dns.resolver: 4 servers given; at most 3 resolvers"],
        ),
        (
            "[dns]\nmin_ttl_s = 0\n".into(),
            vec!["dns.min_ttl_s: 0 must be at least 1"],
        ),
        (
            "[dns]\nmin_ttl_s = 7200\n".into(),
            vec!["dns.min_ttl_s: 7200 must be at most 3600"],
        ),
        (
            "[dns]\nresolvers = []\n".into(),
            vec!["dns.resolvers: unknown key (did you mean \"resolver\"?)"],
        ),
    ];
    for (text, want) in cases {
        assert_eq!(toml_problems(&text), want, "{text}");
    }
    let empty = ehlowatch_engine::Config::from_toml_str("").unwrap();
    assert!(empty.dns.resolvers.is_empty(), "the system's configuration");
    assert_eq!(empty.dns.min_ttl, std::time::Duration::from_secs(30));
}

#[test]
fn mail_policy_names_its_lists_and_files_and_every_check_is_on_by_default() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "[mail_policy]\nblocklists = [\"zen.example\", \"192.0.2.1\"]\n".into(),
            vec!["mail_policy.blocklists[1]: \"192.0.2.1\" is an IP address, not a mail domain (use host for a server)"],
        ),
        (
            format!("[mail_policy]\nblocklists = [{}]\n", ["\"bl.example\""; 9].join(", ")),
            vec!["mail_policy.blocklists: 9 lists given; at most 8 blocklists"],
        ),
        (
            "[mail_policy]\nmta_sts_ca_file = \"/nonexistent/ca.pem\"\n".into(),
            vec!["mail_policy.mta_sts_ca_file: /nonexistent/ca.pem: No such file or directory"],
        ),
        (
            "[mail_policy]\ndane = \"yes\"\n".into(),
            vec!["mail_policy.dane: \"yes\" is not true or false"],
        ),
        (
            "[mail_policy]\nmta_sts_cafile = \"x\"\n".into(),
            vec!["mail_policy.mta_sts_cafile: unknown key (did you mean \"mta_sts_ca_file\"?)"],
        ),
    ];
    for (text, want) in cases {
        assert_eq!(toml_problems(&text), want, "{text}");
    }
    let empty = ehlowatch_engine::Config::from_toml_str("").unwrap();
    let policy = &empty.mail_policy;
    assert!(policy.dane && policy.mta_sts && policy.tls_rpt);
    assert!(policy.blocklists.is_empty(), "blocklists are opt-in");
    let lists = ehlowatch_engine::Config::from_toml_str(
        "[mail_policy]\nblocklists = [\"ZEN.Example.\"]\ndane = false\n",
    )
    .unwrap();
    assert_eq!(lists.mail_policy.blocklists, ["zen.example"]);
    assert!(!lists.mail_policy.dane);
}

#[test]
fn a_monitor_names_a_host_or_a_domain_and_a_domain_takes_no_host_settings() {
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "[[monitor]]\nname = \"a\"\nhost = \"mx.example.net\"\ndomain = \"example.net\"\n",
            vec!["monitor[0].domain: a monitor names a host or a domain, not both"],
        ),
        (
            "[[monitor]]\nname = \"a\"\ndomain = \"192.0.2.1\"\n",
            vec!["monitor[0].domain: \"192.0.2.1\" is an IP address, not a mail domain (use host for a server)"],
        ),
        (
            "[[monitor]]\nname = \"a\"\ndomain = \"example.net\"\nport = 587\ntls = \"implicit\"\n",
            vec![
                "monitor[0].port: applies to a host only; a domain's MX hosts are probed on port 25 with opportunistic STARTTLS",
                "monitor[0].tls: applies to a host only; a domain's MX hosts are probed on port 25 with opportunistic STARTTLS",
            ],
        ),
        ("[[monitor]]\nname = \"a\"\n", vec!["monitor[0].host: is required"]),
    ];
    for (text, want) in cases {
        assert_eq!(toml_problems(text), want, "{text}");
    }
    let config = ehlowatch_engine::Config::from_toml_str(
        "[[monitor]]\nname = \"mail\"\ndomain = \"example.net\"\n",
    )
    .unwrap();
    let spec = &config.monitors[0].spec;
    assert_eq!((spec.host.as_str(), spec.port), ("example.net", 25));
    assert!(spec.mail_domain && spec.opportunistic);
    assert_eq!(spec.tls, ehlowatch_engine::TlsMode::Starttls);
}

#[test]
fn control_hosts_are_checked_one_by_one_and_counted() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "[control]\nhosts = [\"mx.example.net\", \"bad host\"]\n".into(),
            vec![
                "control.hosts[1]: \"bad host\" contains ' '; a host name or address has no spaces",
            ],
        ),
        (
            format!("[control]\nhosts = [{}]\n", ["\"h\""; 9].join(", ")),
            vec!["control.hosts: 9 hosts given; at most 8 control hosts"],
        ),
        (
            "[control]\nhost = []\n".into(),
            vec!["control.host: unknown key (did you mean \"hosts\"?)"],
        ),
    ];
    for (text, want) in cases {
        assert_eq!(toml_problems(&text), want, "{text}");
    }
}

#[test]
fn a_file_with_many_mistakes_gets_all_of_them_in_order() {
    let text = r#"
unknwon_table = 1

[defaults]
qos_ms = 0
interval_s = "60"

[alerts]
failed_after = 0
every_failure = "yes"

[history]
retention_days = 0

[[monitor]]
name = "mx1"
host = ""
tls = "ssl"
prot = 25

[[monitor]]
name = "mx1"
host = "mx2.example.com"
port = 70000
qos_ms = 1500
interval_s = 1
cert_crit_days = 20

[[monitor]]
host = "mx3.example.com"
require_ext = ["SIZE", 8]
alerts = { failed_after = 0, bogus = true }
"#;
    assert_eq!(
        toml_problems(text),
        [
            "defaults.qos_ms: 0 must be at least 1",
            "defaults.interval_s: \"60\" is not an integer",
            "alerts.failed_after: 0 must be at least 1",
            "alerts.every_failure: \"yes\" is not true or false",
            "history.retention_days: 0 must be at least 1",
            "monitor[0].host: must not be empty",
            "monitor[0].tls: \"ssl\" is not a TLS mode (none, starttls, implicit)",
            "monitor[0].prot: unknown key (did you mean \"port\"?)",
            "monitor[1].name: \"mx1\" is used by monitor[0] too",
            "monitor[1].port: 70000 is not a port (1–65535)",
            "monitor[1].interval_s: 1 must be longer than 2×qos_ms (3 s)",
            "monitor[1].cert_crit_days: 20 is above cert_warn_days 14",
            "monitor[2].name: is required",
            "monitor[2].require_ext[1]: 8 is not a string",
            "monitor[2].alerts.failed_after: 0 must be at least 1",
            "monitor[2].alerts.bogus: unknown key",
            "unknwon_table: unknown key",
        ]
    );
}

#[test]
fn the_error_lists_every_problem_one_per_line() {
    let e = Config::from_toml_str("[defaults]\nqos_ms = 0\nretry_s = 0\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "defaults.qos_ms: 0 must be at least 1\ndefaults.retry_s: 0 must be at least 1"
    );
    let json = serde_json::to_value(&e.problems[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"path": "defaults.qos_ms", "message": "0 must be at least 1"})
    );
}

#[test]
fn json_gets_the_same_checks_in_its_own_words() {
    assert_eq!(
        json_problems(
            r#"{"monitor": [{"name": "a", "host": "a.test", "port": 70000}, 7], "defaults": []}"#
        ),
        [
            "defaults: an array is not an object",
            "monitor[0].port: 70000 is not a port (1–65535)",
            "monitor[1]: 7 is not an object",
        ]
    );
    assert_eq!(
        json_problems(
            r#"{"monitor": [{"name": null, "host": "a.test", "port": 18446744073709551615}]}"#
        ),
        [
            "monitor[0].name: is required",
            "monitor[0].port: 18446744073709551615 is too large"
        ]
    );
    assert_eq!(
        json_problems("[1]"),
        ["an array is not a configuration; expected an object"]
    );
}

#[test]
fn syntax_errors_are_one_problem_with_line_and_column() {
    let toml = Config::from_toml_str("[defaults]\nqos_ms = 1000\ninterval_s = = 3\n").unwrap_err();
    assert_eq!(toml.problems.len(), 1);
    assert_eq!(toml.problems[0].path, "");
    assert!(
        toml.problems[0]
            .message
            .starts_with("TOML syntax error at line 3, column 14: "),
        "{}",
        toml.problems[0].message
    );
    let json = Config::from_json_str("{\n  \"monitor\": [\n  }\n").unwrap_err();
    assert_eq!(
        shown(&json),
        ["JSON syntax error at line 3, column 3: expected value"]
    );
}

#[test]
fn a_forced_family_an_ip_literal_host_lacks_is_a_problem_at_family() {
    let table: Vec<(String, Vec<&str>)> = vec![
        (
            "[[monitor]]\nname = \"a\"\nhost = \"::1\"\nfamily = \"ipv4\"\n".into(),
            vec!["monitor[0].family: the host \"::1\" is an IPv6 address; IPv4 only cannot reach it"],
        ),
        (
            "[[monitor]]\nname = \"a\"\nhost = \"[2001:db8::1]\"\nfamily = \"ipv4\"\n".into(),
            vec!["monitor[0].family: the host \"[2001:db8::1]\" is an IPv6 address; IPv4 only cannot reach it"],
        ),
        (
            "[[monitor]]\nname = \"a\"\nhost = \"127.0.0.1\"\nfamily = \"ipv6\"\n".into(),
            vec!["monitor[0].family: the host \"127.0.0.1\" is an IPv4 address; IPv6 only cannot reach it"],
        ),
    ];
    for (text, want) in table {
        assert_eq!(toml_problems(&text), want, "for:\n{text}");
    }
    let fits = "[[monitor]]\nname = \"a\"\nhost = \"[::1]\"\nfamily = \"ipv6\"\n";
    assert!(Config::from_toml_str(fits).is_ok());
}

/// A JSON string is a TOML basic string too (the same escapes), so any name can be written.
fn string(value: &str) -> String {
    serde_json::to_string(value).expect("a string encodes")
}

#[test]
fn every_ehlo_name_case_is_judged_by_the_one_rule_in_files() {
    for case in ehlo_name_cases() {
        let name = string(&case.name);
        let places = [
            (
                "monitor[0].ehlo_name",
                monitor(&format!("ehlo_name = {name}")),
            ),
            (
                "defaults.ehlo_name",
                format!("[defaults]\nehlo_name = {name}\n{}", monitor("")),
            ),
        ];
        for (path, text) in places {
            match (&case.verdict, Config::from_toml_str(&text)) {
                (Ok(wire), Ok(config)) => {
                    // The file keeps what was typed; what the engine runs is what goes on the wire.
                    assert_eq!(
                        config.monitors[0].spec.ehlo_name.as_deref(),
                        Some(wire.as_str()),
                        "{path} = {name}"
                    );
                }
                (Err(message), Err(e)) => {
                    assert_eq!(
                        shown(&e),
                        vec![format!("{path}: {message}")],
                        "{path} = {name}"
                    );
                }
                (want, got) => panic!("{path} = {name}: want {want:?}, got {got:?}"),
            }
        }
        let json =
            format!(r#"{{"monitor": [{{"name": "a", "host": "a.test", "ehlo_name": {name}}}]}}"#);
        match (&case.verdict, Config::from_json_str(&json)) {
            (Ok(wire), Ok(config)) => assert_eq!(
                config.monitors[0].spec.ehlo_name.as_deref(),
                Some(wire.as_str()),
                "{json}"
            ),
            (Err(message), Err(e)) => assert_eq!(
                shown(&e),
                vec![format!("monitor[0].ehlo_name: {message}")],
                "{json}"
            ),
            (want, got) => panic!("{json}: want {want:?}, got {got:?}"),
        }
    }
}
