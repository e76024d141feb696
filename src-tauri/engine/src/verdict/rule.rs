//! The verdict rule (DESIGN.md §1), as a pure function of what the session produced and the
//! monitor's thresholds: Success (5510) for a 250 within QoS, QoS Warning (5511) for a 250 after
//! QoS but within 2×QoS (or a certificate below the warning threshold of days left), Failed
//! (5509) for anything else.

use std::time::Duration;

use super::refusal::reclassify;
use super::{Thresholds, Verdict, Warning, WarningKind};
use crate::failure::{Failure, FailureKind, Phase};
use crate::smtp::{EhloInfo, Reply, ReplyCode};

/// What the session produced when it got as far as a judged EHLO reply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer<'a> {
    /// The host as given, for messages.
    pub host: &'a str,
    /// The judged EHLO reply (a reply other than 250 is quoted in the failure).
    pub reply: &'a Reply,
    /// Connect start to the reply's final line.
    pub latency: Duration,
    /// The extensions advertised.
    pub ehlo: &'a EhloInfo,
    /// Days left on the certificate, when TLS was used.
    pub cert_days_left: Option<i64>,
    /// The session was upgraded with STARTTLS: the server advertised STARTTLS before TLS, and
    /// per RFC 3207 §4.2 must not advertise it again after, so a required STARTTLS is met.
    pub upgraded: bool,
}

/// A verdict with its reason; a Failed verdict also carries the failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// Why it is not Success, for people.
    pub reason: Option<String>,
    /// The failure, for Failed.
    pub failure: Option<Failure>,
    /// Why it is a Warning, each with its kind (empty unless Warning).
    pub warnings: Vec<Warning>,
}

impl Judgement {
    /// The judgement for a session that failed before a judged EHLO reply.
    pub(crate) fn failed(failure: Failure) -> Self {
        Self {
            verdict: Verdict::Failed,
            reason: Some(failure.message.clone()),
            failure: Some(failure),
            warnings: Vec::new(),
        }
    }

    /// Adds an explanation to the reason (and to a failure's message, which a Failed reason
    /// repeats).
    pub(crate) fn explain(&mut self, hint: &str) {
        let add = |text: &mut String| {
            text.push_str("; ");
            text.push_str(hint);
        };
        if let Some(reason) = &mut self.reason {
            add(reason);
        }
        if let Some(failure) = &mut self.failure {
            add(&mut failure.message);
        }
    }
}

/// Judges an EHLO reply against the thresholds.
pub(crate) fn judge(answer: &Answer<'_>, thresholds: &Thresholds) -> Judgement {
    let fail = |phase, kind, message: String| Judgement::failed(Failure::new(phase, kind, message));
    let code = answer.reply.code;
    if code != ReplyCode::OK {
        let summary = answer.reply.summary();
        let rejection = Failure::new(
            Phase::Ehlo,
            FailureKind::EhloRejected,
            format!("EHLO answered {summary} (expected 250)"),
        );
        return Judgement::failed(reclassify(rejection, answer.host, code, &summary));
    }
    let limit = thresholds.qos * 2;
    if answer.latency > limit {
        return fail(
            Phase::Ehlo,
            FailureKind::Timeout,
            format!(
                "250 came after {} — later than 2×QoS ({})",
                show(answer.latency),
                show(limit)
            ),
        );
    }
    let missing: Vec<&str> = thresholds
        .required_extensions
        .iter()
        .filter(|ext| !(answer.upgraded && ext.eq_ignore_ascii_case("STARTTLS")))
        .filter(|ext| !answer.ehlo.has(ext))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return fail(
            Phase::Ehlo,
            FailureKind::MissingExtension,
            format!("required extension not advertised: {}", missing.join(", ")),
        );
    }
    if let Some(days) = answer
        .cert_days_left
        .filter(|d| *d < thresholds.cert_crit_days)
    {
        return fail(
            Phase::Tls,
            FailureKind::CertificateExpiring,
            cert_days_message(days, thresholds.cert_crit_days),
        );
    }
    let mut warnings = Vec::new();
    if answer.latency > thresholds.qos {
        warnings.push(Warning::new(
            WarningKind::Slow,
            format!(
                "250 in {} exceeds QoS {}",
                show(answer.latency),
                show(thresholds.qos)
            ),
        ));
    }
    if let Some(days) = answer
        .cert_days_left
        .filter(|d| *d < thresholds.cert_warn_days)
    {
        warnings.push(Warning::new(
            WarningKind::CertificateExpiring,
            cert_days_message(days, thresholds.cert_warn_days),
        ));
    }
    if warnings.is_empty() {
        Judgement {
            verdict: Verdict::Success,
            reason: None,
            failure: None,
            warnings,
        }
    } else {
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        Judgement {
            verdict: Verdict::Warning,
            reason: Some(messages.join("; ")),
            failure: None,
            warnings,
        }
    }
}

