//! At most one lookup per address and list per hour: the last result of each pair is kept and
//! reused within the hour. A failed lookup (SERVFAIL, no answer) is not kept, so the next probe
//! asks again. The clock is a parameter (`now`), so the rule is tested without waiting; memory
//! is bounded by [`MAX_HELD`] pairs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::result::{ListCheck, ListState};

/// How long a result is reused: one lookup per address and list per hour.
pub(crate) const HOLD: Duration = Duration::from_secs(3600);
/// The most address × list pairs held; past it the oldest result is dropped.
pub(crate) const MAX_HELD: usize = 4096;

/// Per address and list zone: when it was asked, and what the list said.
type Held = HashMap<(IpAddr, String), (Instant, ListCheck)>;

/// The last result of each address × list, shared by every probe of a domain prober. Cheap to
/// clone; clones share the results.
#[derive(Debug, Clone, Default)]
pub(crate) struct DnsblLimiter {
    held: Arc<Mutex<Held>>,
}

impl DnsblLimiter {
    /// The result of `address` on `list` asked less than an hour before `now`, if any.
    pub(crate) fn held(&self, address: IpAddr, list: &str, now: Instant) -> Option<ListCheck> {
        let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.get(&(address, list.to_owned()))
            .filter(|(at, _)| now.saturating_duration_since(*at) < HOLD)
            .map(|(_, check)| check.clone())
    }

    /// Keeps `check`, asked at `now`, for an hour — unless its lookup failed, which the next
    /// probe asks again.
    pub(crate) fn keep(&self, address: IpAddr, list: &str, check: &ListCheck, now: Instant) {
        if check.state == ListState::LookupFailed {
            return;
        }
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held.len() >= MAX_HELD {
            held.retain(|_, (at, _)| now.saturating_duration_since(*at) < HOLD);
        }
        if held.len() >= MAX_HELD {
            if let Some(oldest) = held
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(key, _)| key.clone())
            {
                held.remove(&oldest);
            }
        }
        held.insert((address, list.to_owned()), (now, check.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::super::answer::Decoded;
    use super::super::result::judged;
    use super::*;

    fn not_listed(list: &str) -> ListCheck {
        judged(list, &Decoded::NotListed, None)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn one_lookup_within_the_hour_another_after() {
        let limiter = DnsblLimiter::default();
        let t0 = Instant::now();
        let a = ip("192.0.2.10");
        assert!(
            limiter.held(a, "bl.test", t0).is_none(),
            "nothing asked yet"
        );
        limiter.keep(a, "bl.test", &not_listed("bl.test"), t0);
        for later in [
            Duration::ZERO,
            Duration::from_secs(1),
            HOLD - Duration::from_secs(1),
        ] {
            assert_eq!(
                limiter.held(a, "bl.test", t0 + later).map(|c| c.state),
                Some(ListState::NotListed),
                "held {later:?} after"
            );
        }
        assert!(
            limiter.held(a, "bl.test", t0 + HOLD).is_none(),
            "asked again an hour after"
        );
    }

    #[test]
    fn each_address_and_list_is_held_on_its_own() {
        let limiter = DnsblLimiter::default();
        let t0 = Instant::now();
        limiter.keep(ip("192.0.2.10"), "bl.test", &not_listed("bl.test"), t0);
        assert!(limiter.held(ip("192.0.2.10"), "bl.test", t0).is_some());
        assert!(limiter.held(ip("192.0.2.11"), "bl.test", t0).is_none());
        assert!(limiter.held(ip("192.0.2.10"), "other.test", t0).is_none());
        assert!(limiter.held(ip("2001:db8::10"), "bl.test", t0).is_none());
    }

    #[test]
    fn a_failed_lookup_is_not_held() {
        let limiter = DnsblLimiter::default();
        let t0 = Instant::now();
        let mut failed = not_listed("bl.test");
        failed.state = ListState::LookupFailed;
        limiter.keep(ip("192.0.2.10"), "bl.test", &failed, t0);
        assert!(limiter.held(ip("192.0.2.10"), "bl.test", t0).is_none());
    }

    #[test]
    fn memory_is_bounded_dropping_the_oldest() {
        let limiter = DnsblLimiter::default();
        let t0 = Instant::now();
        let first = ip("10.0.0.0");
        limiter.keep(first, "bl.test", &not_listed("bl.test"), t0);
        for n in 1..=MAX_HELD {
            let address = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + n as u32));
            limiter.keep(
                address,
                "bl.test",
                &not_listed("bl.test"),
                t0 + Duration::from_millis(1),
            );
        }
        let held = limiter.held.lock().unwrap().len();
        assert_eq!(held, MAX_HELD);
        assert!(
            limiter.held(first, "bl.test", t0).is_none(),
            "the oldest went"
        );
    }
}
