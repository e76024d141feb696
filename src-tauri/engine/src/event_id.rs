//! Every event id the product emits, in one enum: ELM's three verdict ids (5509 Failed, 5510
//! Success, 5511 QoS Warning) and the ranges of DESIGN.md ("Event ids"), of which this crate
//! defines the local causes (5520–5529), mail domains (5530–5539) and mail policy
//! (5540–5549). The README's event-id table lists the same ids; a test holds the two together.

use std::fmt;

/// An event id, as logged, stored, alerted and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum EventId {
    /// A probe or a monitor Failed (ELM).
    Failed = 5509,
    /// A probe or a monitor Succeeded (ELM).
    Success = 5510,
    /// A QoS Warning: a 250 after QoS, or a certificate near expiry (ELM).
    Warning = 5511,
    /// This machine lost its network: monitors are `offline`, not judged.
    OfflineBegan = 5520,
    /// This machine has its network again.
    OfflineEnded = 5521,
    /// Outbound port 25 is blocked on this network: its monitors are `blocked`, not judged.
    BlockedBegan = 5522,
    /// Outbound port 25 is reachable again.
    BlockedEnded = 5523,
    /// A monitor has had no result for longer than 2×interval + 2×QoS: it is `stale`.
    StaleBegan = 5524,
    /// A stale monitor has a fresh result again.
    StaleEnded = 5525,
    /// A mail domain's MX set changed: hosts or preferences added or removed.
    MxSetChanged = 5530,
    /// What an MX host offers changed: EHLO keywords, greeting name, certificate, TLS version.
    ServerChanged = 5531,
    /// An MX host that offered STARTTLS no longer does: mail to it falls back to plaintext.
    StarttlsVanished = 5532,
    /// A mail domain publishes a null MX (RFC 7505): it takes no mail; shown grey, no alert.
    TakesNoMail = 5533,
    /// An MX host × address's DANE verdict changed (RFC 7672): its TLSA records now match, or
    /// no longer match, the certificate it serves; or they appeared, went or became unusable.
    DaneChanged = 5540,
    /// A mail domain's MTA-STS policy changed: its `id` (a new policy fetched), mode, `mx`
    /// patterns or `max_age`; or it appeared or went.
    MtaStsPolicyChanged = 5541,
    /// An MX address's blocklist listing changed: listed (amber) or no longer listed on a list
    /// the user named.
    BlocklistChanged = 5542,
    /// A remote agent the desktop watches cannot be reached: its monitors are `unreachable`.
    SourceUnreachable = 5550,
    /// A remote agent can be reached again.
    SourceReachable = 5551,
    /// State changes an agent made while the desktop was disconnected, replayed on reconnect.
    SourceReplayed = 5552,
}

impl EventId {
    /// Every id, in numeric order.
    pub const ALL: [Self; 19] = [
        Self::Failed,
        Self::Success,
        Self::Warning,
        Self::OfflineBegan,
        Self::OfflineEnded,
        Self::BlockedBegan,
        Self::BlockedEnded,
        Self::StaleBegan,
        Self::StaleEnded,
        Self::MxSetChanged,
        Self::ServerChanged,
        Self::StarttlsVanished,
        Self::TakesNoMail,
        Self::DaneChanged,
        Self::MtaStsPolicyChanged,
        Self::BlocklistChanged,
        Self::SourceUnreachable,
        Self::SourceReachable,
        Self::SourceReplayed,
    ];

    /// The number.
    pub fn code(self) -> u16 {
        self as u16
    }

    /// The id with this number, if the product defines it.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|id| id.code() == code)
    }

    /// A short name: `Failed`, `Offline began` …
    pub fn name(self) -> &'static str {
        match self {
            Self::Failed => "Failed",
            Self::Success => "Success",
            Self::Warning => "QoS Warning",
            Self::OfflineBegan => "Offline began",
            Self::OfflineEnded => "Offline ended",
            Self::BlockedBegan => "Blocked began",
            Self::BlockedEnded => "Blocked ended",
            Self::StaleBegan => "Stale began",
            Self::StaleEnded => "Stale ended",
            Self::MxSetChanged => "MX set changed",
            Self::ServerChanged => "Server changed",
            Self::StarttlsVanished => "STARTTLS vanished",
            Self::TakesNoMail => "Takes no mail",
            Self::DaneChanged => "DANE verdict changed",
            Self::MtaStsPolicyChanged => "MTA-STS policy changed",
            Self::BlocklistChanged => "Blocklist listing changed",
            Self::SourceUnreachable => "Source unreachable",
            Self::SourceReachable => "Source reachable again",
            Self::SourceReplayed => "Source changes replayed",
        }
    }

    /// True when the product emits it today (in a log line, the history, a notification or
    /// `/api/status`); the others are reserved for what is being built.
    pub fn emitted(self) -> bool {
        match self {
            Self::Failed
            | Self::Success
            | Self::Warning
            | Self::OfflineBegan
            | Self::OfflineEnded
            | Self::BlockedBegan
            | Self::BlockedEnded
            | Self::StaleBegan
            | Self::MxSetChanged
            | Self::ServerChanged
            | Self::StarttlsVanished
            | Self::TakesNoMail
            | Self::DaneChanged
            | Self::MtaStsPolicyChanged
            | Self::BlocklistChanged
            | Self::SourceUnreachable
            | Self::SourceReachable
            | Self::SourceReplayed => true,
            Self::StaleEnded => false,
        }
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::EventId;

    #[test]
    fn ids_are_unique_in_order_and_round_trip() {
        for pair in EventId::ALL.windows(2) {
            assert!(pair[0].code() < pair[1].code(), "{pair:?}");
        }
        for id in EventId::ALL {
            assert_eq!(EventId::from_code(id.code()), Some(id));
        }
        assert_eq!(EventId::from_code(5512), None);
    }

    #[test]
    fn ids_stay_in_the_ranges_of_this_crate() {
        for id in EventId::ALL {
            let code = id.code();
            assert!(
                (5509..=5511).contains(&code) || (5520..=5559).contains(&code),
                "{id:?} = {code} is outside the verdict ids, 5520–5529, 5530–5539, 5540–5549 \
                 and 5550–5559"
            );
        }
    }
}
