//! Resume-from-suspend detection, pure: samples of the wall clock and the awake clock come in
//! (see [`crate::awake_clock`]: a count that stands still while the machine sleeps); a resume is
//! reported when the wall clock advanced by more than the awake clock plus a tolerance since the
//! previous sample, and the excess is the time spent suspended. Each sample also carries the
//! engine's monotonic instant, only to place the suspend among the probes' spans (that clock may
//! or may not count through sleep: on Windows it does).
//!
//! How the engine uses it: sample on a timer (every few seconds) **and** just before handling a
//! probe result, so a probe that ends right after a resume is judged against it. On a resume,
//! re-probe every monitor at once; pass results of probes that [`SuspendDetector::straddled`] a
//! suspend as suppressed observations (no alert, no confirmation count).
//!
//! Limits: a forward wall-clock step (NTP, someone setting the clock) larger than the tolerance
//! also reads as a resume — harmless, it costs one round of probes. A step backwards is never a
//! resume. On Windows the awake clock is `QueryUnbiasedInterruptTime`; that it stands still across
//! a real sleep is what Microsoft documents and is checked here only under Wine (the clock reads
//! and advances) and with injected clocks — not on a real PC going to sleep.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

/// The default tolerance: scheduling delays and clock slewing stay well below it.
pub(crate) const DEFAULT_TOLERANCE: Duration = Duration::from_secs(10);

/// How many recent resumes are kept for [`SuspendDetector::straddled`]; a probe outlives only
/// the latest few.
const KEPT: usize = 8;

/// One reading of the clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sample {
    /// The wall clock.
    pub wall: DateTime<Utc>,
    /// The awake clock: stands still while the machine sleeps.
    pub awake: Duration,
    /// The engine's monotonic instant, on the same clock as the probes' start and end.
    pub at: Instant,
}

/// One detected resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resume {
    /// About how long the machine was suspended: wall advance minus awake advance.
    pub gap: Duration,
    /// The monotonic instant of the sample before the suspend.
    pub before: Instant,
    /// The monotonic instant of the sample that detected it.
    pub detected: Instant,
    /// The wall clock at detection.
    pub at: DateTime<Utc>,
}

/// Watches samples of the clocks for suspends.
#[derive(Debug, Clone)]
pub(crate) struct SuspendDetector {
    tolerance: Duration,
    last: Option<Sample>,
    recent: VecDeque<Resume>,
}

impl Default for SuspendDetector {
    fn default() -> Self {
        Self::new(DEFAULT_TOLERANCE)
    }
}

impl SuspendDetector {
    /// A detector that reports wall-clock excesses larger than `tolerance`.
    pub(crate) fn new(tolerance: Duration) -> Self {
        Self {
            tolerance,
            last: None,
            recent: VecDeque::with_capacity(KEPT),
        }
    }

    /// Takes a sample; returns the resume it reveals, if any. The first sample only sets the
    /// baseline; samples whose awake time or instant is before the previous one's are ignored.
    pub(crate) fn sample(&mut self, sample: Sample) -> Option<Resume> {
        let Some(last) = self.last else {
            self.last = Some(sample);
            return None;
        };
        if sample.awake < last.awake || sample.at < last.at {
            return None;
        }
        self.last = Some(sample);
        let wall_advance = (sample.wall - last.wall).to_std().ok()?;
        let gap = wall_advance.checked_sub(sample.awake - last.awake)?;
        if gap <= self.tolerance {
            return None;
        }
        let resume = Resume {
            gap,
            before: last.at,
            detected: sample.at,
            at: sample.wall,
        };
        if self.recent.len() == KEPT {
            self.recent.pop_front();
        }
        self.recent.push_back(resume);
        Some(resume)
    }

    /// True when a probe that ran from `start` to `end` (monotonic) may have straddled a
    /// detected suspend: its span overlaps the span between the samples around one. The suspend
    /// happened somewhere in there, so this errs toward suppressing.
    pub(crate) fn straddled(&self, start: Instant, end: Instant) -> bool {
        self.recent
            .iter()
            .any(|r| start <= r.detected && end >= r.before)
    }

