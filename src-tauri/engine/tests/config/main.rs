//! The configuration model: valid files in TOML and JSON give the same typed config, defaults
//! and overrides are merged, the serde form round-trips, the desktop can check one monitor, and
//! the example file parses. Invalid files are in `problems.rs`.

mod problems;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ehlowatch_engine::{validate_monitor_alone, Config, ConfigFile, Defaults, MonitorFile};
use ehlowatch_engine::{AddressFamily, TlsMode};
use ehlowatch_engine::{AlertPolicy, MonitorId};

fn write_ca(dir: &Path) -> PathBuf {
    let cert =
        rcgen::generate_simple_self_signed(vec!["mx.test".to_owned()]).expect("a certificate");
    let path = dir.join("ca.pem");
    std::fs::write(&path, cert.cert.pem()).expect("write the CA file");
    path
}

/// `ca` goes in a literal string, so a Windows path's backslashes are not escapes.
fn full_toml(ca: &str) -> String {
    format!(
        r#"
[defaults]
qos_ms = 800
interval_s = 120
retry_s = 15
ehlo_name = "probe.example.org"
cert_warn_days = 21
cert_crit_days = 5

[alerts]
failed_after = 3
warning_after = 4
on_recovery = false
repeat_every_min = 30
every_failure = true

[history]
retention_days = 7

[control]
hosts = ["control-a.example.net", "192.0.2.7"]

[dns]
resolver = ["127.0.0.53:53", "::1"]
min_ttl_s = 2

[[monitor]]
id = "m-1"
name = "mx1"
host = "mx1.example.org"
port = 2525
tls = "starttls"
qos_ms = 1500
interval_s = 30
retry_s = 5
ehlo_name = "[192.0.2.1]"
ca_file = '{ca}'
insecure = true
cert_warn_days = 10
cert_crit_days = 2
require_ext = ["STARTTLS", "SIZE"]
family = "ipv6"
enabled = false
alerts = {{ failed_after = 1, on_recovery = true }}

[[monitor]]
name = "mx2"
host = "::1"
tls = "implicit"
"#
    )
}

fn full_json(ca: &str) -> String {
    // A Windows path's backslashes, escaped for JSON.
    let ca = ca.replace('\\', r"\\");
    format!(
        r#"{{
  "defaults": {{"qos_ms": 800, "interval_s": 120, "retry_s": 15, "ehlo_name": "probe.example.org",
               "cert_warn_days": 21, "cert_crit_days": 5}},
  "alerts": {{"failed_after": 3, "warning_after": 4, "on_recovery": false, "repeat_every_min": 30,
             "every_failure": true}},
  "history": {{"retention_days": 7}},
  "control": {{"hosts": ["control-a.example.net", "192.0.2.7"]}},
  "dns": {{"resolver": ["127.0.0.53:53", "::1"], "min_ttl_s": 2}},
  "monitor": [
    {{"id": "m-1", "name": "mx1", "host": "mx1.example.org", "port": 2525, "tls": "starttls",
      "qos_ms": 1500, "interval_s": 30, "retry_s": 5, "ehlo_name": "[192.0.2.1]", "ca_file": "{ca}",
      "insecure": true, "cert_warn_days": 10, "cert_crit_days": 2, "require_ext": ["STARTTLS", "SIZE"],
      "family": "ipv6", "enabled": false, "alerts": {{"failed_after": 1, "on_recovery": true}}}},
    {{"name": "mx2", "host": "::1", "tls": "implicit", "ca_file": null}}
  ]
}}"#
    )
}

