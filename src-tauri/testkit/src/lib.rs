//! Test servers for EHLO Watch's own tests and benchmarks: scripted fake SMTP servers on a
//! loopback port (for behaviour no real server shows on demand) and a throw-away PKI for TLS.
//! Real-server harnesses live here too, Unix only: a private Postfix (a Unix daemon) and
//! Debian's aiosmtpd; and tables of cases that every front door (engine, command line, files)
//! must judge alike; and the TLSA record data matching a certificate, by the `openssl` command
//! line ([`ServerCert::tlsa`]). Linux only: a lab of network namespaces with a real DNS server
//! ([`netns`]). A real agent (`ehlowatch run`) on loopback, with TLS and tokens ([`agent`]). Linux only: a private
//! Secret Service on the test's own D-Bus session ([`secret_service`]).

#![forbid(unsafe_code)]

pub mod agent;
#[cfg(unix)]
pub mod aiosmtpd;
pub mod ehlo_names;
#[cfg(target_os = "linux")]
pub mod netns;
pub mod pki;
pub mod policy_host;
#[cfg(unix)]
pub mod postfix;
pub mod scenarios;
pub mod script;
#[cfg(target_os = "linux")]
pub mod secret_service;
pub mod server;
mod tlsa;

#[cfg(unix)]
pub use aiosmtpd::Aiosmtpd;
pub use ehlo_names::{ehlo_name_cases, EhloNameCase};
pub use pki::{ServerCert, TestPki, Validity};
#[cfg(unix)]
pub use postfix::PrivatePostfix;
pub use scenarios::{Scenario, TlsNeed};
pub use script::{Script, Step};
pub use server::FakeSmtp;

/// Whether a reset connection ([`Step::Reset`]) reaches the probe as a reset here. The Windows
/// build's tests run under Wine, where a reset from the peer reads as the end of the stream (the
/// probe says `closed`; Windows itself reports `WSAECONNRESET`), so there they do not expect one.
pub const RESET_READS_AS_RESET: bool = cfg!(not(windows));
