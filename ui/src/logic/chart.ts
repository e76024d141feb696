// The latency chart's data: uPlot columns from the history buckets, the y range that always
// shows both guide lines, and which buckets get a failure or warning mark.

import type { SeriesPoint } from "../bindings/SeriesPoint";

export type ChartData = {
  /** Bucket starts, seconds since the epoch. */
  x: number[];
  avg: (number | null)[];
  max: (number | null)[];
  /** Buckets with at least one failed probe (indexes into x). */
  failed: number[];
  /** Buckets with warnings but no failures. */
  warned: number[];
};

export function chartData(points: readonly SeriesPoint[]): ChartData {
  const d: ChartData = { x: [], avg: [], max: [], failed: [], warned: [] };
  points.forEach((p, i) => {
    d.x.push(Date.parse(p.start) / 1000);
    d.avg.push(p.avg_ms);
    d.max.push(p.max_ms);
    if (p.failed > 0) d.failed.push(i);
    else if (p.warning > 0) d.warned.push(i);
  });
  return d;
}

/** 0 up to a little above 2×QoS, or above the slowest value when that is higher. */
export function yRange(qosMs: number, data: Pick<ChartData, "max" | "avg">): [number, number] {
  let top = 2 * qosMs;
  for (const v of [...data.max, ...data.avg]) if (v != null && v > top) top = v;
  return [0, top * 1.1];
}

const WINDOW_SECONDS = { "1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 } as const;

/** The x range of a window ending now (the chart spans the whole window, data or not). */
export function xRange(window: keyof typeof WINDOW_SECONDS, nowMs: number): [number, number] {
  const end = nowMs / 1000;
  return [end - WINDOW_SECONDS[window], end];
}

/** A sentence describing the chart, for screen readers. */
export function describeChart(points: readonly SeriesPoint[], windowLabel: string): string {
  const probes = points.reduce((s, p) => s + p.probes, 0);
  if (probes === 0) return `Latency chart, ${windowLabel}: no probes yet.`;
  const failed = points.filter((p) => p.failed > 0).length;
  const maxes = points.map((p) => p.max_ms).filter((v): v is number => v != null);
  const slowest = maxes.length ? Math.round(Math.max(...maxes)) : null;
  return (
    `Latency chart, ${windowLabel}: ${probes} probes` +
    (slowest !== null ? `, slowest ${slowest} ms` : "") +
    (failed > 0 ? `, failures in ${failed} of ${points.length} periods` : ", no failures") +
    "."
  );
}
