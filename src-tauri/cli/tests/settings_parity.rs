//! One rule per setting at every front door: each integer setting of the registry at min−1,
//! min, max and max+1, given to the configuration file parser and — where the command line has
//! the setting's flag — to `ehlowatch check`, must be accepted or refused alike, and refused at
//! the same field (`monitor[0].qos_ms` ⇔ `--qos-ms`) with the same message. The cases and the
//! file's verdicts are written to `ui/test/fixtures/settings-parity.json`, where the window's own
//! validator is held to them (Vitest); a stale fixture fails here, and
//! `UPDATE_BINDINGS=1 cargo test -p ehlowatch --test settings_parity` rewrites it.

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use assert_cmd::Command;
use ehlowatch_engine::settings::{
    self, Int, Setting, CERT_CRIT_DAYS, CERT_WARN_DAYS, INTERVAL_S, QOS_MS,
};
use ehlowatch_engine::{tables_of, Config};
use serde_json::{json, Value};

/// Other keys of the same table set beside a tested one, so that a case tests the setting's own
/// bound and not a rule between two settings (2×QoS shorter than the interval, critical days
/// not above warning days).
fn companions(key: &str) -> Vec<(&'static str, i64)> {
    match key {
        k if k == QOS_MS.key => vec![(INTERVAL_S.key, INTERVAL_S.max)],
        k if k == INTERVAL_S.key => vec![(QOS_MS.key, QOS_MS.min)],
        k if k == CERT_WARN_DAYS.key => vec![(CERT_CRIT_DAYS.key, CERT_CRIT_DAYS.min)],
        k if k == CERT_CRIT_DAYS.key => vec![(CERT_WARN_DAYS.key, CERT_WARN_DAYS.max)],
        _ => Vec::new(),
    }
}

/// Where a setting can be given: its tables, and a monitor's own `alerts` for alert settings.
fn places(key: &str) -> Vec<&'static str> {
    let mut places = tables_of(key);
    if places.contains(&"alerts") {
        places.push("monitor.alerts");
    }
    places
}

/// A file setting `key = value` (and its companions) in `place`; the path of the key.
fn file_with(place: &str, key: &str, value: i64, with: &[(&str, i64)]) -> (String, String) {
    let mut keys = String::new();
    for (k, v) in std::iter::once((key, value)).chain(with.iter().copied()) {
        let _ = writeln!(keys, "{k} = {v}");
    }
    let monitor = "[[monitor]]\nname = \"m\"\nhost = \"127.0.0.1\"\n";
    match place {
        "monitor" => (format!("{monitor}{keys}"), format!("monitor[0].{key}")),
        "monitor.alerts" => (
            format!("{monitor}[monitor.alerts]\n{keys}"),
            format!("monitor[0].alerts.{key}"),
        ),
        table => (format!("[{table}]\n{keys}"), format!("{table}.{key}")),
    }
}

/// What a front door said: accepted, or refused at a path with a message.
#[derive(Debug, PartialEq, Eq)]
enum Said {
    Accepted,
    Refused { path: String, message: String },
}

fn file_says(text: &str) -> Said {
    match Config::from_toml_str(text) {
        Ok(_) => Said::Accepted,
        Err(e) => {
            assert_eq!(e.problems.len(), 1, "one problem for one bad value: {e}");
            Said::Refused {
                path: e.problems[0].path.clone(),
                message: e.problems[0].message.clone(),
            }
        }
    }
}

/// A loopback port with nothing listening: an accepted check is refused at once.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

fn ehlowatch(args: &[String]) -> std::process::Output {
    Command::cargo_bin("ehlowatch")
        .expect("the ehlowatch binary")
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run ehlowatch")
}

/// The flags `ehlowatch check` offers, from its help.
fn check_flags() -> String {
    let help = ehlowatch(&["check".into(), "--help".into()]);
    String::from_utf8(help.stdout).expect("UTF-8 help")
}

