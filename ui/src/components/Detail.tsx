// One monitor in depth: latency chart per window with its percentiles and uptime, a mail
// domain's addresses and their policy checks (MTA-STS, TLS-RPT, DANE, blocklists), the TLS
// certificate, EHLO extensions and replies (partial ones too) of the last probe, the last
// failure's transcript, and the event log. Reloaded when the window changes or this monitor's
// results arrive (at most every 5 s).

import { useCallback, useEffect, useRef, useState } from "preact/hooks";

import type { ProbeReport } from "../bindings/ProbeReport";
import type { ResultRecord } from "../bindings/ResultRecord";
import type { SeriesPoint } from "../bindings/SeriesPoint";
import type { StateChange } from "../bindings/StateChange";
import type { Stats } from "../bindings/Stats";
import type { TranscriptLine } from "../bindings/TranscriptLine";
import type { Window } from "../bindings/Window";
import { SETTINGS } from "../bindings/settingsRegistry";
import { onChangeEvent, onResultEvent } from "../app";
import * as ipc from "../ipc";
import {
  DASH,
  STATUS_LABEL,
  eventName,
  fmtDateTime,
  fmtDaysLeft,
  fmtMs,
  fmtPct,
  hostPort,
  parseTime,
  tlsLabel,
} from "../logic/format";
import { whyLines } from "../logic/replies";
import { targetRows } from "../logic/targets";
import { useStore } from "../store";
import { Badge } from "./Badge";
import { Chart, WINDOW_LABEL } from "./Chart";
import { goTo, takeFocusRequest } from "./focus";
import { Icon } from "./icons";
import { MailPolicyCard } from "./MailPolicyCard";
import { ServerSaid } from "./ServerSaid";
import { Ago } from "./Time";

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

function TlsFactsView({ report, warnDays }: { report: ProbeReport | null; warnDays: number }) {
  const tls = report?.tls;
  if (!tls) {
    return (
      <p class="muted">
        {report?.tls_mode === "none" ? "Plain SMTP: no TLS on this monitor." : "No certificate seen yet."}
      </p>
    );
  }
  const days = tls.days_left;
  const level = days < 0 ? "fail" : days < warnDays ? "warn" : "ok";
  return (
    <dl class="facts">
      <dt>Expires</dt>
      <dd>
        <span class={`days days-${level}`} data-testid="cert-days">
          {fmtDaysLeft(days)}
        </span>{" "}
        <span class="muted">({fmtDateTime(Date.parse(tls.not_after))})</span>
      </dd>
      <dt>Verified</dt>
      <dd>
        {tls.verified
          ? "yes"
          : tls.verification_skipped
            ? `skipped (insecure)${tls.verify_error ? `: ${tls.verify_error}` : ""}`
            : "no"}
      </dd>
      <dt>Subject</dt>
      <dd class="wrap">{tls.subject}</dd>
      <dt>Issuer</dt>
      <dd class="wrap">{tls.issuer}</dd>
      <dt>Names</dt>
      <dd class="wrap">{tls.subject_alt_names.join(", ") || DASH}</dd>
      <dt>Protocol</dt>
      <dd>
        {tls.version} · {tls.cipher}
      </dd>
      <dt>SHA-256</dt>
      <dd class="wrap mono small">{tls.sha256}</dd>
    </dl>
  );
}

