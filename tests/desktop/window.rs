//! The window's pages as the journeys use them: the UI's `data-testid` selectors, and the steps
//! that open the editor, the detail with its latency chart, and the status view again.

use std::time::Duration;

use serde_json::Value;

use super::driver::WebDriver;
use super::poll;

/// How long the window may take to answer a click or show what it was sent.
pub const UI: Duration = Duration::from_secs(15);
/// How long the detail may take to draw the chart points it is waited for (a 15 s bucket of
/// the last hour, and the detail's reloads at most every 5 s).
const CHART: Duration = Duration::from_secs(45);
/// A port the backend refuses (above 65535).
const BAD_PORT: &str = "70000";

/// A monitor's row showing Success.
pub const ROW_SUCCESS: &str = r#"[data-testid="monitor-row"][data-status="success"]"#;
/// A monitor's row showing Failed.
pub const ROW_FAILED: &str = r#"[data-testid="monitor-row"][data-status="failed"]"#;
/// Any monitor's row.
pub const ROWS: &str = r#"[data-testid="monitor-row"]"#;
/// The first run's welcome.
pub const WELCOME: &str = r#"[data-testid="welcome"]"#;
/// The button that opens the editor on a new monitor.
pub const ADD_MONITOR: &str = r#"[data-testid="add-monitor"]"#;
/// The monitor editor.
pub const EDITOR: &str = r#"[data-testid="editor"]"#;
/// The editor's save button.
pub const SAVE_MONITOR: &str = r#"[data-testid="save-monitor"]"#;
/// The editor's problem at the port field.
pub const PORT_ERROR: &str = r#"[data-testid="field-error"][data-field="port"]"#;
/// A monitor's detail.
pub const DETAIL: &str = r#"[data-testid="detail"]"#;
/// The top bar's way back to the status view.
pub const NAV_STATUS: &str = r#"[data-testid="nav-status"]"#;

/// The editor's input for config key `name`.
pub fn input(name: &str) -> String {
    format!(r#"{EDITOR} input[name="{name}"]"#)
}

/// The status row of monitor `id`.
pub fn row(id: &str) -> String {
    format!(r#"{ROWS}[data-monitor-id="{id}"]"#)
}

/// Opens the editor for a new monitor, types `fields` and the port 70000 and saves: the
/// backend refuses the port, and the editor says so at the port field. Returns what it says.
pub fn refused_port(window: &WebDriver, fields: &[(&str, &str)]) -> Result<String, String> {
    window.click(ADD_MONITOR)?;
    window.wait_for(EDITOR, UI)?;
    for (name, value) in fields {
        window.fill(&input(name), value)?;
    }
    window.fill(&input("port"), BAD_PORT)?;
    window.click(SAVE_MONITOR)?;
    window.wait_for(PORT_ERROR, UI)?;
    // The form from its top, for the screenshot: the problem summary above the port field.
    let said = window.execute(&format!(
        "window.scrollTo(0, 0); return document.querySelector('{PORT_ERROR}').textContent;"
    ))?;
    Ok(said.as_str().unwrap_or_default().to_owned())
}

/// What the latency chart drew.
#[derive(Debug, Clone, Copy)]
pub struct Drawn {
    /// Buckets with probes (`data-points`).
    pub points: u64,
    /// Buckets with failures marked (`data-failure-marks`).
    pub failure_marks: u64,
}

/// Opens the detail of monitor `id` from its row, picks the last hour and waits until the chart
/// has drawn at least `at_least`, with no load under way and no new drawing between two
/// readings (so the screenshot shows what was counted).
pub fn open_detail(window: &WebDriver, id: &str, at_least: Drawn) -> Result<Drawn, String> {
    const SCRIPT: &str = r#"
        const detail = document.querySelector('[data-testid="detail"]');
        const chart = detail && detail.querySelector('[data-testid="latency-chart"]');
        const hour = detail && detail.querySelector('[data-window="1h"]');
        if (!chart || !hour) return null;
        return {
            hour: hour.getAttribute('aria-pressed') === 'true',
            busy: chart.getAttribute('aria-busy') === 'true',
            canvas: chart.querySelector('canvas') !== null,
            drawn: Number(chart.dataset.drawn || 0),
            points: Number(chart.dataset.points || 0),
            marks: Number(chart.dataset.failureMarks || 0),
        };"#;
    window.click(&format!(r#"{} [data-testid="open-detail"]"#, row(id)))?;
    window.wait_for(DETAIL, UI)?;
    window.click(&format!(r#"{DETAIL} [data-window="1h"]"#))?;
    let mut previous = Value::Null;
    poll(
        &format!("the chart of the last hour has drawn at least {at_least:?}"),
        CHART,
        Duration::from_millis(250),
        || {
            let chart = window.execute(SCRIPT)?;
            let drawn = Drawn {
                points: chart["points"].as_u64().unwrap_or(0),
                failure_marks: chart["marks"].as_u64().unwrap_or(0),
            };
            let ready = chart["hour"] == true
                && chart["busy"] == false
                && chart["canvas"] == true
                && drawn.points >= at_least.points
                && drawn.failure_marks >= at_least.failure_marks;
            let settled = ready && chart == previous;
            previous = chart;
            if settled {
                Ok(drawn)
            } else {
                Err(previous.to_string())
            }
        },
    )
}

/// Back from a view to the status view through the top bar, which lists the rows again.
pub fn back_to_status(window: &WebDriver) -> Result<(), String> {
    window.click(NAV_STATUS)?;
    window.wait_for(ROWS, UI)
}
