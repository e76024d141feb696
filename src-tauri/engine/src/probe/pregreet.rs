//! Recognises the pause of a pregreet test (Postfix postscreen's `postscreen_greet_wait`, and the
//! same trick in other MTAs): the server sends the first line of a multi-line greeting at once,
//! then holds the rest back to see whether the client talks first. A probe that waits politely
//! sees a greeting that starts promptly and then stalls, and the fix is on the server's side (an
//! allowlist entry) or in the monitor's QoS — never in speaking early.
//!
//! The shape: the first line arrives within a quarter of QoS of the greeting phase's start, and
//! then the greeting stalls for more than half of QoS — between two of its lines, or between its
//! last line and the moment the probe gave up when the greeting never finished.

use std::time::Duration;

use tokio::time::Instant;

use crate::smtp::Reply;
use crate::verdict::show;

/// The longest stall of a greeting whose first line came promptly, when it is long enough to
/// look like a pregreet test. `from` is when the greeting phase began; `until` is when the
/// probe gave up, for a greeting that never finished.
pub(crate) fn pregreet_pause(
    greeting: &Reply,
    from: Instant,
    until: Option<Instant>,
    qos: Duration,
) -> Option<Duration> {
    let (first, _) = greeting.arrival_span()?;
    if first.saturating_duration_since(from) > qos / 4 {
        return None;
    }
    let times: Vec<Instant> = greeting.arrived.iter().copied().chain(until).collect();
    let pause = times
        .windows(2)
        .map(|pair| pair[1].saturating_duration_since(pair[0]))
        .max()?;
    (pause > qos / 2).then_some(pause)
}

/// What to tell a person about such a pause.
pub(crate) fn pregreet_hint(pause: Duration) -> String {
    format!(
        "looks like a pregreet test (e.g. Postfix postscreen): the greeting's first line came at \
         once, then nothing for {}; allowlist this probe's address on the server or raise QoS \
         above the pause",
        show(pause)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::ReplyCode;

    const QOS: Duration = Duration::from_millis(1000);

    fn greeting(from: Instant, offsets_ms: &[u64], complete: bool) -> Reply {
        let mut reply = Reply::started(ReplyCode::SERVICE_READY);
        for ms in offsets_ms {
            reply.keep("mx.example".into(), from + Duration::from_millis(*ms));
        }
        reply.complete = complete;
        reply
    }

    #[test]
    fn a_prompt_first_line_then_a_stall_is_a_pregreet_pause() {
        let from = Instant::now();
        let cut = from + Duration::from_millis(2000);
        let stalled = greeting(from, &[3], false);
        assert_eq!(
            pregreet_pause(&stalled, from, Some(cut), QOS),
            Some(Duration::from_millis(1997))
        );
        let finished_late = greeting(from, &[3, 1500], true);
        assert_eq!(
            pregreet_pause(&finished_late, from, None, QOS),
            Some(Duration::from_millis(1497))
        );
    }

    #[test]
    fn a_late_start_or_a_short_stall_is_not() {
        let from = Instant::now();
        let cut = from + Duration::from_millis(2000);
        assert_eq!(
            pregreet_pause(&greeting(from, &[300], false), from, Some(cut), QOS),
            None,
            "the first line was not prompt: a slow server, not a pregreet test"
        );
        assert_eq!(
            pregreet_pause(&greeting(from, &[3, 400], true), from, None, QOS),
            None,
            "a stall of at most half of QoS"
        );
        assert_eq!(
            pregreet_pause(&greeting(from, &[3], true), from, None, QOS),
            None,
            "a one-line greeting has no stall"
        );
    }
}
