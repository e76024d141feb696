//! DANE for SMTP (RFC 7672, RFC 6698): every MX target's TLSA records, validated by DNSSEC,
//! matched against the certificate chain it served in the same probe. Validation is the AD bit
//! of the `[dns]` resolver, trusted only when every resolver is on loopback (a local validating
//! resolver such as unbound or systemd-resolved); with any other resolver the check says
//! "DANE not checked: no validating resolver" and never colours a target.

mod check;
mod lookup;
mod record;
mod served;

pub(crate) use check::{check, Evidence};
pub use check::{DaneCheck, DaneState};
pub(crate) use lookup::{all_loopback, lookup, tlsa_name, TlsaAnswer};
pub(crate) use served::ServedChains;

use crate::failure::{Failure, FailureKind, Phase};
use crate::probe::report::TargetReport;

/// Puts `check` on `target`, and fails the target with its verdict when DANE senders would not
/// deliver to it (a target that failed already keeps its own failure).
pub(crate) fn apply(target: &mut TargetReport, check: DaneCheck) {
    if check.state.fails() {
        target.fail(Failure::new(
            Phase::Tls,
            FailureKind::Dane,
            check.verdict.clone(),
        ));
    }
    target.report.dane = Some(check);
}
