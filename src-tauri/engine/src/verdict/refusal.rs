//! Whose fault a rejection is: a server that turns away *this client* — its address is on a
//! blocklist, or a policy (Postfix postscreen, an allowlist, a banned range) refuses it — rather
//! than failing for everyone. The verdict stays Failed; the failure kind becomes
//! [`FailureKind::ClientRefused`] and the message says so, quoting the server.
//!
//! The rule: a negative reply (4yz or 5yz, RFC 5321 §4.2.1) to the greeting or to EHLO whose
//! text names a blocklist (Spamhaus, `SpamCop`, Barracuda, SORBS, a DNSBL or RBL, "listed at
//! …"), or says the client is blocked, rejected, denied, banned, refused, not allowed,
//! prohibited (Exim's "Administrative prohibition") or not on an allowlist, or is Postfix
//! postscreen's blocklist reply ("5.3.2 Service currently unavailable" with a 5yz code). Other
//! negative replies — "too many connections", "Service not available", "Transaction failed" —
//! stay greeting/EHLO rejections: they do not say it is about this client.

use crate::failure::{Failure, FailureKind};
use crate::smtp::reply::Severity;
use crate::smtp::ReplyCode;

/// The most characters of the server's reply a refusal message quotes.
const QUOTE_CAP: usize = 300;

/// Words and phrases that name a blocklist or an allowlist.
const LISTS: &[&str] = &[
    "spamhaus",
    "spamcop",
    "barracuda",
    "sorbs",
    "uceprotect",
    "abuseat",
    "mailspike",
    "dnsbl",
    "blocklist",
    "block list",
    "blacklist",
    "black list",
    "denylist",
    "whitelist",
    "allowlist",
    "listed at",
    "listed in",
    "listed on",
    "listed by",
];

/// Words and phrases that say the client is turned away.
const REFUSALS: &[&str] = &[
    "blocked",
    "rejected",
    "denied",
    "banned",
    "refused",
    "not allowed",
    "not permitted",
    "prohibit",
    "postscreen",
];

/// Blocklist abbreviations that count only as whole words (`RBL`, `CBL`, `PSBL`).
const LIST_WORDS: &[&str] = &["rbl", "cbl", "psbl"];

/// Postfix postscreen's reply to a client on its blocklist (`postscreen_access_list`), sent with
/// 521 (drop) or 550 (enforce); its 421/450 form is a generic "try later" and says nothing of us.
const POSTSCREEN_REJECT: &str = "5.3.2 service currently unavailable";

/// True when a reply with `code` and `text` says the server refuses this client.
pub(crate) fn refuses_client(code: ReplyCode, text: &str) -> bool {
    let negative = matches!(
        code.severity(),
        Severity::TransientNegative | Severity::PermanentNegative
    );
    if !negative {
        return false;
    }
    let text = text.to_lowercase();
    LISTS.iter().chain(REFUSALS).any(|p| text.contains(p))
        || text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| LIST_WORDS.contains(&word))
        || (code.severity() == Severity::PermanentNegative && text.contains(POSTSCREEN_REJECT))
}

/// `rejection` (a greeting or EHLO rejection in its phase), or — when the reply `summary` with
/// `code` says the server refuses this client — a [`FailureKind::ClientRefused`] failure in the
/// same phase: `<host> refuses this client: "<summary>"`, the quote cut at [`QUOTE_CAP`]
/// characters.
pub(crate) fn reclassify(
    rejection: Failure,
    host: &str,
    code: ReplyCode,
    summary: &str,
) -> Failure {
    if !refuses_client(code, summary) {
        return rejection;
    }
    Failure::new(
        rejection.phase,
        FailureKind::ClientRefused,
        format!("{host} refuses this client: \"{}\"", quote(summary)),
    )
}

/// The first [`QUOTE_CAP`] characters of `text`, with `…` when there were more.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CAP) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Phase;

    /// Replies seen from real servers (addresses replaced by documentation ones), and whether
    /// each says the server refuses this client.
    const TABLE: &[(u16, &str, bool)] = &[
        (554, "5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1", true),
        (550, "5.3.2 Service currently unavailable", true),
        (521, "5.3.2 Service currently unavailable", true),
        (421, "4.3.2 Service currently unavailable", false),
        (421, "4.7.0 mx.example Error: too many connections from 192.0.2.1", false),
        (554, "5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied", true),
        (550, "5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/", true),
        (421, "4.7.0 IP not in whitelist for RCPT domain, closing connection. / 4.7.0 For more information, go to https://support.google.com/a/answer/60752", true),
        (554, "Transaction failed", false),
        (554, "5.3.2 mx.example No SMTP service here", false),
        (421, "4.3.2 Service not available, closing transmission channel", false),
        (554, "mx.example ESMTP not accepting messages", false),
        (550, "Your IP 192.0.2.1 is listed at bl.spamcop.net", true),
        (554, "5.7.1 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means.", true),
        (550, "Rejected: 192.0.2.1 listed in b.barracudacentral.org", true),
        (554, "Service unavailable; Client host [192.0.2.1] blocked using dnsbl.sorbs.net", true),
        (550, "Your IP is on our RBL", true),
        (550, "verbless sherbet", false),
        (554, "Connection refused by postscreen", true),
        (554, "Administrative prohibition", true),
        (550, "5.7.1 Relaying not allowed", true),
        (421, "4.7.1 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1", true),
    ];

    #[test]
    fn real_world_replies_table() {
        for &(code, text, want) in TABLE {
            let code = ReplyCode::new(code).unwrap();
            assert_eq!(refuses_client(code, text), want, "{code} {text}");
        }
    }

    #[test]
    fn a_positive_reply_is_never_a_refusal() {
        for code in [220, 250, 251, 354] {
            let code = ReplyCode::new(code).unwrap();
            assert!(!refuses_client(code, "blocked by spamhaus"), "{code}");
        }
    }

    #[test]
    fn a_refusal_names_the_host_and_quotes_the_reply_and_others_pass_through() {
        let code = ReplyCode::new(554).unwrap();
        let spamhaus = "554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org";
        for phase in [Phase::Greeting, Phase::Starttls, Phase::Ehlo] {
            let rejection = Failure::new(phase, FailureKind::EhloRejected, "EHLO answered …");
            let got = reclassify(rejection.clone(), "mx.example", code, spamhaus);
            assert_eq!(
                got,
                Failure::new(
                    phase,
                    FailureKind::ClientRefused,
                    format!("mx.example refuses this client: \"{spamhaus}\"")
                )
            );
            let kept = reclassify(
                rejection.clone(),
                "mx.example",
                code,
                "554 Transaction failed",
            );
            assert_eq!(kept, rejection);
        }
    }

    #[test]
    fn the_quote_is_cut_at_the_cap_on_a_character_boundary() {
        let long = format!("554 blocked {}", "é".repeat(400));
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), QUOTE_CAP + 1);
        assert!(quoted.ends_with('…'));
        assert!(long.starts_with(quoted.trim_end_matches('…')));
        let short = "554 blocked";
        assert_eq!(quote(short), short);
    }
}