/// `ehlowatch check` with `--FLAG value` for the setting and the companions it has flags for.
/// Refused: exit 3, with stderr naming the flag and the file's message.
fn cli_says(setting: &Int, value: i64, with: &[(&str, i64)], help: &str) -> Option<Said> {
    let flag = setting.flag();
    if !help.contains(&format!("{flag} ")) && !help.contains(&format!("{flag} <")) {
        return None;
    }
    let mut args = vec!["check".to_owned(), "127.0.0.1".to_owned()];
    if setting.key != settings::PORT.key {
        args.extend(["--port".to_owned(), closed_port().to_string()]);
    }
    args.extend([flag.clone(), value.to_string()]);
    for (key, v) in with {
        let companion = settings::flag(key);
        if help.contains(&format!("{companion} ")) {
            args.extend([companion, v.to_string()]);
        }
    }
    let out = ehlowatch(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Some(if out.status.code() == Some(3) {
        Said::Refused {
            path: format!("monitor[0].{}", flag_key(&stderr, &flag)),
            message: message_in(&stderr, setting, value),
        }
    } else {
        Said::Accepted
    })
}

/// The key of the flag stderr names: `qos_ms` when it names `--qos-ms`.
fn flag_key(stderr: &str, flag: &str) -> String {
    assert!(
        stderr.contains(&format!("'{flag}")),
        "{flag} not named: {stderr}"
    );
    flag.trim_start_matches("--").replace('-', "_")
}

/// The registry's message for `value` when stderr carries it, else stderr itself (so that a
/// differing message shows in the failure).
fn message_in(stderr: &str, setting: &Int, value: i64) -> String {
    match setting.check(value) {
        Err(message) if stderr.contains(&message) => message,
        _ => stderr.trim().to_owned(),
    }
}

#[test]
fn every_integer_setting_is_judged_alike_by_the_file_the_command_line_and_the_window() {
    let help = check_flags();
    let mut cases = Vec::new();
    let mut cli_checked = Vec::new();
    for setting in settings::ALL {
        let Setting::Int(s) = setting else { continue };
        let with = companions(s.key);
        for place in places(s.key) {
            for value in [s.min - 1, s.min, s.max, s.max + 1] {
                let (text, path) = file_with(place, s.key, value, &with);
                let file = file_says(&text);
                let expected = match s.check(value) {
                    Ok(_) => Said::Accepted,
                    Err(message) => Said::Refused {
                        path: path.clone(),
                        message,
                    },
                };
                assert_eq!(file, expected, "the file, {path} = {value}:\n{text}");
                if place == "monitor" {
                    if let Some(cli) = cli_says(s, value, &with, &help) {
                        assert_eq!(cli, file, "the command line, {} {value}", s.flag());
                        cli_checked.push(s.key);
                    }
                }
                let message = match &file {
                    Said::Accepted => Value::Null,
                    Said::Refused { message, .. } => json!(message),
                };
                cases.push(json!({
                    "setting": s.key,
                    "path": path,
                    "value": value,
                    "with": with.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
                    "accepted": file == Said::Accepted,
                    "message": message,
                }));
            }
        }
    }
    cases.extend(rules_between_settings(&help));
    cli_checked.dedup();
    assert_eq!(
        cli_checked,
        ["qos_ms", "cert_warn_days", "cert_crit_days", "port"],
        "the settings the command line offers"
    );
    compare_fixture(&Value::Array(cases));
}

/// A case of a rule between two settings: `key = value` in `place`, beside other keys of that
/// table.
struct Between {
    place: &'static str,
    key: &'static str,
    value: i64,
    with: &'static [(&'static str, i64)],
}

const fn between(
    place: &'static str,
    key: &'static str,
    value: i64,
    with: &'static [(&'static str, i64)],
) -> Between {
    Between {
        place,
        key,
        value,
        with,
    }
}

