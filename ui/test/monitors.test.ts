import { describe, expect, it } from "vitest";

import { filterMonitors, GREYS, mergeSnapshot, phaseBar, sortMonitors, statusRank } from "../src/logic/monitors";
import { report, snapshot, view } from "./fixtures";

const NOW = Date.UTC(2025, 0, 1, 12);

describe("sortMonitors", () => {
  it("puts the worst first, then by name, disabled and snoozed last", () => {
    const list = [
      view({ id: "ok-b" }),
      view({ id: "off", enabled: false, status: "failed" }),
      view({ id: "warn", status: "warning" }),
      view({ id: "ok-a" }),
      view({ id: "fail", status: "failed" }),
      view({ id: "snoozed", status: "failed", snoozed_until: new Date(NOW + 60_000).toISOString() }),
      view({ id: "unknown", status: "unknown" }),
      view({ id: "offline", status: "offline" }),
      view({ id: "stale", status: "success", shown: "stale" }),
      view({ id: "snooze-over", status: "warning", snoozed_until: new Date(NOW - 1).toISOString() }),
    ];
    expect(sortMonitors(list, NOW).map((m) => m.id)).toEqual([
      "fail",
      "snooze-over",
      "warn",
      "offline",
      "stale",
      "unknown",
      "ok-a",
      "ok-b",
      "snoozed",
      "off",
    ]);
  });

  it("sorts names naturally and keeps equal ones in config order", () => {
    const list = [
      view({ id: "a", name: "mx10" }),
      view({ id: "b", name: "mx2" }),
      view({ id: "c", name: "MX2" }),
    ];
    expect(sortMonitors(list, NOW).map((m) => m.id)).toEqual(["b", "c", "a"]);
  });

  it("does not change its input", () => {
    const list = [view({ id: "b" }), view({ id: "a" })];
    sortMonitors(list, NOW);
    expect(list.map((m) => m.id)).toEqual(["b", "a"]);
  });
});

describe("filterMonitors", () => {
  const list = [
    view({ id: "mx1", host: "mx1.example.com", tls: "starttls" }),
    view({ id: "smtp", host: "smtp.example.org", port: 465, tls: "implicit", status: "failed" }),
    view({ id: "old", enabled: false }),
  ];
  const ids = (q: string) => filterMonitors(list, q).map((m) => m.id);
  it.each([
    ["", ["mx1", "smtp", "old"]],
    ["MX1", ["mx1"]],
    ["example.org", ["smtp"]],
    [":465", ["smtp"]],
    ["failed", ["smtp"]],
    ["starttls", ["mx1"]],
    ["implicit tls", ["smtp"]],
    ["disabled", ["old"]],
    ["mx1 failed", []],
  ])("%j", (q, want) => expect(ids(q)).toEqual(want));
});

describe("mergeSnapshot", () => {
  it("keeps unchanged monitors as the same objects", () => {
    const a = view({ id: "a" });
    const b = view({ id: "b" });
    const prev = snapshot([a, b], "2025-01-01T00:00:00Z");
    const next = snapshot(
      [structuredClone(a), { ...structuredClone(b), status: "failed" }],
      "2025-01-01T00:00:01Z",
    );
    const merged = mergeSnapshot(prev, next);
    expect(merged.monitors[0]).toBe(a);
    expect(merged.monitors[1]).not.toBe(b);
    expect(merged.monitors[1]!.status).toBe("failed");
  });

  it("keeps the whole list when nothing changed", () => {
    const prev = snapshot([view({ id: "a" }), view({ id: "b" })]);
    const next = structuredClone(prev);
    next.taken_at = "2025-01-01T00:00:05Z";
    const merged = mergeSnapshot(prev, next);
    expect(merged.monitors).toBe(prev.monitors);
    expect(merged.taken_at).toBe("2025-01-01T00:00:05Z");
  });

  it("notices added, removed and reordered monitors", () => {
    const a = view({ id: "a" });
    const b = view({ id: "b" });
    const prev = snapshot([a, b]);
    const reordered = mergeSnapshot(prev, snapshot([structuredClone(b), structuredClone(a)], "2025-01-01T00:00:01Z"));
    expect(reordered.monitors).not.toBe(prev.monitors);
    expect(reordered.monitors[0]).toBe(b);
    const removed = mergeSnapshot(prev, snapshot([structuredClone(a)], "2025-01-01T00:00:01Z"));
    expect(removed.monitors).toEqual([a]);
  });

  it("ignores a snapshot older than the one shown", () => {
    const prev = snapshot([view({ id: "a" })], "2025-01-01T00:00:10Z");
    const old = snapshot([view({ id: "a", status: "failed" })], "2025-01-01T00:00:05Z");
    expect(mergeSnapshot(prev, old)).toBe(prev);
  });

  it("takes the first snapshot as it is", () => {
    const s = snapshot([view({ id: "a" })]);
    expect(mergeSnapshot(null, s)).toBe(s);
  });
});

describe("phaseBar", () => {
  it("scales phases to 2×QoS with the QoS tick in the middle", () => {
    const bar = phaseBar(report(), 1000);
    expect(bar.scaleMs).toBe(2000);
    expect(bar.qosPct).toBe(50);
    expect(bar.segments.map((s) => [s.label, s.pct])).toEqual([
      ["connect", 0.5],
      ["greeting", 3],
      ["EHLO", 2.5],
    ]);
  });

  it("leaves DNS out and stretches the scale for a very slow answer", () => {
    const r = report({
      latency_ms: 3000,
      phases_ms: { dns: 500, connect: 1000, tls: 500, greeting: 500, starttls: 500, ehlo: 500 },
    });
    const bar = phaseBar(r, 1000);
    expect(bar.scaleMs).toBe(3000);
    expect(bar.segments.map((s) => s.phase)).toEqual(["connect", "tls", "greeting", "starttls", "ehlo"]);
    expect(bar.segments.reduce((s, x) => s + x.pct, 0)).toBeCloseTo(100);
    expect(bar.qosPct).toBeCloseTo(33.33, 1);
  });

  it("has no segments when nothing was measured", () => {
    const r = report({
      latency_ms: null,
      phases_ms: { dns: null, connect: null, tls: null, greeting: null, starttls: null, ehlo: null },
    });
    expect(phaseBar(r, 500).segments).toEqual([]);
  });
});

describe("the engine's status order", () => {
  it("ranks red before amber before grey before green, the greys worst first", () => {
    const order = (["success", "stale", "failed", "paused", "warning", "offline"] as const)
      .slice()
      .sort((a, b) => statusRank(a) - statusRank(b));
    expect(order).toEqual(["failed", "warning", "offline", "stale", "paused", "success"]);
    expect(GREYS).toEqual([
      "offline",
      "blocked",
      "stale",
      "no_route",
      "unreachable",
      "unknown",
      "no_mail",
      "paused",
    ]);
  });
});
