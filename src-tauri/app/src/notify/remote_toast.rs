//! Toasts of remote sources, gathered like the local ones ([`super::toast::Toaster`] holds a
//! [`RemoteToasts`]): a source unreachable is one toast naming it (event 5550) after the short
//! wait, its return one more (5551) only when the first was shown, and a flap within the wait
//! shows nothing; changes replayed after a reconnect make one summary per source
//! (`dc1: 3 changes while disconnected`, 5552). While this machine is offline no source toast
//! goes out: the one offline toast covers everything.

use tokio::time::Instant;

use super::message::{Toast, Urgency, COALESCE};

#[derive(Debug)]
struct Edge {
    source: String,
    unreachable: bool,
    arrived: Instant,
}

/// What waits to be shown of the sources.
#[derive(Debug, Default)]
pub struct RemoteToasts {
    edges: Vec<Edge>,
    /// Sources whose unreachable toast was shown and whose return was not yet.
    shown: Vec<String>,
    /// Per source: changes replayed, since when.
    replayed: Vec<(String, usize, Instant)>,
}

impl RemoteToasts {
    /// A source became unreachable (`true`) or reachable again (`false`).
    pub fn push_edge(&mut self, source: &str, unreachable: bool, now: Instant) {
        if let Some(at) = self.edges.iter().position(|e| e.source == source) {
            // The opposite edge waits unshown: the two cancel out.
            self.edges.remove(at);
            return;
        }
        let shown = self.shown.iter().any(|s| s == source);
        if unreachable != shown {
            self.edges.push(Edge {
                source: source.to_owned(),
                unreachable,
                arrived: now,
            });
        }
    }

    /// A change of `source` replayed after a reconnect.
    pub fn push_replayed(&mut self, source: &str, now: Instant) {
        match self.replayed.iter_mut().find(|(s, _, _)| s == source) {
            Some((_, n, _)) => *n += 1,
            None => self.replayed.push((source.to_owned(), 1, now)),
        }
    }

    /// When a toast is due; `None` when nothing waits.
    pub fn next_due(&self) -> Option<Instant> {
        self.edges
            .iter()
            .map(|e| e.arrived + COALESCE)
            .chain(self.replayed.iter().map(|(_, _, at)| *at + COALESCE))
            .min()
    }

    /// The toast due at `now`, if any; `offline` drops source edges instead of showing them.
    pub fn due(&mut self, now: Instant, offline: bool) -> Option<Toast> {
        while let Some(at) = self.edges.iter().position(|e| e.arrived + COALESCE <= now) {
            let e = self.edges.remove(at);
            if e.unreachable {
                if offline {
                    continue;
                }
                self.shown.push(e.source.clone());
            } else {
                self.shown.retain(|s| *s != e.source);
            }
            return Some(edge_toast(&e.source, e.unreachable));
        }
        let at = self
            .replayed
            .iter()
            .position(|(_, _, arrived)| *arrived + COALESCE <= now)?;
        let (source, n, _) = self.replayed.remove(at);
        let changes = if n == 1 { "1 change" } else { "changes" };
        let summary = if n == 1 {
            format!("{source}: {changes} while disconnected")
        } else {
            format!("{source}: {n} {changes} while disconnected")
        };
        Some(Toast {
            summary,
            body: "now in the event log — event 5552".to_owned(),
            urgency: Urgency::Normal,
            monitor: None,
        })
    }
}

fn edge_toast(source: &str, unreachable: bool) -> Toast {
    if unreachable {
        Toast {
            summary: format!("Agent {source} unreachable"),
            body: "its monitors can't be seen from here (grey) — event 5550".to_owned(),
            urgency: Urgency::Normal,
            monitor: None,
        }
    } else {
        Toast {
            summary: format!("Agent {source} reachable again"),
            body: "its monitors are shown again — event 5551".to_owned(),
            urgency: Urgency::Low,
            monitor: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::time::Duration;

    use super::*;

    #[test]
    fn unreachable_is_one_toast_its_return_one_more_and_a_flap_nothing() {
        let mut r = RemoteToasts::default();
        let t0 = Instant::now();
        r.push_edge("dc1", true, t0);
        r.push_edge("dc1", false, t0 + Duration::from_secs(1));
        assert_eq!(r.next_due(), None, "a flap within the wait shows nothing");
        r.push_edge("dc1", true, t0);
        let toast = r.due(t0 + COALESCE, false).unwrap();
        assert_eq!(toast.summary, "Agent dc1 unreachable");
        assert!(toast.body.ends_with("event 5550"));
        assert!(r.due(t0 + COALESCE, false).is_none());
        r.push_edge("dc1", true, t0);
        assert_eq!(r.next_due(), None, "no second unreachable toast");
        r.push_edge("dc1", false, t0);
        assert_eq!(
            r.due(t0 + COALESCE, false).unwrap().summary,
            "Agent dc1 reachable again"
        );
    }

    #[test]
    fn offline_swallows_the_source_toasts_and_their_returns() {
        let mut r = RemoteToasts::default();
        let t0 = Instant::now();
        r.push_edge("dc1", true, t0);
        assert_eq!(r.due(t0 + COALESCE, true), None);
        r.push_edge("dc1", false, t0);
        assert_eq!(r.next_due(), None, "no return toast without its beginning");
    }

    #[test]
    fn replayed_changes_make_one_summary() {
        let mut r = RemoteToasts::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            r.push_replayed("dc1", t0);
        }
        let toast = r.due(t0 + COALESCE, false).unwrap();
        assert_eq!(toast.summary, "dc1: 3 changes while disconnected");
        assert_eq!(r.next_due(), None);
    }
}
