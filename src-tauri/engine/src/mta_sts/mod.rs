//! MTA-STS (RFC 8461) for a mail domain: the `_mta-sts` TXT record, the policy fetched over
//! HTTPS from `mta-sts.<domain>` through the monitor's resolver and kept for its `max_age`, and
//! every MX target judged as a sender applying the policy judges it — its host against the
//! `mx` patterns, its served certificate against the system's CAs plus
//! `[mail_policy] mta_sts_ca_file`. `enforce` fails a refused target, `testing` makes it amber.

mod cache;
mod check;
mod fetch;
mod http;
mod policy;
mod record;
mod resolve;
mod sender;
mod view;

pub(crate) use cache::PolicyCache;
pub(crate) use check::{check, Served};
pub use check::{StsCheck, StsState};
pub use policy::StsMode;
pub(crate) use resolve::{resolve, Resolved, Sources};
pub use view::{StsPolicyState, StsPolicyView};

use crate::failure::{Failure, FailureKind, Phase};
use crate::probe::report::TargetReport;
use crate::verdict::WarningKind;

/// Puts `check` on `target`: Failed with its verdict when senders enforcing the policy refuse
/// the target, amber when a testing policy would (a target that failed already keeps its own
/// failure).
pub(crate) fn apply(target: &mut TargetReport, check: StsCheck) {
    if check.fails() {
        target.fail(Failure::new(
            Phase::Tls,
            FailureKind::MtaSts,
            check.verdict.clone(),
        ));
    } else if check.amber() {
        target.add_warning(WarningKind::MtaStsTesting, check.verdict.clone());
    }
    target.report.mta_sts = Some(check);
}
