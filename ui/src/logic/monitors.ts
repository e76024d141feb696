// The status list's logic: worst-first order, the filter, structural sharing between snapshots
// (an unchanged monitor keeps its object, so its row is not rendered again) and the phase bar.

import type { MonitorView } from "../bindings/MonitorView";
import type { ProbeReport } from "../bindings/ProbeReport";
import type { Snapshot } from "../bindings/Snapshot";
import type { Status } from "../bindings/Status";
import { STATUSES } from "../bindings/statuses";
import { STATUS_LABEL, tlsLabel } from "./format";

/**
 * Sort key of a status, worst first, by the engine's order (`statuses.ts`): red, amber, then the
 * greys (offline, blocked, stale, …), then green.
 */
export function statusRank(s: Status): number {
  return -(STATUSES[s]?.rank ?? -1);
}

/** The grey statuses ("cannot tell from here"), worst first: the counts line lists them. */
export const GREYS: Status[] = (Object.keys(STATUSES) as Status[])
  .filter((s) => STATUSES[s].colour === "grey")
  .sort((a, b) => statusRank(a) - statusRank(b));

/** Snoozed or disabled monitors sink below the ones that count. */
function muted(m: MonitorView, nowMs: number): number {
  if (!m.enabled) return 2;
  if (m.snoozed_until && Date.parse(m.snoozed_until) > nowMs) return 1;
  return 0;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/**
 * Worst first: enabled and unsnoozed before snoozed before disabled; then by status rank; then by
 * name; ties keep configuration order.
 */
export function sortMonitors(list: readonly MonitorView[], nowMs: number): MonitorView[] {
  return list
    .map((m, i) => ({ m, i }))
    .sort(
      (a, b) =>
        muted(a.m, nowMs) - muted(b.m, nowMs) ||
        statusRank(a.m.shown) - statusRank(b.m.shown) ||
        collator.compare(a.m.name, b.m.name) ||
        a.i - b.i,
    )
    .map((x) => x.m);
}

/**
 * The monitors matching every word of `query` in their name, host:port, TLS mode or status
 * (case-insensitive). An empty query matches everything.
 */
export function filterMonitors(list: readonly MonitorView[], query: string): MonitorView[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...list];
  return list.filter((m) => {
    const hay = [
      m.name,
      m.id,
      `${m.host}:${m.port}`,
      m.tls,
      tlsLabel(m.tls),
      m.shown,
      STATUS_LABEL[m.shown],
      m.enabled ? "" : "disabled",
    ]
      .join(" ")
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * `next` with every monitor that did not change replaced by the object already shown, and the
 * whole snapshot's array kept when nothing changed at all. Snapshots taken before `prev` are
 * ignored (an event that crossed the initial fetch).
 */
export function mergeSnapshot(prev: Snapshot | null, next: Snapshot): Snapshot {
  if (!prev) return next;
  if (prev.taken_at && next.taken_at && Date.parse(next.taken_at) < Date.parse(prev.taken_at)) {
    return prev;
  }
  const old = new Map(prev.monitors.map((m) => [m.id, m]));
  let changed = prev.monitors.length !== next.monitors.length;
  const monitors = next.monitors.map((m, i) => {
    const o = old.get(m.id);
    if (o && same(o, m)) {
      if (prev.monitors[i] !== o) changed = true;
      return o;
    }
    changed = true;
    return m;
  });
  return { ...next, monitors: changed ? monitors : prev.monitors };
}

/** One segment of the phase bar. */
export type Segment = { phase: string; label: string; ms: number; pct: number };

const PHASES: ReadonlyArray<[keyof ProbeReport["phases_ms"], string]> = [
  ["connect", "connect"],
  ["tls", "TLS"],
  ["greeting", "greeting"],
  ["starttls", "STARTTLS"],
  ["ehlo", "EHLO"],
];

/**
 * The phase bar of a report: each measured phase after DNS as a share of the bar, whose full
 * width is 2×QoS (or the latency when that is longer). QoS sits at `qosPct` of the width.
 */
export function phaseBar(
  report: Pick<ProbeReport, "phases_ms" | "latency_ms">,
  qosMs: number,
): { segments: Segment[]; qosPct: number; scaleMs: number } {
  const measured = PHASES.flatMap(([key, label]) => {
    const ms = report.phases_ms[key];
    return ms == null ? [] : [{ phase: key, label, ms }];
  });
  const total = measured.reduce((s, p) => s + p.ms, 0);
  const scaleMs = Math.max(2 * qosMs, total, report.latency_ms ?? 0, 1);
  return {
    segments: measured.map((p) => ({ ...p, pct: (p.ms / scaleMs) * 100 })),
    qosPct: (qosMs / scaleMs) * 100,
    scaleMs,
  };
}