fn cert_days_message(days: i64, threshold: i64) -> String {
    let unit = |n: i64| if n == 1 { "day" } else { "days" };
    if days < 0 {
        format!(
            "certificate expired {} {} ago (threshold {threshold} days)",
            -days,
            unit(-days)
        )
    } else {
        format!(
            "certificate expires in {days} {} (threshold {threshold} days)",
            unit(days)
        )
    }
}

/// A duration for people: `850.0 ms`, `1.250 s`.
pub fn show(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QOS: Duration = Duration::from_millis(1000);

    fn thresholds() -> Thresholds {
        Thresholds {
            qos: QOS,
            cert_warn_days: 14,
            cert_crit_days: 3,
            required_extensions: vec![],
        }
    }

    fn judge_with(code: u16, latency: Duration, days: Option<i64>, t: &Thresholds) -> Judgement {
        let ehlo = EhloInfo {
            domain: "mx".into(),
            extensions: vec![crate::smtp::Extension {
                keyword: "PIPELINING".into(),
                params: vec![],
            }],
        };
        let reply = Reply::new(ReplyCode::new(code).unwrap(), vec!["reply".into()]);
        let answer = Answer {
            host: "mx.example",
            reply: &reply,
            latency,
            ehlo: &ehlo,
            cert_days_left: days,
            upgraded: false,
        };
        judge(&answer, t)
    }

    #[test]
    fn latency_table_at_the_boundaries() {
        let us = Duration::from_micros;
        let table = [
            (Duration::ZERO, Verdict::Success),
            (QOS - us(1), Verdict::Success),
            (QOS, Verdict::Success),
            (QOS + us(1), Verdict::Warning),
            (QOS * 2 - us(1), Verdict::Warning),
            (QOS * 2, Verdict::Warning),
            (QOS * 2 + us(1), Verdict::Failed),
        ];
        for (latency, want) in table {
            let got = judge_with(250, latency, None, &thresholds());
            assert_eq!(got.verdict, want, "latency {latency:?}");
            assert_eq!(got.failure.is_some(), want == Verdict::Failed);
        }
    }

    #[test]
    fn any_code_but_250_fails_even_when_fast() {
        for code in [251, 220, 421, 500, 502, 550, 554] {
            let got = judge_with(code, Duration::from_millis(1), None, &thresholds());
            assert_eq!(got.verdict, Verdict::Failed, "{code}");
            assert_eq!(got.failure.unwrap().kind, FailureKind::EhloRejected);
        }
    }

    #[test]
    fn certificate_days_table() {
        let fast = Duration::from_millis(5);
        let table = [
            (Some(400), Verdict::Success),
            (Some(14), Verdict::Success),
            (Some(13), Verdict::Warning),
            (Some(3), Verdict::Warning),
            (Some(2), Verdict::Failed),
            (Some(-1), Verdict::Failed),
            (None, Verdict::Success),
        ];
        for (days, want) in table {
            assert_eq!(
                judge_with(250, fast, days, &thresholds()).verdict,
                want,
                "{days:?}"
            );
        }
        let got = judge_with(250, fast, Some(-5), &thresholds());
        assert_eq!(
            got.reason.as_deref(),
            Some("certificate expired 5 days ago (threshold 3 days)")
        );
    }

    #[test]
    fn slow_and_expiring_gives_both_reasons_each_with_its_kind() {
        let got = judge_with(250, Duration::from_millis(1500), Some(10), &thresholds());
        assert_eq!(got.verdict, Verdict::Warning);
        assert_eq!(
            got.reason.as_deref(),
            Some("250 in 1.500 s exceeds QoS 1.000 s; certificate expires in 10 days (threshold 14 days)")
        );
        assert_eq!(
            got.warnings,
            [
                Warning::new(WarningKind::Slow, "250 in 1.500 s exceeds QoS 1.000 s"),
                Warning::new(
                    WarningKind::CertificateExpiring,
                    "certificate expires in 10 days (threshold 14 days)"
                ),
            ]
        );
    }

    #[test]
    fn each_warning_alone_has_its_own_kind_and_only_warnings_have_any() {
        let t = thresholds();
        let kinds = |j: &Judgement| j.warnings.iter().map(|w| w.kind).collect::<Vec<_>>();
        let slow = judge_with(250, Duration::from_millis(1500), Some(100), &t);
        assert_eq!(kinds(&slow), [WarningKind::Slow]);
        let expiring = judge_with(250, Duration::from_millis(5), Some(10), &t);
        assert_eq!(kinds(&expiring), [WarningKind::CertificateExpiring]);
        for quiet in [
            judge_with(250, Duration::from_millis(5), Some(100), &t),
            judge_with(250, Duration::from_millis(2500), Some(10), &t),
            judge_with(554, Duration::from_millis(1500), Some(10), &t),
            judge_with(250, Duration::from_millis(1500), Some(1), &t),
        ] {
            assert!(quiet.warnings.is_empty(), "{quiet:?}");
        }
    }

    #[test]
    fn an_ehlo_reply_refusing_this_client_is_a_client_refusal() {
        let ehlo = EhloInfo {
            domain: String::new(),
            extensions: vec![],
        };
        let summary = "550 5.7.606 Access denied, banned sending IP [192.0.2.1]";
        let reply = Reply::new(ReplyCode::new(550).unwrap(), vec![summary[4..].to_owned()]);
        let answer = Answer {
            host: "mx.example",
            reply: &reply,
            latency: Duration::from_millis(5),
            ehlo: &ehlo,
            cert_days_left: None,
            upgraded: false,
        };
        let got = judge(&answer, &thresholds());
        assert_eq!(got.verdict, Verdict::Failed);
        let failure = got.failure.unwrap();
        assert_eq!(
            (failure.phase, failure.kind),
            (Phase::Ehlo, FailureKind::ClientRefused)
        );
        assert_eq!(
            failure.message,
            format!("mx.example refuses this client: \"{summary}\"")
        );
        assert_eq!(got.reason, Some(failure.message));
    }

    #[test]
    fn required_extensions_are_case_insensitive_and_all_named() {
        let mut t = thresholds();
        t.required_extensions = vec!["pipelining".into()];
        assert_eq!(
            judge_with(250, Duration::ZERO, None, &t).verdict,
            Verdict::Success
        );
        t.required_extensions = vec!["STARTTLS".into(), "PIPELINING".into(), "SIZE".into()];
        let got = judge_with(250, Duration::ZERO, None, &t);
        assert_eq!(
            got.failure.unwrap().message,
            "required extension not advertised: STARTTLS, SIZE"
        );
    }

    #[test]
    fn a_starttls_upgrade_meets_a_required_starttls() {
        let mut t = thresholds();
        t.required_extensions = vec!["starttls".into()];
        let ehlo = EhloInfo {
            domain: "mx".into(),
            extensions: vec![],
        };
        let reply = Reply::new(ReplyCode::OK, vec!["mx".into()]);
        let mut answer = Answer {
            host: "mx.example",
            reply: &reply,
            latency: Duration::ZERO,
            ehlo: &ehlo,
            cert_days_left: Some(100),
            upgraded: false,
        };
        assert_eq!(judge(&answer, &t).verdict, Verdict::Failed);
        answer.upgraded = true;
        assert_eq!(judge(&answer, &t).verdict, Verdict::Success);
    }

    #[test]
    fn one_day_is_singular() {
        assert_eq!(
            cert_days_message(1, 3),
            "certificate expires in 1 day (threshold 3 days)"
        );
        assert_eq!(
            cert_days_message(-1, 3),
            "certificate expired 1 day ago (threshold 3 days)"
        );
    }

    #[test]
    fn event_ids() {
        assert_eq!(
            [Verdict::Success, Verdict::Warning, Verdict::Failed].map(Verdict::event_id),
            [5510, 5511, 5509]
        );
    }
}
