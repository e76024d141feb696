//! The window's Policy card as the lab journeys read it: the state of each line of one check
//! (`dane`, `mta_sts` …) in target order, waited for, and screenshots with the card in view.

use std::time::Duration;

use super::driver::WebDriver;
use super::{poll, Artifacts, Clock};

/// The lines of the Policy card in the open detail.
const CARD: &str = r#"[data-testid="detail"] [data-testid="mail-policy"]"#;

/// The state of each `check` line of the Policy card, in target order.
pub fn states(window: &WebDriver, check: &str) -> Result<Vec<String>, String> {
    let states = window.execute(&format!(
        "return Array.from(document.querySelectorAll('{CARD} [data-check=\"{check}\"]'))\
         .map(e => e.dataset.state);"
    ))?;
    serde_json::from_value(states).map_err(|e| e.to_string())
}

/// Waits until the Policy card's `check` lines are in the states `want`, within `within`.
pub fn wait_states(
    window: &WebDriver,
    check: &str,
    want: &[&str],
    within: Duration,
    clock: &Clock,
) {
    poll(
        &format!("the Policy card's {check} states are {want:?}"),
        within,
        Duration::from_millis(250),
        || match states(window, check)? {
            states if states == want => Ok(()),
            states => Err(format!("{states:?}")),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    clock.log(format!("ok: the Policy card's {check} lines are {want:?}"));
}

/// A screenshot of the window named `name`, the Policy card scrolled into view.
pub fn screenshot(window: &WebDriver, artifacts: &Artifacts, clock: &Clock, name: &str) {
    let card = format!("document.querySelector('{CARD}')?.scrollIntoView()");
    if let Err(e) = window.execute(&card) {
        clock.log(format!("the Policy card not scrolled into view: {e}"));
    }
    match window.screenshot() {
        Ok(png) => drop(artifacts.save(name, &png)),
        Err(e) => clock.log(format!("no screenshot {name}: {e}")),
    }
}
