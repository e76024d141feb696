//! `check --control HOST`: when the probe of port 25 failed to connect, control probes
//! ([`run_control`]) tell a block on this network from a dead server. A confirmed block — or
//! control hosts that answer on neither port — is not the server's fault: exit 3 (UNKNOWN) with
//! what was found, instead of CRITICAL. Control hosts reaching port 25 leave the verdict as it is.

use std::process::ExitCode;

use ehlowatch_engine::{
    run_control, ControlReport, ControlVerdict, EventId, ProbeReport, CONTROL_CONNECT_WITHIN,
};
use serde_json::{json, Value};
use tokio::runtime::Runtime;

use crate::args::CheckArgs;
use crate::usage::{Unknown, UNKNOWN};

/// Runs control probes when they can decide, and exits 3 when they clear the server; `None`
/// when the report stands.
pub fn decide(runtime: &Runtime, args: &CheckArgs, report: &ProbeReport) -> Option<ExitCode> {
    let failed_at_connect = report
        .failure
        .as_ref()
        .is_some_and(ehlowatch_engine::Failure::is_connect_failure);
    if args.control.is_empty() || report.port != 25 || !failed_at_connect {
        return None;
    }
    let control = runtime.block_on(run_control(&args.control, CONTROL_CONNECT_WITHIN));
    let (status, event) = match control.verdict {
        ControlVerdict::Open => return None,
        ControlVerdict::Blocked => ("blocked", Some(EventId::BlockedBegan)),
        ControlVerdict::Inconclusive => ("unknown", None),
    };
    let summary = format!(
        "{}; the probe of {}:{}: {}",
        found(&control),
        report.host,
        report.port,
        report.reason.as_deref().unwrap_or("no connection")
    );
    if args.json {
        let Ok(Value::Object(mut object)) = serde_json::to_value(report) else {
            return Some(Unknown::internal("error: cannot encode the report").exit(true));
        };
        object.insert("status".into(), json!(status));
        object.insert("event_id".into(), json!(event.map(EventId::code)));
        object.insert("reason".into(), json!(summary));
        object.insert("control".into(), json!(control));
        println!("{}", Value::Object(object));
    } else {
        println!("SMTP UNKNOWN - {summary}");
    }
    Some(ExitCode::from(UNKNOWN))
}

/// "outbound port 25 blocked here: control hosts answer on 443, not on 25 (a.example, …)".
fn found(control: &ControlReport) -> String {
    let names: Vec<&str> = control.hosts.iter().map(|h| h.host.as_str()).collect();
    let what = match control.verdict {
        ControlVerdict::Blocked => {
            "outbound port 25 blocked here: control hosts answer on 443, not on 25"
        }
        _ => "cannot tell from here: no control host answers on 25 or on 443",
    };
    format!("{what} ({})", names.join(", "))
}
