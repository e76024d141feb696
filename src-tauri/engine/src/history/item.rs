//! [`HistoryItem`]: what the coordinator sends the history writer — a probe result, a state
//! change, a local cause, a mail domain's finding or its baseline.

use super::baseline::BaselineRecord;
use super::record::ResultRecord;
use super::sequence::CauseRecord;
use crate::drift::Finding;
use crate::model::StateChange;

/// What the history writer is sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HistoryItem {
    /// A probe result.
    Result(ResultRecord),
    /// A state-change event.
    Change(StateChange),
    /// A local cause began or ended.
    Cause(CauseRecord),
    /// A mail domain's finding.
    Finding(Finding),
    /// A mail domain's baseline, replacing the last one stored.
    Baseline(BaselineRecord),
}

impl From<ResultRecord> for HistoryItem {
    fn from(r: ResultRecord) -> Self {
        Self::Result(r)
    }
}

impl From<StateChange> for HistoryItem {
    fn from(c: StateChange) -> Self {
        Self::Change(c)
    }
}

impl From<CauseRecord> for HistoryItem {
    fn from(c: CauseRecord) -> Self {
        Self::Cause(c)
    }
}

impl From<Finding> for HistoryItem {
    fn from(f: Finding) -> Self {
        Self::Finding(f)
    }
}

impl From<BaselineRecord> for HistoryItem {
    fn from(b: BaselineRecord) -> Self {
        Self::Baseline(b)
    }
}
