#![cfg(feature = "ts")]
//! The TypeScript the desktop shell exports for its web UI must describe the JSON serde writes
//! and reads: numbers rather than `bigint`, durations as milliseconds, events as a tagged union,
//! config keys that may be left out as optional.

use std::fs;

use ehlowatch_engine::EngineEvent;
use ehlowatch_engine::Reply;
use ehlowatch_engine::{ConfigFile, DefaultsFile, Problem};
use ehlowatch_engine::{MonitorId, ProbeReport, StateChange};
use ehlowatch_engine::{MonitorView, Snapshot};
use ehlowatch_engine::{ResultRecord, SeriesPoint, Stats, Window};
use serde::Serialize;
use ts_rs::TS;

/// The declaration of `T` and of every type it uses, as exported.
fn exported<T: TS + 'static>() -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    T::export_all_to(dir.path()).expect("export");
    fs::read_dir(dir.path())
        .expect("read the export")
        .map(|entry| fs::read_to_string(entry.expect("entry").path()).expect("read a file"))
        .collect()
}

/// Every key serde writes for `value` is a field of `T`'s declaration.
fn keys_declared<T: TS + Serialize>(value: &T) {
    let decl = T::decl();
    let fields: Vec<&str> = decl
        .split(|c: char| c.is_whitespace() || c == '{')
        .filter_map(|token| token.strip_suffix(':'))
        .map(|name| name.trim_end_matches('?'))
        .collect();
    let json = serde_json::to_value(value).expect("serialise");
    for key in json.as_object().expect("an object").keys() {
        assert!(fields.contains(&key.as_str()), "{key} missing from {decl}");
    }
}

#[test]
fn no_root_type_needs_a_bigint() {
    let all = [
        exported::<Snapshot>(),
        exported::<EngineEvent>(),
        exported::<ResultRecord>(),
        exported::<Stats>(),
        exported::<SeriesPoint>(),
        exported::<Window>(),
        exported::<ConfigFile>(),
        exported::<Problem>(),
        exported::<StateChange>(),
    ];
    for ts in all {
        assert!(!ts.contains("bigint"), "{ts}");
    }
}

#[test]
fn shapes_follow_the_serde_attributes() {
    let report = ProbeReport::decl();
    for field in [
        "latency_ms: number | null,",
        "qos_ms: number,",
        "phases_ms: Phases,",
    ] {
        assert!(report.contains(field), "{field} not in {report}");
    }
    assert!(MonitorView::decl().contains("last: ProbeReport | null,"));
    assert_eq!(MonitorId::decl(), "type MonitorId = string;");
    assert!(Reply::decl().contains("omitted_lines?: number,"));
    assert!(DefaultsFile::decl().contains("qos_ms?: number,"));
    assert!(ConfigFile::decl().contains("monitor?: Array<MonitorFile>,"));

    let event = EngineEvent::decl();
    assert!(
        event.contains(r#"{ "type": "result", "data": {"#),
        "{event}"
    );
    assert!(event.contains(r#"{ "type": "state_changed", "data": StateChange }"#));
    assert!(event.contains("lag: number,"));

    keys_declared(&Snapshot::default());
    keys_declared(&MonitorView::default());
    keys_declared(&Stats::default());
}

#[test]
fn windows_go_both_ways_under_their_declared_names() {
    assert!(Window::decl().contains(r#""1h" | "24h" | "7d" | "30d""#));
    for window in Window::ALL {
        let json = serde_json::to_string(&window).expect("serialise");
        assert_eq!(
            serde_json::from_str::<Window>(&json).expect("deserialise"),
            window
        );
    }
}