#[test]
fn a_full_file_reads_the_same_from_toml_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let ca = write_ca(dir.path());
    let ca_text = ca.to_str().unwrap();
    let from_toml = Config::from_toml_str(&full_toml(ca_text)).unwrap();
    let from_json = Config::from_json_str(&full_json(ca_text)).unwrap();
    assert_eq!(from_toml, from_json);

    let c = from_toml;
    assert_eq!(c.defaults.qos, Duration::from_millis(800));
    assert_eq!(c.defaults.ehlo_name.as_deref(), Some("probe.example.org"));
    assert_eq!(c.history.retention, Duration::from_secs(7 * 86_400));
    assert_eq!(c.control.hosts, ["control-a.example.net", "192.0.2.7"]);
    let resolvers: Vec<std::net::SocketAddr> = vec![
        "127.0.0.53:53".parse().unwrap(),
        "[::1]:53".parse().unwrap(),
    ];
    assert_eq!(c.dns.resolvers, resolvers);
    assert_eq!(c.dns.min_ttl, Duration::from_secs(2));
    let global = AlertPolicy {
        failed_after: 3,
        warning_after: 4,
        on_recovery: false,
        repeat_every: Some(Duration::from_secs(30 * 60)),
        every_failure: true,
    };
    assert_eq!(c.alerts, global);

    let [m1, m2] = c.monitors.as_slice() else {
        panic!("two monitors: {:?}", c.monitors)
    };
    assert_eq!(m1.id, MonitorId::from("m-1"));
    assert_eq!(m1.name, "mx1");
    assert_eq!(
        (m1.spec.host.as_str(), m1.spec.port, m1.spec.tls),
        ("mx1.example.org", 2525, TlsMode::Starttls)
    );
    assert_eq!(m1.spec.family, AddressFamily::V6);
    assert_eq!(m1.spec.ehlo_name.as_deref(), Some("[192.0.2.1]"));
    assert_eq!(m1.spec.trust.ca_file.as_deref(), Some(ca.as_path()));
    assert!(m1.spec.trust.insecure);
    assert_eq!(m1.spec.thresholds.qos, Duration::from_millis(1500));
    assert_eq!(
        (
            m1.spec.thresholds.cert_warn_days,
            m1.spec.thresholds.cert_crit_days
        ),
        (10, 2)
    );
    assert_eq!(m1.spec.thresholds.required_extensions, ["STARTTLS", "SIZE"]);
    assert_eq!(
        (m1.interval, m1.retry, m1.enabled),
        (Duration::from_secs(30), Duration::from_secs(5), false)
    );
    assert_eq!(
        m1.alerts,
        AlertPolicy {
            failed_after: 1,
            on_recovery: true,
            ..global.clone()
        }
    );

    assert_eq!(m2.id, MonitorId::from("mx2"));
    assert_eq!((m2.spec.port, m2.spec.tls), (465, TlsMode::Implicit));
    assert_eq!(m2.spec.ehlo_name.as_deref(), Some("probe.example.org"));
    assert_eq!(m2.spec.thresholds.qos, Duration::from_millis(800));
    assert_eq!(
        (
            m2.spec.thresholds.cert_warn_days,
            m2.spec.thresholds.cert_crit_days
        ),
        (21, 5)
    );
    assert_eq!(
        (m2.interval, m2.retry, m2.enabled),
        (Duration::from_secs(120), Duration::from_secs(15), true)
    );
    assert_eq!(m2.alerts, global);
}

#[test]
fn the_serde_form_writes_back_what_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let ca = write_ca(dir.path());
    let file = ConfigFile::from_toml_str(&full_toml(ca.to_str().unwrap())).unwrap();
    assert_eq!(
        file,
        ConfigFile::from_json_str(&full_json(ca.to_str().unwrap())).unwrap()
    );
    let toml = file.to_toml_string().unwrap();
    assert_eq!(ConfigFile::from_toml_str(&toml).unwrap(), file, "{toml}");
    let json = file.to_json_string().unwrap();
    assert_eq!(ConfigFile::from_json_str(&json).unwrap(), file, "{json}");
    assert_eq!(
        Config::validate(&file).unwrap(),
        Config::from_toml_str(&toml).unwrap()
    );
    assert!(!json.contains("null"), "unset keys are left out: {json}");
    assert_eq!(ConfigFile::default().to_toml_string().unwrap(), "");
}

#[test]
fn defaults_fill_what_a_file_leaves_out() {
    assert_eq!(Config::from_toml_str("").unwrap(), Config::default());
    assert_eq!(Config::from_json_str("{}").unwrap(), Config::default());
    let c = Config::from_toml_str(
        r#"
[alerts]
failed_after = 3
repeat_every_min = 30

[[monitor]]
name = "a"
host = "a.test"
tls = "implicit"

[[monitor]]
name = "b"
host = "b.test"
interval_s = 5
alerts = { on_recovery = false }
"#,
    )
    .unwrap();
    let policy = AlertPolicy {
        failed_after: 3,
        repeat_every: Some(Duration::from_secs(1800)),
        ..AlertPolicy::default()
    };
    let (a, b) = (&c.monitors[0], &c.monitors[1]);
    assert_eq!(
        (a.id.0.as_str(), a.spec.port, a.spec.tls),
        ("a", 465, TlsMode::Implicit)
    );
    assert_eq!(
        (a.interval, a.retry, a.enabled),
        (Duration::from_secs(60), Duration::from_secs(10), true)
    );
    assert_eq!(a.spec.thresholds.qos, Duration::from_secs(1));
    assert_eq!(
        (
            a.spec.thresholds.cert_warn_days,
            a.spec.thresholds.cert_crit_days
        ),
        (14, 3)
    );
    assert_eq!(
        (a.spec.family, a.spec.ehlo_name.as_deref()),
        (AddressFamily::Any, None)
    );
    assert_eq!(a.alerts, policy);
    assert_eq!((b.spec.port, b.spec.tls), (25, TlsMode::None));
    assert_eq!(
        (b.interval, b.retry),
        (Duration::from_secs(5), Duration::from_secs(5)),
        "retry never exceeds the interval"
    );
    assert_eq!(
        b.alerts,
        AlertPolicy {
            on_recovery: false,
            ..policy
        }
    );
    assert_eq!(
        c.monitor(&MonitorId::from("b")).map(|m| m.name.as_str()),
        Some("b")
    );
}

