//! The TLS-RPT record of a mail domain (RFC 8460 §3): `_smtp._tls.<domain>` TXT,
//! `v=TLSRPTv1; rua=<uri>[,<uri>…]` with `mailto:` or `https:` URIs. Absent is fine (no view);
//! present and broken — the common typo `v=TSLRPTv1`, no `rua`, a bad URI, more than one
//! record — means no reports reach the domain, which is amber.

use crate::shown::bounded;
use serde::{Deserialize, Serialize};

/// Where a domain stands with TLS-RPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TlsRptState {
    /// One valid record.
    Valid,
    /// A record senders cannot use: reports go nowhere.
    Broken,
    /// The lookup got no answer: nothing is claimed.
    LookupFailed,
}

impl TlsRptState {
    /// Its name in JSON: `valid`, `broken`, `lookup_failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Broken => "broken",
            Self::LookupFailed => "lookup_failed",
        }
    }
}

/// A domain's TLS-RPT record as this probe found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsRptView {
    /// Where the domain stands.
    pub state: TlsRptState,
    /// One line for people.
    pub verdict: String,
    /// The record(s) as published, bounded; several are joined by ` | `.
    pub record: String,
}

/// The name of a domain's TLS-RPT record.
pub(crate) fn record_name(domain: &str) -> String {
    format!("_smtp._tls.{}", domain.trim_end_matches('.'))
}

/// The view of the TXT records at `name`; `None` when none is (or looks meant as) a TLS-RPT
/// record.
pub(crate) fn judge(name: &str, txt: &[String]) -> Option<TlsRptView> {
    let meant: Vec<&String> = txt
        .iter()
        .filter(|r| {
            let first = r.split(';').next().unwrap_or_default().trim();
            let lower = first.to_ascii_lowercase();
            lower.starts_with("v=tlsrpt") || lower.starts_with("v=tslrpt")
        })
        .collect();
    let record = bounded(
        &meant
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
    );
    let broken = |why: String| {
        Some(TlsRptView {
            state: TlsRptState::Broken,
            verdict: format!(
                "the TLS-RPT record at {name} is broken: {why}; TLS failure reports go nowhere"
            ),
            record: record.clone(),
        })
    };
    match meant.as_slice() {
        [] => None,
        [one] => match parse(one) {
            Ok(rua) => Some(TlsRptView {
                state: TlsRptState::Valid,
                verdict: format!("TLS-RPT reports go to {}", rua.join(", ")),
                record: record.clone(),
            }),
            Err(why) => broken(why),
        },
        several => broken(format!(
            "{} TLS-RPT records where there must be exactly one",
            several.len()
        )),
    }
}

/// The `rua` URIs of one record, or what is wrong with it.
fn parse(record: &str) -> Result<Vec<String>, String> {
    let mut fields = record.split(';').map(str::trim);
    let version = fields.next().unwrap_or_default();
    if version.eq_ignore_ascii_case("v=TSLRPTv1") {
        return Err("v=TSLRPTv1 is a typo of v=TLSRPTv1".to_owned());
    }
    if version != "v=TLSRPTv1" {
        return Err(format!("version {version:?} is not v=TLSRPTv1"));
    }
    let mut rua = None;
    for field in fields.filter(|f| !f.is_empty()) {
        let Some((key, value)) = field.split_once('=') else {
            return Err(format!("field {field:?} is not key=value"));
        };
        if key.trim() == "rua" {
            if rua.is_some() {
                return Err("more than one rua field".to_owned());
            }
            rua = Some(value.trim().to_owned());
        }
    }
    let rua = rua.ok_or("no rua field (rua=mailto:… or rua=https://…)")?;
    let uris: Vec<String> = rua.split(',').map(|u| u.trim().to_owned()).collect();
    for uri in &uris {
        let ok = uri
            .strip_prefix("mailto:")
            .map(|addr| addr.contains('@') && !addr.starts_with('@') && !addr.ends_with('@'))
            .or_else(|| uri.strip_prefix("https://").map(|rest| !rest.is_empty()))
            .unwrap_or(false);
        if !ok {
            return Err(format!(
                "rua {uri:?} is not a mailto: address or an https: URI"
            ));
        }
    }
    Ok(uris)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge_one(records: &[&str]) -> Option<TlsRptView> {
        let txt: Vec<String> = records.iter().map(|s| (*s).to_owned()).collect();
        judge("_smtp._tls.d.test", &txt)
    }

    #[test]
    fn a_good_record_is_valid() {
        let view = judge_one(&["v=TLSRPTv1; rua=mailto:tls@d.test,https://r.d.test/tls"]).unwrap();
        assert_eq!(view.state, TlsRptState::Valid);
        assert_eq!(
            view.verdict,
            "TLS-RPT reports go to mailto:tls@d.test, https://r.d.test/tls"
        );
    }

    #[test]
    fn absent_is_nothing() {
        assert_eq!(judge_one(&[]), None);
        assert_eq!(judge_one(&["v=spf1 -all"]), None);
    }

    #[test]
    fn the_typo_is_called_by_name() {
        let view = judge_one(&["v=TSLRPTv1; rua=mailto:tls@d.test"]).unwrap();
        assert_eq!(view.state, TlsRptState::Broken);
        assert!(
            view.verdict.contains("v=TSLRPTv1 is a typo of v=TLSRPTv1"),
            "{}",
            view.verdict
        );
        assert_eq!(view.record, "v=TSLRPTv1; rua=mailto:tls@d.test");
    }

    #[test]
    fn no_rua_a_bad_uri_and_two_records_are_broken() {
        for (records, said) in [
            (vec!["v=TLSRPTv1;"], "no rua field"),
            (
                vec!["v=TLSRPTv1; rua=http://r.d.test"],
                "rua \"http://r.d.test\"",
            ),
            (
                vec!["v=TLSRPTv1; rua=mailto:nobody"],
                "rua \"mailto:nobody\"",
            ),
            (
                vec![
                    "v=TLSRPTv1; rua=mailto:a@d.test",
                    "v=TLSRPTv1; rua=mailto:b@d.test",
                ],
                "2 TLS-RPT records",
            ),
        ] {
            let view = judge_one(&records).unwrap();
            assert_eq!(view.state, TlsRptState::Broken, "{records:?}");
            assert!(view.verdict.contains(said), "{records:?}: {}", view.verdict);
        }
    }
}
