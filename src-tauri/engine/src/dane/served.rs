//! The chains each target served, kept to tell a TLSA record left for the certificate a host
//! served before it changed ("TLSA not updated after a certificate change"). Kept in memory for
//! as long as the engine runs, for at most [`MAX_TARGETS`] targets.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rustls_pki_types::CertificateDer;

/// The most targets remembered; past it the memory starts again.
const MAX_TARGETS: usize = 4096;

type Chain = Vec<CertificateDer<'static>>;

/// The chain each target serves now, and the one it served before.
#[derive(Debug, Default)]
pub(crate) struct ServedChains {
    by_target: Mutex<HashMap<String, (Chain, Option<Chain>)>>,
}

impl ServedChains {
    /// Records that `target` served `chain` (leaf first), and returns the chain it served
    /// before its leaf last changed, if one was seen.
    pub(crate) fn served(&self, target: &str, chain: &[CertificateDer<'static>]) -> Option<Chain> {
        let mut by_target = self
            .by_target
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if by_target.len() >= MAX_TARGETS && !by_target.contains_key(target) {
            by_target.clear();
        }
        let entry = by_target
            .entry(target.to_owned())
            .or_insert_with(|| (chain.to_vec(), None));
        if entry.0.first() != chain.first() {
            let before = std::mem::replace(&mut entry.0, chain.to_vec());
            entry.1 = Some(before);
        }
        entry.1.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(byte: u8) -> Chain {
        vec![CertificateDer::from(vec![byte; 4])]
    }

    #[test]
    fn the_previous_chain_is_the_one_before_the_last_change() {
        let served = ServedChains::default();
        assert_eq!(served.served("mx 192.0.2.1", &chain(1)), None);
        assert_eq!(served.served("mx 192.0.2.1", &chain(1)), None);
        assert_eq!(served.served("mx 192.0.2.1", &chain(2)), Some(chain(1)));
        assert_eq!(served.served("mx 192.0.2.1", &chain(2)), Some(chain(1)));
        assert_eq!(served.served("mx 192.0.2.1", &chain(3)), Some(chain(2)));
        assert_eq!(served.served("mx 192.0.2.2", &chain(3)), None, "per target");
    }
}
