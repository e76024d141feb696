//! The EHLO Watch engine: probes SMTP servers the way DESIGN.md §1 specifies — greeting, EHLO,
//! optional TLS — and turns each probe into a verdict value (Success 5510, QoS Warning 5511,
//! Failed 5509) with per-phase timings, TLS facts and a transcript.
//!
//! Nothing here knows about windows, trays or notifications: the desktop shell and the
//! command line both build on the same plain data.

#![forbid(unsafe_code)]

pub mod config;
pub mod connectivity;
pub mod failure;
pub mod handle;
pub mod history;
pub mod model;
pub mod monitor;
pub mod probe;
pub mod runtime;
pub mod scheduler;
pub mod settings;
pub mod smtp;
pub mod snapshot;
pub mod suspend;
pub mod tls;
pub mod verdict;

pub use model::{AlertPolicy, ChangeKind, MonitorId, StateChange, Status};
pub use probe::{ProbeReport, ProbeSpec, Prober};
pub use verdict::Verdict;
