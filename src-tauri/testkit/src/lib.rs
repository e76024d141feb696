//! Test servers for EHLO Watch's own tests and benchmarks: scripted fake SMTP servers on a
//! loopback port (for behaviour no real server shows on demand) and a throw-away PKI for TLS.
//! Real-server harnesses (a private Postfix) live here too.

#![forbid(unsafe_code)]

pub mod pki;
pub mod postfix;
pub mod scenarios;
pub mod script;
pub mod server;

pub use pki::{ServerCert, TestPki, Validity};
pub use postfix::PrivatePostfix;
pub use scenarios::{Scenario, TlsNeed};
pub use script::{Script, Step};
pub use server::FakeSmtp;
