//! The probe's notebook: which phase it is in, how long each took, and a short transcript. It
//! lives outside the timed future, so a probe cut off by its deadline still knows where it was.

use std::time::Duration;

use tokio::time::Instant;

use super::report::{Direction, Phases, TranscriptLine};
use crate::failure::Phase;
use crate::smtp::Reply;

/// At most this many lines of one reply go into the transcript.
const REPLY_LINES_SHOWN: usize = 12;
/// At most this many transcript lines in all.
const TRANSCRIPT_CAP: usize = 80;

/// Phase, timings and transcript of one probe.
#[derive(Debug)]
pub(crate) struct Recorder {
    t0: Instant,
    mark: Instant,
    /// The phase in progress.
    pub phase: Phase,
    /// Durations of the finished phases.
    pub phases: Phases,
    /// The transcript so far.
    pub transcript: Vec<TranscriptLine>,
    dropped: usize,
}

impl Recorder {
    /// Starts the clock (connect start).
    pub(crate) fn start(phase: Phase) -> Self {
        let now = Instant::now();
        Self {
            t0: now,
            mark: now,
            phase,
            phases: Phases::default(),
            transcript: Vec::new(),
            dropped: 0,
        }
    }

    /// When the clock started.
    pub(crate) fn t0(&self) -> Instant {
        self.t0
    }

    /// Time since the clock started.
    pub(crate) fn elapsed(&self) -> Duration {
        self.t0.elapsed()
    }

    /// Ends the phase in progress at `at`, storing its duration.
    pub(crate) fn finish_at(&mut self, at: Instant) {
        let took = at.saturating_duration_since(self.mark);
        let slot = match self.phase {
            Phase::Dns => &mut self.phases.dns,
            Phase::Connect => &mut self.phases.connect,
            Phase::Tls => &mut self.phases.tls,
            Phase::Greeting => &mut self.phases.greeting,
            Phase::Starttls => &mut self.phases.starttls,
            Phase::Ehlo => &mut self.phases.ehlo,
        };
        *slot = Some(took);
        self.mark = at;
    }

    /// Ends the phase in progress now.
    pub(crate) fn finish(&mut self) {
        self.finish_at(Instant::now());
    }

    /// Notes a command we sent.
    pub(crate) fn sent(&mut self, command: &str) {
        self.push(Direction::Client, command.to_owned());
    }

    /// Notes a reply, shortening long ones.
    pub(crate) fn received(&mut self, reply: &Reply) {
        let total = reply.lines.len() + reply.omitted_lines;
        let shown = if total <= REPLY_LINES_SHOWN + 1 {
            total
        } else {
            REPLY_LINES_SHOWN
        };
        for line in reply.wire_lines().take(shown) {
            self.push(Direction::Server, line);
        }
        if shown < total {
            let last = reply.wire_lines().last().unwrap_or_default();
            self.push(
                Direction::Note,
                format!("… {} more lines …", total - shown - 1),
            );
            self.push(Direction::Server, last);
        }
    }

    /// Notes something the probe observed.
    pub(crate) fn note(&mut self, text: impl Into<String>) {
        self.push(Direction::Note, text.into());
    }

    /// The transcript, with a last line saying how much was left out.
    pub(crate) fn into_transcript(mut self) -> Vec<TranscriptLine> {
        if self.dropped > 0 {
            let at = self.elapsed();
            self.transcript.push(TranscriptLine {
                at,
                dir: Direction::Note,
                text: format!("({} transcript lines left out)", self.dropped),
            });
        }
        self.transcript
    }

    fn push(&mut self, dir: Direction, text: String) {
        if self.transcript.len() >= TRANSCRIPT_CAP {
            self.dropped += 1;
            return;
        }
        self.transcript.push(TranscriptLine {
            at: self.elapsed(),
            dir,
            text,
        });
    }
}
