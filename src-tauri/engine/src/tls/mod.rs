//! TLS for probes (RFC 8314 implicit TLS, RFC 3207 STARTTLS) with rustls: whom to trust, client
//! configurations per trust setting, and the facts a report carries about the session and the
//! certificate.

pub mod config;
pub mod facts;

pub use config::{read_ca_file, TlsClient, TlsConfigs, TlsSetupError, TlsTrust};
pub use facts::{tls_facts, TlsFacts};
