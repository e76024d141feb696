import { describe, expect, it } from "vitest";

import { MONITOR_KEYS } from "../src/logic/monitorForm";
import {
  fieldKey,
  fieldMessages,
  nameMonitors,
  placeMonitorProblems,
  placeProblems,
  problemLine,
} from "../src/logic/problems";
import { SETTINGS_KEYS } from "../src/logic/settingsForm";

describe("placeMonitorProblems", () => {
  it("puts each problem of the form's monitor at its field", () => {
    const placed = placeMonitorProblems(
      [
        { path: "monitor[2].port", message: "70000 is not a port (1–65535)" },
        { path: "monitor[2].alerts.failed_after", message: "0 must be at least 1" },
        { path: "monitor[2].require_ext[1]", message: "\"S Z\" is not an EHLO keyword" },
        { path: "monitor[2].port", message: "second" },
      ],
      2,
      MONITOR_KEYS,
    );
    expect(placed.fields).toEqual({
      port: ["70000 is not a port (1–65535)", "second"],
      "alerts.failed_after": ["0 must be at least 1"],
      require_ext: ["\"S Z\" is not an EHLO keyword"],
    });
    expect(placed.general).toEqual([]);
  });

  it("keeps problems of other monitors and of the file for the summary", () => {
    const placed = placeMonitorProblems(
      [
        { path: "monitor[2].name", message: "\"a\" is used by monitor[0] too" },
        { path: "monitor[0].host", message: "must not be empty" },
        { path: "defaults.qos_ms", message: "0 must be at least 1" },
        { path: "", message: "syntax" },
        { path: "monitor[2]", message: "whole monitor" },
        { path: "monitor[2].nonsense", message: "unknown key" },
      ],
      2,
      MONITOR_KEYS,
    );
    expect(placed.fields).toEqual({ name: ["\"a\" is used by monitor[0] too"] });
    expect(placed.general.map((p) => p.path)).toEqual([
      "monitor[0].host",
      "defaults.qos_ms",
      "",
      "monitor[2]",
      "monitor[2].nonsense",
    ]);
  });

  it("takes a lone other index as the form's (a shell validating the monitor alone)", () => {
    const placed = placeMonitorProblems(
      [
        { path: "monitor[0].port", message: "bad" },
        { path: "monitor[0].qos_ms", message: "bad too" },
      ],
      5,
      MONITOR_KEYS,
    );
    expect(Object.keys(placed.fields)).toEqual(["port", "qos_ms"]);
  });

  it("places any index when the form has none", () => {
    const placed = placeMonitorProblems([{ path: "monitor[7].tls", message: "x" }], null, MONITOR_KEYS);
    expect(placed.fields).toEqual({ tls: ["x"] });
  });
});

describe("placeProblems (settings)", () => {
  it("uses whole paths as keys", () => {
    const placed = placeProblems(
      [
        { path: "defaults.qos_ms", message: "a" },
        { path: "alerts.repeat_every_min", message: "b" },
        { path: "monitor[1].port", message: "c" },
      ],
      SETTINGS_KEYS,
    );
    expect(placed.fields).toEqual({ "defaults.qos_ms": ["a"], "alerts.repeat_every_min": ["b"] });
    expect(placed.general).toEqual([{ path: "monitor[1].port", message: "c" }]);
  });

  it("puts the shell's control host problems at the control hosts field", () => {
    const placed = placeProblems(
      [
        { path: "control.hosts", message: "9 hosts given; at most 8 control hosts" },
        { path: "control.hosts[1]", message: "must not be empty" },
      ],
      SETTINGS_KEYS,
    );
    expect(placed.fields).toEqual({
      "control.hosts": ["9 hosts given; at most 8 control hosts", "must not be empty"],
    });
    expect(placed.general).toEqual([]);
  });
});

describe("helpers", () => {
  it("drops array indexes from keys", () => {
    expect(fieldKey("require_ext[3]")).toBe("require_ext");
    expect(fieldKey("alerts.failed_after")).toBe("alerts.failed_after");
  });
  it("names monitors in messages", () => {
    expect(nameMonitors("\"x\" is used by monitor[1] too", ["a", "mx2"])).toBe(
      "\"x\" is used by monitor “mx2” too",
    );
    expect(nameMonitors("see monitor[9]", ["a"])).toBe("see monitor[9]");
  });
  it("writes a problem as one line", () => {
    expect(problemLine({ path: "monitor[0].port", message: "bad" })).toBe("monitor[0].port: bad");
    expect(problemLine({ path: "", message: "syntax" })).toBe("syntax");
  });
  it("merges a field's messages from several sources, each once", () => {
    expect(fieldMessages(["0 must be at least 1"], undefined, ["0 must be at least 1", "other"])).toEqual([
      "0 must be at least 1",
      "other",
    ]);
    expect(fieldMessages(undefined, [], undefined)).toBeUndefined();
  });
});