function EhloView({ report }: { report: ProbeReport | null }) {
  const ehlo = report?.ehlo;
  if (!ehlo) return <p class="muted">No EHLO reply seen yet.</p>;
  return (
    <>
      <p>
        <span class="mono">{ehlo.code}</span> {ehlo.domain || ehlo.lines[0] || ""}
      </p>
      {ehlo.extensions.length ? (
        <ul class="extensions" data-testid="extensions">
          {ehlo.extensions.map((x) => (
            <li key={x.keyword}>
              <span class="mono">{x.keyword}</span>
              {x.params.length ? <span class="muted mono"> {x.params.join(" ")}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No extensions advertised.</p>
      )}
    </>
  );
}

/** The last probe's greeting and EHLO reply, and why it failed when the line above does not say. */
function LastProbe({ report, shown }: { report: ProbeReport | null; shown: string | null }) {
  if (!report) return <p class="muted">No probe yet.</p>;
  const why = report.status === "success" ? [] : whyLines(report.failure?.message, report.reason);
  return (
    <div data-testid="last-probe">
      {why
        .filter((text) => text !== shown)
        .map((text) => (
          <p key={text} class="reason">
            {text}
          </p>
        ))}
      <ServerSaid report={report} />
    </div>
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

export function Detail({ id }: { id: string }) {
  const m = useStore((s) => s.snapshot?.monitors.find((x) => x.id === id) ?? null);
  const warnDays = useStore((s) => {
    const file = s.settings?.monitor?.find((x) => (x.id ?? x.name) === id);
    return file?.cert_warn_days ?? s.settings?.defaults?.cert_warn_days ?? SETTINGS.cert_warn_days.default;
  });
  const [win, setWin] = useState<Window>("24h");
  const [history, setHistory] = useState<History | null>(null);
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<ResultRecord | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef({ win, seq: 0 });
  latest.current.win = win;

  const load = useCallback(
    async (withFailure: boolean) => {
      const seq = ++latest.current.seq;
      const w = latest.current.win;
      setLoading(true);
      try {
        const [stats, series, events, last] = await Promise.all([
          ipc.historyStats(id, w),
          ipc.historySeries(id, w),
          ipc.historyEvents(id, w),
          withFailure ? ipc.lastFailure(id) : Promise.resolve(undefined),
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
    },
    [id],
  );

  useEffect(() => {
    void load(failure === undefined);
    // Reload only when the window or the monitor changes.
  }, [id, win]);

  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wantFailure = false;
    const offResult = onResultEvent((e) => {
      if (e.data.monitor !== id) return;
      wantFailure ||= e.data.report.status !== "success";
      if (timer !== undefined) return;
      const wait = Math.max(0, last + RELOAD_SPACING_MS - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        void load(wantFailure);
        wantFailure = false;
      }, wait);
    });
    const offChange = onChangeEvent((c) => {
      if (c.monitor !== id) return;
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
  }, [id, load]);

  const back = goTo({ kind: "status" }, `row:${id}`);

  if (!m) {
    return (
      <section class="view detail" data-testid="detail">
        <h1 tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          Monitor not found
        </h1>
        <p>There is no monitor “{id}” any more.</p>
        <button type="button" class="btn" onClick={back}>
          Back to status
        </button>
      </section>
    );
  }

  const stats = history?.stats;
  const last = m.last;
  const since = parseTime(m.since);
  return (
    <section class="view detail" data-testid="detail" data-monitor-id={m.id} aria-labelledby="detail-title">
      <div class="detail-head">
        <button type="button" class="btn btn-small btn-plain" onClick={back}>
          <Icon name="back" />
          <span>Status</span>
        </button>
        <h1 id="detail-title" tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          {m.name}
        </h1>
        <Badge status={m.shown} />
        <div class="detail-actions">
          <button type="button" class="btn btn-small" onClick={() => void ipc.checkNow(m.id)} disabled={!m.enabled}>
            Check now
          </button>
          <button
            type="button"
            class="btn btn-small"
            onClick={goTo({ kind: "edit", id: m.id }, "field:host")}
          >
            Edit
          </button>
        </div>
      </div>
      <p class="detail-where">
        {hostPort(m.host, m.port)} · {tlsLabel(m.tls)} · QoS {fmtMs(m.qos_ms)}
        {since !== null ? (
          <>
            {" · "}
            {STATUS_LABEL[m.status]} since {fmtDateTime(since)}
          </>
        ) : null}
        {" · "}
        <Ago at={last?.checked_at} prefix="checked " />
      </p>
      <p class="detail-reason">{m.pending ?? m.reason ?? "\u00a0"}</p>

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

      <Chart points={history?.series ?? null} qosMs={m.qos_ms} window={win} loading={loading} />

      {targetRows(last).length > 1 ? (
        <section class="card" aria-labelledby="targets-title">
          <h2 id="targets-title">Addresses</h2>
          <ul class="targets" data-testid="targets">
            {targetRows(last).map((t) => (
              <li key={t.label} class={`target target-${t.colour}`} data-status={t.status}>
                <span class="target-glyph" aria-label={STATUS_LABEL[t.status]}>
                  {t.glyph}
                </span>{" "}
                <span class="target-address">{t.label}</span> <span class="muted">{t.detail}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <MailPolicyCard report={last} domain={m.host} />

      <div class="cards">
        <section class="card" aria-labelledby="tls-title">
          <h2 id="tls-title">TLS certificate</h2>
          <TlsFactsView report={last} warnDays={warnDays} />
        </section>
        <section class="card" aria-labelledby="ehlo-title">
          <h2 id="ehlo-title">EHLO extensions</h2>
          <EhloView report={last} />
        </section>
      </div>

      <section class="card" aria-labelledby="said-title">
        <h2 id="said-title">What the server said</h2>
        <LastProbe report={last} shown={m.pending ?? m.reason} />
      </section>

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
    </section>
  );
}
