// The latency chart (uPlot on a canvas): average and slowest latency per bucket, dashed guide
// lines at QoS and 2×QoS, failed buckets shaded and marked red, warned ones marked amber. The box
// has a fixed height so nothing moves when data arrives. After each draw the element carries
// where the guides were drawn (data-qos-px, data-qos2-px, in canvas pixels) for tests.

import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import type { SeriesPoint } from "../bindings/SeriesPoint";
import type { Window } from "../bindings/Window";
import { chartData, describeChart, xRange, yRange, type ChartData } from "../logic/chart";
import { fmtDateTime, fmtMs } from "../logic/format";

const HEIGHT = 200;
/** Stands in for the QoS while none is known (a remote monitor): the y axis spans at least 2× it. */
const UNKNOWN_QOS_MS = 50;

const pad2 = (n: number) => String(n).padStart(2, "0");

/** An x-axis label in 24-hour local time: `14:30`, or `11-22` for ticks a day or more apart. */
function timeTick(seconds: number, incr: number): string {
  const d = new Date(seconds * 1000);
  if (incr >= 86_400) return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export const WINDOW_LABEL: Record<Window, string> = {
  "1h": "last hour",
  "24h": "last 24 hours",
  "7d": "last 7 days",
  "30d": "last 30 days",
};

type Colors = Record<"text" | "grid" | "line" | "max" | "warn" | "fail", string>;

function readColors(el: Element): Colors {
  const cs = getComputedStyle(el);
  const v = (name: string) => cs.getPropertyValue(name).trim();
  return {
    text: v("--chart-text"),
    grid: v("--chart-grid"),
    line: v("--chart-line"),
    max: v("--chart-max"),
    warn: v("--chart-warn"),
    fail: v("--chart-fail"),
  };
}

function useColorScheme(): string {
  const query = "(prefers-color-scheme: dark)";
  const [dark, setDark] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const mq = matchMedia(query);
    const on = () => setDark(mq.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  return dark ? "dark" : "light";
}

type Live = { points: readonly SeriesPoint[]; data: ChartData; qos: number | null; window: Window };

export function Chart({
  points,
  qosMs,
  window,
  loading,
}: {
  points: readonly SeriesPoint[] | null;
  /** The QoS threshold the guide lines are drawn at; null (not known): no guide lines. */
  qosMs: number | null;
  window: Window;
  loading: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const mount = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLParagraphElement>(null);
  const plot = useRef<uPlot | null>(null);
  const live = useRef<Live>({ points: [], data: chartData([]), qos: qosMs, window });
  const scheme = useColorScheme();

  live.current = { points: points ?? [], data: chartData(points ?? []), qos: qosMs, window };

  useEffect(() => {
    const el = box.current;
    const target = mount.current;
    if (!el || !target) return;
    const colors = readColors(el);
    const px = uPlot.pxRatio;

    const drawGuides = (u: uPlot) => {
      const { ctx, bbox } = u;
      const { data, qos } = live.current;
      ctx.save();
      ctx.fillStyle = colors.fail;
      ctx.globalAlpha = 0.14;
      const xs = data.x;
      const step = xs.length > 1 ? xs[1]! - xs[0]! : 60;
      for (const i of data.failed) {
        const x0 = u.valToPos(xs[i]!, "x", true);
        const x1 = u.valToPos(xs[i]! + step, "x", true);
        ctx.fillRect(x0, bbox.top, Math.max(x1 - x0, 2 * px), bbox.height);
      }
      ctx.globalAlpha = 1;
      ctx.lineWidth = 2 * px;
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.font = `${11 * px}px system-ui, sans-serif`;
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      const guides: Array<[number, string, string, string]> =
        qos === null
          ? []
          : [
              [qos, colors.warn, `QoS ${fmtMs(qos)}`, "qosPx"],
              [2 * qos, colors.fail, `2×QoS ${fmtMs(2 * qos)}`, "qos2Px"],
            ];
      for (const [value, color, label, attr] of guides) {
        const y = Math.round(u.valToPos(value, "y", true));
        ctx.strokeStyle = color;
        ctx.beginPath();
        ctx.moveTo(bbox.left, y);
        ctx.lineTo(bbox.left + bbox.width, y);
        ctx.stroke();
        ctx.fillStyle = color;
        ctx.fillText(label, bbox.left + bbox.width - 4 * px, y - 3 * px);
        el.dataset[attr] = String(y);
      }
      el.dataset.plotLeft = String(Math.round(bbox.left));
      el.dataset.plotWidth = String(Math.round(bbox.width));
      el.dataset.warnColor = colors.warn;
      el.dataset.failColor = colors.fail;
      ctx.restore();
    };

    const drawMarks = (u: uPlot) => {
      const { ctx, bbox } = u;
      const { data } = live.current;
      const bottom = bbox.top + bbox.height;
      const size = 5 * px;
      const mark = (i: number, color: string) => {
        const x = u.valToPos(data.x[i]!, "x", true);
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.moveTo(x, bottom - 2 * size);
        ctx.lineTo(x - size, bottom);
        ctx.lineTo(x + size, bottom);
        ctx.closePath();
        ctx.fill();
      };
      ctx.save();
      for (const i of data.warned) mark(i, colors.warn);
      for (const i of data.failed) mark(i, colors.fail);
      ctx.restore();
      el.dataset.failureMarks = String(data.failed.length);
      el.dataset.points = String(data.x.length);
      el.dataset.drawn = String(Number(el.dataset.drawn ?? 0) + 1);
    };

    const setCursor = (u: uPlot) => {
      const out = readout.current;
      const i = u.cursor.idx;
      if (!out) return;
      if (i == null) {
        out.textContent = "\u00a0";
        return;
      }
      const { data, points: pts } = live.current;
      const p = pts[i];
      out.textContent =
        `${fmtDateTime(data.x[i]! * 1000)} · avg ${fmtMs(data.avg[i])} · slowest ${fmtMs(data.max[i])}` +
        (p ? ` · ${p.probes} probes${p.failed ? `, ${p.failed} failed` : ""}` : "");
    };

    const axis = {
      stroke: colors.text,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
      font: "11px system-ui, sans-serif",
    };
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: true, range: () => xRange(live.current.window, Date.now()) },
        y: { range: () => yRange(live.current.qos ?? UNKNOWN_QOS_MS, live.current.data) },
      },
      axes: [
        { ...axis, values: (_u, splits, _i, _space, incr) => splits.map((v) => timeTick(v, incr)) },
        {
          ...axis,
          size: 64,
          values: (_u, splits) => splits.map((v) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`)),
        },
      ],
      series: [
        {},
        { label: "average", stroke: colors.line, width: 2, spanGaps: false, points: { show: false } },
        { label: "slowest", stroke: colors.max, width: 1, spanGaps: false, points: { show: false } },
      ],
      hooks: { drawAxes: [drawGuides], draw: [drawMarks], setCursor: [setCursor] },
    };
    const d = live.current.data;
    const u = new uPlot(opts, [d.x, d.avg, d.max] as uPlot.AlignedData, target);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && w !== u.width) u.setSize({ width: w, height: HEIGHT });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // `points` is read through `live`; the chart is rebuilt only for a new colour scheme.
  }, [scheme]);

  useEffect(() => {
    const d = live.current.data;
    plot.current?.setData([d.x, d.avg, d.max] as uPlot.AlignedData);
  }, [points, qosMs, window]);

  const empty = points !== null && !points.some((p) => p.probes > 0);
  return (
    <figure class="chart">
      <div
        class="chart-box"
        ref={box}
        data-testid="latency-chart"
        role="img"
        aria-label={points ? describeChart(points, WINDOW_LABEL[window]) : "Latency chart, loading"}
        aria-busy={loading}
      >
        <div ref={mount} />
        {empty && !loading ? <p class="chart-empty">No probes in the {WINDOW_LABEL[window]}</p> : null}
      </div>
      <figcaption>
        <span class="key key-line">average</span>
        <span class="key key-max">slowest</span>
        {qosMs === null ? (
          <span class="key key-fail">failed</span>
        ) : (
          <>
            <span class="key key-warn">QoS</span>
            <span class="key key-fail">2×QoS · failed</span>
          </>
        )}
      </figcaption>
      <p class="chart-readout" ref={readout} aria-hidden="true">
        {"\u00a0"}
      </p>
    </figure>
  );
}
