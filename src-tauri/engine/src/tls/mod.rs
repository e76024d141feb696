//! TLS for probes (RFC 8314 implicit TLS, RFC 3207 STARTTLS) with rustls: whom to trust, client
//! configurations per trust setting, and the facts a report carries about the session and the
//! certificate.

pub(crate) mod config;
pub(crate) mod facts;

pub use config::{read_ca_file, TlsSetupError, TlsTrust};
pub(crate) use config::{TlsClient, TlsConfigs};
pub(crate) use facts::tls_facts;
pub use facts::TlsFacts;
