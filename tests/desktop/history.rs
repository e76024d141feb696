//! The app's history as the journeys read it: how many probes it holds (`history.sqlite` in
//! the data directory, opened read-only beside the app, which flushes every second), so a
//! journey can wait for the probes that follow something it saw.

use std::path::Path;
use std::time::Duration;

use super::poll;

/// The monitors' own results in the history (a monitor's row per probe, not its targets'
/// rows); 0 before the file exists.
pub fn probes(data: &Path) -> Result<u64, String> {
    let path = data.join("history.sqlite");
    if !path.exists() {
        return Ok(0);
    }
    let conn =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    conn.query_row(
        "SELECT count(*) FROM results WHERE target IS NULL",
        [],
        |r| r.get(0),
    )
    .map_err(|e| format!("{}: {e}", path.display()))
}

/// Waits until the history holds `more` probes beyond `from`; returns how many it holds.
pub fn wait_probes(data: &Path, from: u64, more: u64, timeout: Duration) -> Result<u64, String> {
    poll(
        &format!("{more} more probes in the history (from {from})"),
        timeout,
        Duration::from_millis(200),
        || match probes(data)? {
            n if n >= from + more => Ok(n),
            n => Err(format!("{n} probes")),
        },
    )
}
