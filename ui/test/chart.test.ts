import { describe, expect, it } from "vitest";

import type { SeriesPoint } from "../src/bindings/SeriesPoint";
import { chartData, describeChart, xRange, yRange } from "../src/logic/chart";

const pt = (min: number, over: Partial<SeriesPoint> = {}): SeriesPoint => ({
  start: new Date(Date.UTC(2025, 0, 1, 0, min)).toISOString(),
  probes: 1,
  warning: 0,
  failed: 0,
  min_ms: 100,
  avg_ms: 100,
  max_ms: 100,
  ...over,
});

describe("chart data", () => {
  it("turns buckets into columns and marks failures over warnings", () => {
    const d = chartData([
      pt(0),
      pt(1, { failed: 1, warning: 1, avg_ms: null, max_ms: null }),
      pt(2, { warning: 2 }),
    ]);
    expect(d.x).toEqual([1735689600, 1735689660, 1735689720]);
    expect(d.avg).toEqual([100, null, 100]);
    expect(d.failed).toEqual([1]);
    expect(d.warned).toEqual([2]);
  });

  it("always shows both guide lines", () => {
    expect(yRange(1000, { avg: [100], max: [300] })).toEqual([0, 2200]);
    expect(yRange(1000, { avg: [2500], max: [null] })).toEqual([0, 2750]);
  });

  it("spans the whole window", () => {
    expect(xRange("1h", 7_200_000)).toEqual([3600, 7200]);
    expect(xRange("30d", 0)[0]).toBe(-30 * 86400);
  });

  it("describes itself for screen readers", () => {
    expect(describeChart([], "last hour")).toBe("Latency chart, last hour: no probes yet.");
    expect(describeChart([pt(0, { max_ms: 420.4 }), pt(1, { failed: 1 })], "last hour")).toBe(
      "Latency chart, last hour: 2 probes, slowest 420 ms, failures in 1 of 2 periods.",
    );
  });
});