#[test]
fn the_desktop_checks_one_monitor_against_the_others() {
    let c = Config::from_toml_str(
        "[defaults]\nqos_ms = 500\n[[monitor]]\nname = \"mx1\"\nhost = \"a.test\"\n[[monitor]]\nid = \"two\"\nname = \"mx2\"\nhost = \"b.test\"\n",
    )
    .unwrap();
    let new = |name: &str| MonitorFile {
        name: Some(name.into()),
        host: Some("c.test".into()),
        ..MonitorFile::default()
    };
    let shown = |r: Result<_, ehlowatch_engine::ConfigError>| -> Vec<String> {
        r.unwrap_err()
            .problems
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(
        shown(c.validate_monitor_among_others(&new("mx1"), 2)),
        ["monitor[2].name: \"mx1\" is used by monitor[0] too"]
    );
    assert_eq!(
        shown(c.validate_monitor_among_others(&new("two"), 2)),
        ["monitor[2].name: \"two\" is the id of monitor[1]; give this monitor an id of its own"]
    );
    let renamed = c.validate_monitor_among_others(&new("mx1"), 0).unwrap();
    assert_eq!(
        renamed.spec.thresholds.qos,
        Duration::from_millis(500),
        "the config's defaults apply"
    );
    let bad = MonitorFile {
        port: Some(70_000),
        ..new("mx3")
    };
    assert_eq!(
        shown(c.validate_monitor_among_others(&bad, 1)),
        ["monitor[1].port: 70000 is not a port (1–65535)"]
    );
    let alone = validate_monitor_alone(
        &Defaults::default(),
        &AlertPolicy::default(),
        &new("mx1"),
        0,
    )
    .unwrap();
    assert_eq!(
        (alone.spec.port, alone.spec.thresholds.qos),
        (25, Duration::from_secs(1))
    );
}

#[test]
fn load_reads_by_extension_and_resolves_ca_files_beside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write_ca(dir.path());
    let body =
        "[[monitor]]\nname = \"a\"\nhost = \"a.test\"\ntls = \"starttls\"\nca_file = \"ca.pem\"\n";
    let toml = dir.path().join("agent.toml");
    std::fs::write(&toml, body).unwrap();
    let c = Config::load(&toml).unwrap();
    assert_eq!(
        c.monitors[0].spec.trust.ca_file.as_deref(),
        Some(dir.path().join("ca.pem").as_path())
    );
    let json = dir.path().join("store.json");
    std::fs::write(
        &json,
        r#"{"monitor": [{"name": "a", "host": "a.test", "ca_file": "ca.pem"}]}"#,
    )
    .unwrap();
    assert_eq!(
        Config::load(&json).unwrap().monitors[0].spec.trust,
        c.monitors[0].spec.trust
    );
    let missing = dir.path().join("nope.toml");
    let e = Config::load(&missing).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: No such file or directory", missing.display())
    );
}

#[test]
fn the_example_agent_file_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/agent.toml");
    let c = Config::load(&path).unwrap();
    let names: Vec<&str> = c.monitors.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["mx1", "mx2 (STARTTLS)", "submissions"]);
    assert_eq!(c.defaults, Defaults::default());
    assert_eq!(c.alerts, AlertPolicy::default());
    assert_eq!(c.monitors[1].id, MonitorId::from("mx2-primary"));
    assert_eq!(
        c.monitors[1].alerts.repeat_every,
        Some(Duration::from_secs(1800))
    );
    assert_eq!(
        (c.monitors[2].spec.port, c.monitors[2].enabled),
        (465, false)
    );
}
