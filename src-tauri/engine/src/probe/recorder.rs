//! The probe's notebook: which phase it is in, how long each took, and a short transcript. It
//! lives outside the timed future, so a probe cut off by its deadline still knows where it was.
//! Each server line is stamped with the time it arrived, not the time its reply ended. The
//! transcript is bounded in lines, in characters per line and in text overall, whatever a
//! server sends.

use std::time::Duration;

use tokio::time::Instant;

use super::report::{Direction, Phases, TranscriptLine};
use crate::failure::Phase;
use crate::smtp::reply::json_cost;
use crate::smtp::Reply;

/// At most this many lines of one reply go into the transcript.
const REPLY_LINES_SHOWN: usize = 12;
/// At most this many transcript lines in all.
const TRANSCRIPT_CAP: usize = 80;
/// Room for the transcript made at the start: a healthy probe's lines fit without a reallocation.
const TRANSCRIPT_START: usize = 16;
/// At most this many characters of one transcript line.
const LINE_CHARS: usize = 512;
/// At most this much transcript text in all, counted as it costs in JSON.
const TRANSCRIPT_BYTES: usize = 16 * 1024;

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
    /// The JSON cost of the transcript's text so far.
    cost: usize,
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
            transcript: Vec::with_capacity(TRANSCRIPT_START),
            cost: 0,
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

    /// Notes a reply, each line at the time it arrived: a long one is shortened to its first
    /// lines, a note of how many more and its final line; one cut off before its final line
    /// ends with "(incomplete)".
    pub(crate) fn received(&mut self, reply: &Reply) {
        let kept = reply.lines.len();
        let total = kept + reply.omitted_lines;
        let shown = if total <= REPLY_LINES_SHOWN + 1 {
            kept
        } else {
            REPLY_LINES_SHOWN.min(kept)
        };
        let final_line_kept = reply.complete && reply.omitted_lines == 0;
        let final_apart = final_line_kept && shown < kept;
        let mut lines = reply.wire_lines().zip(reply.arrived.iter().copied());
        for (line, at) in lines.by_ref().take(shown) {
            self.push_at(at, Direction::Server, line);
        }
        let more = total - shown - usize::from(final_apart);
        if more > 0 {
            let bytes = if reply.omitted_bytes > 0 {
                format!(", {} bytes not kept", reply.omitted_bytes)
            } else {
                String::new()
            };
            self.note(format!("… {more} more lines{bytes} …"));
        }
        if final_apart {
            if let Some((line, at)) = lines.last() {
                self.push_at(at, Direction::Server, line);
            }
        }
        if !reply.complete {
            self.note("(incomplete)");
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
        self.push_at(Instant::now(), dir, text);
    }

    fn push_at(&mut self, at: Instant, dir: Direction, mut text: String) {
        if let Some((cut, _)) = text.char_indices().nth(LINE_CHARS) {
            text.truncate(cut);
            text.push('…');
        }
        let cost = json_cost(&text);
        if self.transcript.len() >= TRANSCRIPT_CAP || self.cost + cost > TRANSCRIPT_BYTES {
            self.dropped += 1;
            return;
        }
        self.cost += cost;
        self.transcript.push(TranscriptLine {
            at: at.saturating_duration_since(self.t0),
            dir,
            text,
        });
    }
}
