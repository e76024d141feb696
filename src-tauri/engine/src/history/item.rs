//! [`HistoryItem`]: what the coordinator sends the history writer — a probe result, a state
//! change or a local cause.

use super::record::ResultRecord;
use super::sequence::CauseRecord;
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
