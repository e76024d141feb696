//! The per-monitor alert state machine (DESIGN.md §3), pure: verdicts, the alert policy, the
//! mute in effect and the wall clock come in as arguments;
//! [`StateChange`](crate::model::StateChange) events come out. Modelled on gatus
//! `watchdog/alerting.go` (thresholds, reminders), with ELM's "act on every failure" mode.
//!
//! The rules, precisely:
//! - **Streaks.** Each counted verdict updates three consecutive counts: Success, Failed, and
//!   Warning-*or-worse* — a Failed probe also counts toward Warning, so a server alternating
//!   slow and dead answers is confirmed degraded rather than never confirmed at all. A run made
//!   of failures only is judged by `failed_after` alone (with `failed_after = 3`, two failures
//!   do not raise a Warning): Warning confirmation needs at least one Warning in its run.
//! - **First verdict.** From Unknown (and from Offline, or any status without a verdict) the
//!   first verdict is shown at once, but a Failed or Warning shown that way alerts only once its
//!   confirmations are in; that later alert is a [`ChangeKind::Repeated`](crate::model::ChangeKind::Repeated) event (same
//!   status, people told now).
//! - **Confirmations.** Failed after `failed_after` consecutive Failed verdicts; Warning after
//!   `warning_after` consecutive Warning-or-worse verdicts (a confirmed Failed wins); a confirmed
//!   Warning after Failed is a change too (the server answers again, slowly) and alerts. One
//!   Success recovers; the recovery alerts iff `on_recovery` and something was alerted since the
//!   monitor last was Success (the "episode"). Zero thresholds count as one.
//! - **Every failure** (ELM): Failed needs one verdict, and every further Failed verdict alerts.
//! - **Reminders**: while Failed, a Failed verdict alerts again once `repeat_every` has passed
//!   since the last alert. Reminders and every-failure repeats follow Failed verdicts only.
//! - **Mute.** While snoozed or paused nothing alerts: status changes are still emitted (with
//!   `alert = false`, for history) but the alert-only Repeated events are not. A mute ends at
//!   its `until` instant (exclusive). A bad status that was never announced because of the mute
//!   is announced (Repeated) by the first confirming verdict after the mute ends — a snooze must
//!   not swallow an outage that outlives it.
//! - **Suppressed** observations (the probe straddled a suspend, or the machine is offline)
//!   change nothing at all: no streak, no status, no last verdict. History still stores them.
//! - **Offline.** The engine calls [`MonitorState::set_offline`] for every monitor when
//!   `Connectivity` reports the machine offline, and marks observations made while offline as
//!   suppressed. Offline resets the streaks (failures while offline never count) and emits a
//!   change to Offline with its event id (5520) and no alert. There is no `set_online`: the next
//!   counted verdict is adopted at once, as from Unknown, and quietly — the cause had one
//!   notification for every monitor, its end has none per monitor. A port-25 block
//!   ([`MonitorState::set_local`] with `blocked`, 5522) works the same way.
//!
//! Times: `now` stamps events, since-when, mutes and reminders; the observation's `at` (when the
//! probe ran) is kept as the last check time.

mod mute;
mod state;
mod streaks;
mod worst;

pub(crate) use mute::Mute;
pub(crate) use state::{MonitorState, Observation};
pub(crate) use worst::{worst, Shown};

#[cfg(test)]
mod tests;
