// The window's limits against the engine's: every case of the fixture the engine generates from
// its settings registry (a value at its path, with other keys of the same table set alongside)
// must be accepted or rejected by `limits.ts` as the engine does, at the same path, with the same
// message.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { describe, expect, it } from "vitest";

import type { MonitorFile } from "../src/bindings/MonitorFile";
import type { Problem } from "../src/bindings/Problem";
import { SETTINGS } from "../src/bindings/settingsRegistry";
import { monitorLimits, settingsLimits } from "../src/logic/limits";

type Case = {
  setting: string;
  path: string;
  value: unknown;
  with: Record<string, unknown>;
  accepted: boolean;
  message: string | null;
};

const CASES: Case[] = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "fixtures", "settings-parity.json"), "utf8"),
);

/** The problems the window finds in the table the case's path names, holding the case's keys. */
function judge(c: Case): Problem[] {
  const table = { ...c.with, [c.setting]: c.value };
  const monitor = /^monitor\[(\d+)\]\.(alerts\.)?/.exec(c.path);
  if (monitor) {
    const index = Number(monitor[1]);
    const m: MonitorFile = monitor[2] ? { alerts: table } : table;
    return monitorLimits(m, index);
  }
  const section = c.path.slice(0, c.path.indexOf("."));
  if (section !== "defaults" && section !== "alerts" && section !== "history" && section !== "dns") {
    throw new Error(`no table for the path ${c.path}`);
  }
  return settingsLimits({ [section]: table });
}

describe("settings limits match the engine's", () => {
  it("has cases for every number of the registry", () => {
    const numbers = Object.entries(SETTINGS).filter(([, s]) => s.kind === "int").map(([k]) => k);
    const tested = new Set(CASES.map((c) => c.setting));
    expect(numbers.filter((k) => !tested.has(k))).toEqual([]);
  });

  it.each(CASES.map((c) => [`${c.path} = ${JSON.stringify(c.value)} with ${JSON.stringify(c.with)}`, c] as const))(
    "%s",
    (_, c) => {
      const problems = judge(c);
      if (c.accepted) {
        expect(problems).toEqual([]);
      } else {
        expect(problems).toEqual([{ path: c.path, message: c.message }]);
      }
    },
  );
});
