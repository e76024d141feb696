//! Each mail domain's baseline — what was last told of its MX set and of what its MX hosts
//! offer — one JSON body per monitor, replaced whenever it changes and read once at start, so
//! a restart tells nothing twice.

use rusqlite::params;

use super::query::Queries;
use super::HistoryError;
use crate::model::MonitorId;

/// One monitor's baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaselineRecord {
    /// Which monitor.
    pub monitor: MonitorId,
    /// The baseline, as the engine wrote it.
    pub body: String,
}

/// Stores a baseline, replacing the monitor's last one.
pub(crate) const UPSERT_BASELINE: &str =
    "INSERT INTO baselines (monitor_id, body) VALUES (?1, ?2) \
     ON CONFLICT (monitor_id) DO UPDATE SET body = excluded.body";

impl Queries<'_> {
    /// Every monitor's baseline.
    pub(crate) fn baselines(self) -> Result<Vec<BaselineRecord>, HistoryError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT m.key, body FROM baselines JOIN monitors m ON m.id = baselines.monitor_id",
        )?;
        let rows = stmt.query_map(params![], |row| {
            Ok(BaselineRecord {
                monitor: MonitorId(row.get(0)?),
                body: row.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
