//! The page's paint timing: the first frame with status data (the UI's `ehlo:status-ready`
//! mark) and WebKit's own paint entries, reported (never asserted: a debug build on two shared
//! cores) and kept with the artifacts.

use std::time::Duration;

use serde_json::Value;

use super::driver::WebDriver;
use super::scheme::Scheme;
use super::window::UI;
use super::{poll, Artifacts, Clock};

/// The first paint the window aims at (reported, not asserted).
const FIRST_PAINT_TARGET_MS: f64 = 200.0;

/// The page's paint timing, in milliseconds after `performance.timing.navigationStart`.
#[derive(Debug)]
pub struct FirstPaint {
    /// The `ehlo:status-ready` mark: the first frame with the status data.
    status_ready_ms: f64,
    /// WebKit's `first-contentful-paint`, when it records one.
    contentful_ms: Option<f64>,
    /// The names of the `paint` entries WebKit recorded.
    paint_entries: Vec<String>,
    /// Every entry of the page's performance timeline (the IPC requests among them).
    entries: Value,
}

impl FirstPaint {
    /// Logs the figures and keeps the whole timeline as `performance-<scheme>.json`.
    pub fn report(&self, clock: &Clock, artifacts: &Artifacts, scheme: Scheme) {
        let name = format!("performance-{}.json", scheme.name());
        if let Err(e) = serde_json::to_vec_pretty(&self.entries)
            .map_err(|e| e.to_string())
            .and_then(|json| artifacts.save(&name, &json))
        {
            clock.log(format!("{name}: {e}"));
        }
        clock.log(format!(
            "first paint of the status view: {:.0} ms after navigation start (the \
             ehlo:status-ready mark; target {FIRST_PAINT_TARGET_MS} ms: {})",
            self.status_ready_ms,
            if self.status_ready_ms < FIRST_PAINT_TARGET_MS {
                "met"
            } else {
                "missed"
            }
        ));
        match self.contentful_ms {
            Some(ms) => clock.log(format!(
                "first-contentful-paint: {ms:.0} ms after navigation start"
            )),
            None => clock.log(format!(
                "first-contentful-paint: WebKit records none (paint entries: {:?})",
                self.paint_entries
            )),
        }
    }
}

/// Waits for the page's `ehlo:status-ready` mark and reads the paint timing.
pub fn first_paint(window: &WebDriver) -> Result<FirstPaint, String> {
    const SCRIPT: &str = "
        const p = performance;
        const offset = p.timing ? p.timeOrigin - p.timing.navigationStart : 0;
        const at = (name) => {
            const e = p.getEntriesByName(name)[0];
            return e ? e.startTime + offset : null;
        };
        return {
            ready: at('ehlo:status-ready'),
            fcp: at('first-contentful-paint'),
            paints: p.getEntriesByType('paint').map((e) => e.name),
            entries: p.getEntries().map((e) => e.toJSON()),
        };";
    poll(
        "the page marks ehlo:status-ready",
        UI,
        Duration::from_millis(100),
        || {
            let timing = window.execute(SCRIPT)?;
            let status_ready_ms = timing["ready"]
                .as_f64()
                .ok_or_else(|| format!("no mark yet: {timing}"))?;
            Ok(FirstPaint {
                status_ready_ms,
                contentful_ms: timing["fcp"].as_f64(),
                paint_entries: timing["paints"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect(),
                entries: timing["entries"].clone(),
            })
        },
    )
}
