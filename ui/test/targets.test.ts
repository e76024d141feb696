import { describe, expect, it } from "vitest";

import type { Status } from "../src/bindings/Status";
import type { TargetReport } from "../src/bindings/TargetReport";
import { targetRows, targetsNote } from "../src/logic/targets";
import { report } from "./fixtures";

function target(address: string, status: Status, over: Partial<TargetReport> = {}): TargetReport {
  const failed = status === "failed" || status === "no_route";
  return {
    address,
    status,
    report: report({
      address,
      status: failed ? "failed" : status === "warning" ? "warning" : "success",
      latency_ms: failed ? null : 12.3,
      reason: failed ? "connection refused" : null,
    }),
    ...over,
  };
}

describe("targets", () => {
  it("gives a row per address with its glyph, colour and latency or reason", () => {
    const r = report({
      targets: [target("192.0.2.1", "success", { mx: "mx1" }), target("2001:db8::1", "failed")],
    });
    expect(targetRows(r)).toEqual([
      { label: "mx1 — 192.0.2.1", status: "success", glyph: "✓", colour: "green", detail: "12 ms" },
      { label: "2001:db8::1", status: "failed", glyph: "✕", colour: "red", detail: "connection refused" },
    ]);
  });

  it("shows no_route grey and leaves it out of the count", () => {
    const r = report({ targets: [target("192.0.2.1", "success"), target("2001:db8::1", "no_route")] });
    expect(targetRows(r)[1]).toMatchObject({ glyph: "–", colour: "grey", detail: "no route from here" });
    expect(targetsNote(r)).toBeNull();
  });

  it("says how many addresses fail only when they disagree", () => {
    const some = report({ targets: [target("192.0.2.1", "success"), target("192.0.2.2", "failed")] });
    expect(targetsNote(some)).toBe("1 of 2 addresses failing");
    const all = report({ targets: [target("192.0.2.1", "failed"), target("192.0.2.2", "failed")] });
    expect(targetsNote(all)).toBeNull();
    expect(targetsNote(report())).toBeNull();
    expect(targetRows(null)).toEqual([]);
  });

  it("counts a mail domain's MX hosts, a host failing when any of its addresses does", () => {
    const mx = (host: string) => ({ mx: host });
    const domain = report({
      targets: [
        target("192.0.2.1", "success", mx("mx1.example.test")),
        target("2001:db8::1", "success", mx("mx1.example.test")),
        target("192.0.2.2", "success", mx("mx2.example.test")),
        target("2001:db8::2", "failed", mx("mx2.example.test")),
      ],
    });
    expect(targetsNote(domain)).toBe("1 of 2 MX hosts failing");
  });
});