/// The interval must be longer than 2×QoS (reported at the interval when the table sets it,
/// else at the QoS), and the critical days not above the warning days (likewise).
const BETWEEN: &[Between] = &[
    between("defaults", "interval_s", 2, &[]),
    between("defaults", "interval_s", 2, &[("qos_ms", 1_200)]),
    between("defaults", "qos_ms", 1_200, &[("interval_s", 2)]),
    between("monitor", "qos_ms", 29_999, &[]),
    between("monitor", "qos_ms", 30_000, &[]),
    between("monitor", "cert_crit_days", 14, &[]),
    between("monitor", "cert_crit_days", 15, &[]),
    between("defaults", "cert_warn_days", 2, &[]),
    between("monitor", "cert_warn_days", 10, &[("cert_crit_days", 11)]),
];

/// The rules between settings: the file's verdict is what the window is held to, and the
/// command line — which has both certificate flags, but no interval (a one-shot check) — must
/// accept or refuse the certificate cases alike, naming the flag of the field the file names.
fn rules_between_settings(help: &str) -> Vec<Value> {
    let mut cases = Vec::new();
    for &Between {
        place,
        key,
        value,
        with,
    } in BETWEEN
    {
        let (text, _) = file_with(place, key, value, with);
        let file = file_says(&text);
        let certificate = std::iter::once(key)
            .chain(with.iter().map(|(k, _)| *k))
            .all(|k| k == CERT_WARN_DAYS.key || k == CERT_CRIT_DAYS.key);
        if place == "monitor" && certificate {
            let mut args = vec!["check".to_owned(), "127.0.0.1".to_owned()];
            args.extend(["--port".to_owned(), closed_port().to_string()]);
            for (k, v) in std::iter::once((key, value)).chain(with.iter().copied()) {
                assert!(help.contains(&settings::flag(k)), "no flag for {k}");
                args.extend([settings::flag(k), v.to_string()]);
            }
            let out = ehlowatch(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            match &file {
                Said::Accepted => assert_ne!(out.status.code(), Some(3), "{args:?}: {stderr}"),
                Said::Refused { path, .. } => {
                    assert_eq!(out.status.code(), Some(3), "{args:?}");
                    let field = path.rsplit('.').next().unwrap_or_default();
                    let named = format!(
                        "{} {}",
                        settings::flag(field),
                        if field == key { value } else { with[0].1 }
                    );
                    assert!(
                        stderr.contains(&named),
                        "{args:?}: {named:?} not in {stderr}"
                    );
                }
            }
        }
        let (path, message) = match &file {
            Said::Accepted => (file_with(place, key, value, with).1, Value::Null),
            Said::Refused { path, message } => (path.clone(), json!(message)),
        };
        cases.push(json!({
            "setting": key,
            "path": path,
            "value": value,
            "with": with.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "accepted": file == Said::Accepted,
            "message": message,
        }));
    }
    cases
}

/// The committed fixture must be what this run found; `UPDATE_BINDINGS=1` rewrites it.
fn compare_fixture(cases: &Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/test/fixtures/settings-parity.json");
    let fresh = serde_json::to_string_pretty(cases).expect("encode") + "\n";
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(&path, &fresh).expect("write the fixture");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale; run: UPDATE_BINDINGS=1 cargo test -p ehlowatch --test settings_parity",
        path.display()
    );
}

/// The README's configuration reference states each integer setting's default and range as the
/// registry has them (the port's default depends on the TLS mode and is worded apart).
#[test]
fn the_readme_states_the_registry_defaults_and_ranges() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("read README.md");
    for setting in settings::ALL {
        let Setting::Int(s) = setting else { continue };
        if s.key == settings::PORT.key {
            continue;
        }
        let row = format!("| `{}` | {} | {}–{}", s.key, s.default, s.min, s.max);
        assert!(
            readme.contains(&row),
            "README.md has no row starting {row:?}"
        );
    }
}
