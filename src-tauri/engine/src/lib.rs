//! The EHLO Watch engine: probes SMTP servers the way DESIGN.md §1 specifies — greeting, EHLO,
//! optional TLS — and turns each probe into a verdict value (Success 5510, QoS Warning 5511,
//! Failed 5509) with per-phase timings, TLS facts and a transcript; runs monitors on a schedule
//! with an alert state machine and a SQLite history.
//!
//! Nothing here knows about windows, trays or notifications: the desktop shell and the
//! command line both build on the same plain data.
//!
//! The API is what this page re-exports, the settings registry ([`settings`]) and the
//! replacement of a file's content ([`atomic_file`]); the modules behind them are the crate's own. In layers, each using only those below it: `settings`,
//! `atomic_file`, `awake_clock`, `event_id`, `failure`, `smtp` and `tls` at the bottom; `verdict`; `status`; `model`; `probe`; `domain`;
//! `config`; `control`; `monitor`, `connectivity`, `egress`, `suspend`, `history` and `scheduler`; `snapshot`;
//! `handle`; `runtime` on top
//! (`scripts/check-cycles` keeps the modules free of cycles).

// Denied, not forbidden: the awake clock's one call into Windows (awake_clock.rs) is the only
// unsafe code, allowed in that module alone.
#![deny(unsafe_code)]
#![deny(unreachable_pub, missing_docs)]

pub mod atomic_file;
mod awake_clock;
mod config;
mod connectivity;
mod control;
mod dane;
mod dnsbl;
mod domain;
mod drift;
mod egress;
mod event_id;
mod failure;
mod handle;
mod history;
mod io_words;
mod model;
mod monitor;
mod mta_sts;
mod probe;
mod runtime;
mod scheduler;
pub mod settings;
mod shown;
mod smtp;
mod snapshot;
mod status;
mod suspend;
mod tls;
mod tls_rpt;
mod verdict;

// Probing one server: what to probe, the report, and its parts.
pub use failure::{Failure, FailureKind, Phase};
pub use io_words::io_words;
pub use probe::{
    check_ehlo_name, AddressFamily, Addresses, Direction, EhloReply, Phases, ProbeReport,
    ProbeSpec, Prober, TargetReport, TlsMode, TranscriptLine, MAX_TARGETS,
};
pub use smtp::reply::{DEFAULT_LINE_CAP, MAX_KEPT_BYTES, MAX_KEPT_LINES};
pub use smtp::{Extension, Reply, ReplyCode, ReplyError, ReplyParser};
pub use tls::{read_ca_file, TlsFacts, TlsSetupError, TlsTrust};
pub use verdict::{show as show_duration, Thresholds, Verdict, Warning, WarningKind};

// Mail domains: the MX set, the resolver, and the prober of every MX host.
pub use domain::{
    clamp_ttl, mx_set, parse_resolver, probe_once, DnsResolver, DnsSetupError, DomainProber,
    HostAddresses, LookupError, MxAnswer, MxHost, MxSet, DEFAULT_MIN_MX_TTL, MAX_MX_HOSTS,
    MAX_MX_TTL,
};

// Monitoring: the configuration, the running engine, what it publishes, and its history.
pub use config::{
    check_domain, check_ehlo_keyword, check_family, check_host, tables_of, validate_monitor_alone,
    AlertsFile, Config, ConfigError, ConfigFile, Control, ControlFile, Defaults, DefaultsFile, Dns,
    DnsFile, History, HistoryFile, MailPolicy, MailPolicyFile, MonitorConfig, MonitorFile, Problem,
};
pub use control::{
    run_control, ControlHost, ControlReport, ControlVerdict,
    CONNECT_WITHIN as CONTROL_CONNECT_WITHIN,
};
pub use dane::{DaneCheck, DaneState};
pub use dnsbl::{ListCheck, ListState};
pub use drift::{Finding, FindingKind};
pub use event_id::EventId;
pub use handle::{Command, EngineEvent, EngineHandle, EventSubscriber};
pub use history::{
    CauseRecord, EventBounds, HistoryError, HistoryReader, HistoryStore, Logged, Queries, Recovery,
    ResultRecord, Sequenced, SeriesPoint, Stats, Window,
};
pub use model::{AlertPolicy, ChangeKind, LocalCause, MonitorId, StateChange};
pub use mta_sts::{StsCheck, StsMode, StsPolicyState, StsPolicyView, StsState};
pub use runtime::{Engine, EngineOptions};
pub use snapshot::{
    next_shown_change, shown_status, stale_after, stale_from, Counts, MonitorView, Snapshot,
};
pub use status::{Colour, Status};
pub use tls_rpt::{TlsRptState, TlsRptView};