    /// The latest resume detected.
    #[cfg(test)]
    pub(crate) fn last_resume(&self) -> Option<&Resume> {
        self.recent.back()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_700_000_000_000 + ms).unwrap()
    }

    /// A sample where the engine's instant is the awake clock (as on Linux and macOS): wall and
    /// awake ms from a common origin.
    fn sample(origin: Instant, wall_ms: i64, awake_ms: u64) -> Sample {
        Sample {
            wall: wall(wall_ms),
            awake: Duration::from_millis(awake_ms),
            at: origin + Duration::from_millis(awake_ms),
        }
    }

    /// Feeds samples given as (wall ms, awake ms) from a common origin; returns the gaps
    /// reported, in ms, per sample.
    fn gaps(samples: Samples) -> Vec<Option<u128>> {
        let origin = Instant::now();
        let mut d = SuspendDetector::default();
        samples
            .iter()
            .map(|&(w, m)| d.sample(sample(origin, w, m)).map(|r| r.gap.as_millis()))
            .collect()
    }

    /// (wall ms, awake ms) from a common origin.
    type Samples<'a> = &'a [(i64, u64)];

    #[test]
    fn resume_table() {
        let cases: &[(&str, Samples, &[Option<u128>])] = &[
            ("first sample is a baseline", &[(0, 0)], &[None]),
            (
                "clocks in step",
                &[(0, 0), (5_000, 5_000), (10_000, 10_000)],
                &[None, None, None],
            ),
            (
                "an hour asleep",
                &[(0, 0), (3_605_000, 5_000)],
                &[None, Some(3_600_000)],
            ),
            (
                "excess exactly the tolerance",
                &[(0, 0), (15_000, 5_000)],
                &[None, None],
            ),
            (
                "one ms past the tolerance",
                &[(0, 0), (15_001, 5_000)],
                &[None, Some(10_001)],
            ),
            (
                "a late timer is not a suspend",
                &[(0, 0), (9_000, 9_000)],
                &[None, None],
            ),
            (
                "wall clock stepped back",
                &[(0, 0), (-60_000, 5_000)],
                &[None, None],
            ),
            (
                "monotonic ahead of wall",
                &[(0, 0), (5_000, 8_000)],
                &[None, None],
            ),
            (
                "the baseline moves on after a resume",
                &[(0, 0), (65_000, 5_000), (70_000, 10_000)],
                &[None, Some(60_000), None],
            ),
            (
                "excess is measured per interval, never accumulated",
                &[(0, 0), (14_000, 5_000), (23_000, 10_000), (32_000, 15_000)],
                &[None, None, None, None],
            ),
        ];
        for (name, samples, want) in cases {
            assert_eq!(gaps(samples), *want, "{name}");
        }
    }

    #[test]
    fn resume_carries_where_it_happened() {
        let origin = Instant::now();
        let ms = |m| origin + Duration::from_millis(m);
        let mut d = SuspendDetector::default();
        d.sample(sample(origin, 0, 1_000));
        let r = d.sample(sample(origin, 120_000, 3_000)).unwrap();
        assert_eq!(
            r,
            Resume {
                gap: Duration::from_secs(118),
                before: ms(1_000),
                detected: ms(3_000),
                at: wall(120_000)
            }
        );
        assert_eq!(d.last_resume(), Some(&r));
    }

    #[test]
    fn straddle_table() {
        let origin = Instant::now();
        let ms = |m| origin + Duration::from_millis(m);
        let mut d = SuspendDetector::default();
        d.sample(sample(origin, 0, 10_000));
        d.sample(sample(origin, 5_000, 15_000));
        // Suspended somewhere between monotonic 15 s and 20 s.
        assert!(d.sample(sample(origin, 3_600_000, 20_000)).is_some());
        let cases = [
            (
                "ended before the last sample ahead of it",
                11_000,
                14_999,
                false,
            ),
            ("started after the detecting sample", 20_001, 21_000, false),
            ("spans the window", 14_000, 21_000, true),
            ("started before, ended inside", 14_000, 16_000, true),
            ("inside the window", 16_000, 17_000, true),
            ("started inside, ended after", 19_000, 22_000, true),
            ("touches the window's start", 14_000, 15_000, true),
        ];
        for (name, start, end, want) in cases {
            assert_eq!(d.straddled(ms(start), ms(end)), want, "{name}");
        }
        assert!(
            !SuspendDetector::default().straddled(ms(0), ms(100_000)),
            "no resume, no straddle"
        );
    }

    #[test]
    fn only_recent_resumes_are_kept() {
        let origin = Instant::now();
        let ms = |m: u64| origin + Duration::from_millis(m);
        let mut d = SuspendDetector::default();
        let mut w = 0;
        d.sample(sample(origin, w, 0));
        for i in 1..=(KEPT as u64 + 1) {
            w += 61_000;
            assert!(d.sample(sample(origin, w, i * 1_000)).is_some());
        }
        assert!(
            !d.straddled(ms(0), ms(500)),
            "the first resume has been dropped"
        );
        assert!(d.straddled(ms(1_500), ms(1_600)), "the second is kept");
    }

    /// A sample where the engine's instant keeps counting through sleep (as
    /// `QueryPerformanceCounter` does on Windows) and only the awake clock stands still:
    /// (wall ms, awake ms, instant ms) from a common origin.
    fn counting(origin: Instant, (w, a, i): (i64, u64, u64)) -> Sample {
        Sample {
            wall: wall(w),
            awake: Duration::from_millis(a),
            at: origin + Duration::from_millis(i),
        }
    }

    #[test]
    fn a_suspend_shows_in_the_awake_clock_when_the_instant_counts_through_it() {
        let origin = Instant::now();
        let mut d = SuspendDetector::default();
        // Awake 5 s, asleep an hour (wall and instant jump, awake stands still), awake 5 s.
        let found: Vec<_> = [
            (0, 0, 0),
            (5_000, 5_000, 5_000),
            (3_605_000, 5_100, 3_605_000),
            (3_610_000, 10_100, 3_610_000),
        ]
        .into_iter()
        .map(|s| d.sample(counting(origin, s)))
        .collect();
        let ms = |m| origin + Duration::from_millis(m);
        assert_eq!(
            found,
            [
                None,
                None,
                Some(Resume {
                    gap: Duration::from_millis(3_599_900),
                    before: ms(5_000),
                    detected: ms(3_605_000),
                    at: wall(3_605_000),
                }),
                None
            ]
        );
        assert!(
            d.straddled(ms(4_000), ms(3_604_000)),
            "a probe that began before the sleep and ended after it"
        );
        assert!(!d.straddled(ms(3_606_000), ms(3_607_000)));
    }

    #[test]
    fn clocks_advancing_together_are_no_suspend_whatever_the_instant_does() {
        let origin = Instant::now();
        let mut d = SuspendDetector::default();
        // A busy hour: every clock advances alike, in steps larger than the tolerance.
        for step in 0..=60_u32 {
            let ms = u64::from(step) * 60_000;
            let s = (i64::from(step) * 60_000, ms, ms);
            assert_eq!(d.sample(counting(origin, s)), None, "at {ms} ms");
        }
        assert_eq!(d.last_resume(), None);
    }
}
