// A monitor's history, wherever it is kept (`HistorySource`: this machine's or an agent's): the
// window buttons, uptime and percentiles, the latency chart, then whatever the view puts in
// between, the last failure's transcript and the event log. Read again when the window changes
// and after the monitor's results (at most every 5 s); state changes are appended as they come.

import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

import type { ResultRecord } from "../bindings/ResultRecord";
import type { SeriesPoint } from "../bindings/SeriesPoint";
import type { StateChange } from "../bindings/StateChange";
import type { Stats } from "../bindings/Stats";
import type { TranscriptLine } from "../bindings/TranscriptLine";
import type { Window } from "../bindings/Window";
import type { HistorySource } from "../history";
import * as ipc from "../ipc";
import { DASH, STATUS_LABEL, eventName, fmtDateTime, fmtMs, fmtPct } from "../logic/format";
import { whyLines } from "../logic/replies";
import { Chart, WINDOW_LABEL } from "./Chart";

const WINDOWS: readonly Window[] = ["1h", "24h", "7d", "30d"];
const RELOAD_SPACING_MS = 5000;

type History = { stats: Stats; series: SeriesPoint[]; events: StateChange[] };

const changeKey = (c: StateChange) => `${c.at}|${c.to}|${c.kind}`;

export function Transcript({ lines }: { lines: readonly TranscriptLine[] }) {
  const mark = { client: "C:", server: "S:", note: "··" } as const;
  return (
    <ol class="transcript" data-testid="transcript">
      {lines.map((l, i) => (
        <li key={i} class={`t-${l.dir}`}>
          <span class="t-at">{l.at.toFixed(1).padStart(7, "\u2007")} ms</span>
          <span class="t-dir" aria-label={l.dir}>
            {mark[l.dir]}
          </span>
          <span class="t-text">{l.text}</span>
        </li>
      ))}
    </ol>
  );
}

function EventLog({ events }: { events: readonly StateChange[] }) {
  if (events.length === 0) return <p class="muted">No status changes in this window.</p>;
  const newest = [...events].reverse();
  return (
    <div class="table-wrap">
      <table class="events" data-testid="event-log">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Change</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {newest.map((e) => (
            <tr key={changeKey(e)} data-event-id={e.event_id ?? ""}>
              <td class="nowrap">{fmtDateTime(Date.parse(e.at))}</td>
              <td class="nowrap" title={eventName(e.event_id)}>
                <span class="mono">{e.event_id ?? DASH}</span>
              </td>
              <td class="nowrap">
                {e.kind === "repeated"
                  ? `still ${STATUS_LABEL[e.to]}`
                  : `${STATUS_LABEL[e.from]} → ${STATUS_LABEL[e.to]}`}
              </td>
              <td>{e.reason ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LastFailure({ record }: { record: ResultRecord | null }) {
  if (record === null) return <p class="muted">No failure on record.</p>;
  return (
    <div data-testid="last-failure">
      <p>
        <strong>{fmtDateTime(Date.parse(record.at))}</strong>
        {record.failure ? ` · in ${record.failure.phase} (${record.failure.kind.replace(/_/g, " ")})` : ""}
      </p>
      {whyLines(record.failure?.message, record.reason).map((text) => (
        <p key={text} class="reason">
          {text}
        </p>
      ))}
      {record.transcript?.length ? (
        <Transcript lines={record.transcript} />
      ) : (
        <p class="muted">No transcript kept for it.</p>
      )}
    </div>
  );
}

/**
 * The history of the monitor `source` reads. `qosMs` draws the chart's guide lines (null: none
 * known); `children` go between the chart and the last failure.
 */
export function HistoryPanel({
  source,
  qosMs,
  children,
}: {
  source: HistorySource;
  qosMs: number | null;
  children?: ComponentChildren;
}) {
  const [win, setWin] = useState<Window>("24h");
  const [history, setHistory] = useState<History | null>(null);
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<ResultRecord | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef({ win, seq: 0, source });
  latest.current.win = win;
  latest.current.source = source;

  const load = useCallback(async (withFailure: boolean) => {
    const seq = ++latest.current.seq;
    const { win: w, source: src } = latest.current;
    setLoading(true);
    try {
      const [stats, series, events, last] = await Promise.all([
        src.stats(w),
        src.series(w),
        src.events(w),
        withFailure ? src.lastFailure() : Promise.resolve(undefined),
      ]);
      if (seq !== latest.current.seq) return;
      setHistory({ stats, series, events });
      if (last !== undefined) setFailure(last);
      setError(null);
    } catch (e) {
      if (seq !== latest.current.seq) return;
      setError(`The history could not be read: ${ipc.errorText(ipc.asAppError(e))}.`);
    } finally {
      if (seq === latest.current.seq) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(failure === undefined);
    // Reload only when the window or the monitor changes.
  }, [source.key, win]);

  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wantFailure = false;
    const offResult = source.onResult((failed) => {
      wantFailure ||= failed;
      if (timer !== undefined) return;
      const wait = Math.max(0, last + RELOAD_SPACING_MS - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        void load(wantFailure);
        wantFailure = false;
      }, wait);
    });
    const offChange = source.onChange((c) => {
      setHistory((h) =>
        h && !h.events.some((x) => changeKey(x) === changeKey(c))
          ? { ...h, events: [...h.events, c] }
          : h,
      );
    });
    return () => {
      offResult();
      offChange();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [source.key, load]);

  const stats = history?.stats;
  return (
    <>
      <div class="segmented" role="group" aria-label="Time window">
        {WINDOWS.map((w) => (
          <button
            key={w}
            type="button"
            class="seg-btn"
            aria-pressed={w === win}
            data-window={w}
            onClick={() => setWin(w)}
          >
            {w}
          </button>
        ))}
      </div>

      <dl class="stats" data-testid="stats" aria-busy={loading}>
        <div>
          <dt>Uptime</dt>
          <dd class="num">{fmtPct(stats?.uptime_pct)}</dd>
        </div>
        <div>
          <dt>p50</dt>
          <dd class="num">{fmtMs(stats?.p50_ms)}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd class="num">{fmtMs(stats?.p95_ms)}</dd>
        </div>
        <div>
          <dt>p99</dt>
          <dd class="num">{fmtMs(stats?.p99_ms)}</dd>
        </div>
        <div>
          <dt>Probes</dt>
          <dd class="num" title={stats ? `${stats.success} success, ${stats.warning} warning, ${stats.failed} failed` : ""}>
            {stats ? stats.probes : DASH}
            <span class={stats && stats.failed > 0 ? "sub fail-count" : "sub"}>
              {stats ? `${stats.failed} failed` : "\u00a0"}
            </span>
          </dd>
        </div>
      </dl>
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}

      <Chart points={history?.series ?? null} qosMs={qosMs} window={win} loading={loading} />

      {children}

      {history && failure !== undefined ? (
        <>
          <section class="card" aria-labelledby="failure-title">
            <h2 id="failure-title">Last failure</h2>
            <LastFailure record={failure} />
          </section>
          <section class="card" aria-labelledby="events-title">
            <h2 id="events-title">Event log · {WINDOW_LABEL[win]}</h2>
            <EventLog events={history.events} />
          </section>
        </>
      ) : null}
    </>
  );
}
