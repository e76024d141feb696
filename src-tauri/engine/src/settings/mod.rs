//! The registry of settings: every value a person can set — in the agent's file, the desktop's
//! store or on the command line — with its key, type, default, range and meaning, once. The file
//! schema, the validator, the command line's argument parsing and the window's generated limits
//! all read these entries, so a setting cannot have two defaults or two ranges. Adding a setting
//! is one entry here plus its use.
//!
//! Ranges are the same at every front door. The QoS ceiling is RFC 5321 §4.5.3.2's five-minute
//! greeting timeout: a server slower than that has failed by any client's measure.

mod entries;
mod kinds;

pub use entries::*;
pub use kinds::*;

/// SMTP's port (RFC 5321 §4.5.4), the default.
pub const SMTP_PORT: u16 = 25;
/// Message submission over implicit TLS (RFC 8314 §3.3).
pub const IMPLICIT_TLS_PORT: u16 = 465;

/// The port a monitor uses when none is set: 465 for implicit TLS, else 25.
pub fn default_port(implicit_tls: bool) -> u16 {
    if implicit_tls {
        IMPLICIT_TLS_PORT
    } else {
        SMTP_PORT
    }
}

/// The rule between the two certificate thresholds: the critical one is not above the warning
/// one.
pub fn cert_days_in_order(warn: i64, crit: i64) -> bool {
    crit <= warn
}

#[cfg(test)]
mod tests;
