//! One value watched over the last [`WINDOW`] probes — a keyword's parameters (`None`: not
//! offered) or a fact — and what of it is worth telling. A change from a value that held over
//! the whole window is told at once; a value that then flips again is told once as mixed ("3 of
//! 5 probes"), and nothing more until one value has held over a whole window again.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// How many of the last probes a value is judged over.
pub(crate) const WINDOW: usize = 5;

/// What was last told of a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Told {
    /// This value, steadily.
    Steady(Option<String>),
    /// It varies from probe to probe.
    Mixed,
}

/// What is worth telling after one probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    /// It went from one value to another.
    Changed {
        /// Before.
        from: Option<String>,
        /// Now.
        to: Option<String>,
    },
    /// It varies: each value seen over the window and on how many probes, most seen first.
    Mixed {
        /// `(value, probes)`.
        seen: Vec<(Option<String>, usize)>,
        /// The probes in the window.
        of: usize,
    },
    /// After varying, it has held this value over a whole window.
    Settled(Option<String>),
}

/// One value's window and what was last told of it (the window is not kept across restarts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Track {
    told: Told,
    #[serde(skip)]
    window: VecDeque<Option<String>>,
}

impl Track {
    /// A value first seen as `value`, told as it is (a baseline, not a change).
    pub(super) fn new(value: Option<String>) -> Self {
        Self {
            told: Told::Steady(value.clone()),
            window: VecDeque::from([value]),
        }
    }

    /// A keyword first seen now, on a host watched before: it was not offered until now.
    pub(super) fn absent() -> Self {
        Self {
            told: Told::Steady(None),
            window: VecDeque::new(),
        }
    }

    /// What was last told.
    pub(super) fn told(&self) -> &Told {
        &self.told
    }

    /// True when the value has been `None` (not offered) over a whole window and was told so:
    /// nothing is left to watch.
    pub(super) fn gone(&self) -> bool {
        self.told == Told::Steady(None)
            && self.window.len() == WINDOW
            && self.window.iter().all(Option::is_none)
    }

    /// Takes in one probe's value; says what, if anything, is worth telling.
    pub(super) fn observe(&mut self, value: Option<String>) -> Option<Change> {
        let held = match &self.told {
            Told::Steady(told) => self.window.iter().all(|v| v == told),
            Told::Mixed => false,
        };
        self.window.push_back(value.clone());
        if self.window.len() > WINDOW {
            self.window.pop_front();
        }
        match &self.told {
            Told::Steady(told) if *told == value => None,
            Told::Steady(told) if held => {
                let from = told.clone();
                self.told = Told::Steady(value.clone());
                Some(Change::Changed { from, to: value })
            }
            Told::Steady(_) => {
                self.told = Told::Mixed;
                Some(self.mixed())
            }
            Told::Mixed => {
                let settled =
                    self.window.len() == WINDOW && self.window.iter().all(|v| *v == value);
                settled.then(|| {
                    self.told = Told::Steady(value.clone());
                    Change::Settled(value)
                })
            }
        }
    }

    fn mixed(&self) -> Change {
        let mut seen: Vec<(Option<String>, usize)> = Vec::new();
        for value in &self.window {
            match seen.iter_mut().find(|(v, _)| v == value) {
                Some((_, n)) => *n += 1,
                None => seen.push((value.clone(), 1)),
            }
        }
        seen.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        Change::Mixed {
            seen,
            of: self.window.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(v: bool) -> Option<String> {
        v.then(String::new)
    }

    /// What each probe of `values` tells, after a baseline of `first`.
    fn run(first: bool, values: &[bool]) -> Vec<Option<Change>> {
        let mut track = Track::new(on(first));
        values.iter().map(|v| track.observe(on(*v))).collect()
    }

    #[test]
    fn a_steady_value_tells_nothing() {
        assert!(run(true, &[true; 12]).iter().all(Option::is_none));
    }

    #[test]
    fn a_change_from_a_held_value_is_told_at_once_and_once() {
        let told = run(
            true,
            &[true, true, false, false, false, false, false, false],
        );
        assert_eq!(
            told[2],
            Some(Change::Changed {
                from: on(true),
                to: on(false)
            })
        );
        assert_eq!(told.iter().flatten().count(), 1, "{told:?}");
    }

    #[test]
    fn a_pool_that_flips_is_told_once_as_mixed_then_once_when_it_settles() {
        let flips = [true, false, true, false, true, true, false, true, false];
        let told = run(true, &flips);
        let said: Vec<&Change> = told.iter().flatten().collect();
        assert_eq!(
            said,
            [
                &Change::Changed {
                    from: on(true),
                    to: on(false)
                },
                &Change::Mixed {
                    seen: vec![(on(true), 3), (on(false), 1)],
                    of: 4
                },
            ],
            "{told:?}"
        );
        let mut track = Track::new(on(true));
        for v in flips {
            track.observe(on(v));
        }
        let settle: Vec<Option<Change>> = (0..WINDOW).map(|_| track.observe(on(true))).collect();
        assert_eq!(
            settle.iter().flatten().collect::<Vec<_>>(),
            [&Change::Settled(on(true))],
            "{settle:?}"
        );
    }

    #[test]
    fn after_a_restart_a_change_is_told_and_the_baseline_is_not() {
        let stored = serde_json::to_string(&Track::new(on(true))).unwrap();
        let mut restored: Track = serde_json::from_str(&stored).unwrap();
        assert_eq!(restored.observe(on(true)), None);
        let mut restored: Track = serde_json::from_str(&stored).unwrap();
        assert_eq!(
            restored.observe(on(false)),
            Some(Change::Changed {
                from: on(true),
                to: on(false)
            })
        );
    }

    #[test]
    fn a_keyword_gone_for_a_whole_window_is_let_go() {
        let mut track = Track::absent();
        for _ in 0..WINDOW - 1 {
            track.observe(None);
            assert!(!track.gone());
        }
        track.observe(None);
        assert!(track.gone());
    }
}
