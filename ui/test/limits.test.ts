import { describe, expect, it } from "vitest";

import { checkTable, monitorLimits, settingsLimits } from "../src/logic/limits";

describe("limits between numbers", () => {
  it("wants interval_s longer than 2×qos_ms, reported at interval_s when the table sets it", () => {
    expect(settingsLimits({ defaults: { qos_ms: 1200, interval_s: 2 } })).toEqual([
      { path: "defaults.interval_s", message: "2 must be longer than 2×qos_ms (2.4 s)" },
    ]);
    expect(settingsLimits({ defaults: { interval_s: 2 } })).toEqual([
      { path: "defaults.interval_s", message: "2 must be longer than 2×qos_ms (2 s)" },
    ]);
    expect(settingsLimits({ defaults: { qos_ms: 1000, interval_s: 3 } })).toEqual([]);
  });

  it("reports it at qos_ms when only qos_ms is set in the table", () => {
    expect(settingsLimits({ defaults: { qos_ms: 40_000 } })).toEqual([
      {
        path: "defaults.qos_ms",
        message: "40000 is too long for interval_s 60: 2×qos_ms (80 s) must be shorter",
      },
    ]);
  });

  it("wants cert_crit_days not above cert_warn_days, reported at crit when the table sets it", () => {
    expect(settingsLimits({ defaults: { cert_warn_days: 5, cert_crit_days: 7 } })).toEqual([
      { path: "defaults.cert_crit_days", message: "7 is above cert_warn_days 5" },
    ]);
    expect(settingsLimits({ defaults: { cert_crit_days: 20 } })).toEqual([
      { path: "defaults.cert_crit_days", message: "20 is above cert_warn_days 14" },
    ]);
    expect(settingsLimits({ defaults: { cert_warn_days: 2 } })).toEqual([
      { path: "defaults.cert_warn_days", message: "2 is below cert_crit_days 3" },
    ]);
    expect(settingsLimits({ defaults: { cert_warn_days: 3, cert_crit_days: 3 } })).toEqual([]);
  });

  it("judges a monitor with what it inherits from [defaults]", () => {
    expect(monitorLimits({ qos_ms: 3000 }, 2, { interval_s: 5 })).toEqual([
      {
        path: "monitor[2].qos_ms",
        message: "3000 is too long for interval_s 5: 2×qos_ms (6 s) must be shorter",
      },
    ]);
    expect(monitorLimits({ cert_crit_days: 10 }, 0, { cert_warn_days: 30 })).toEqual([]);
    // Both numbers inherited: the problem is the table's that set them, not the monitor's.
    expect(monitorLimits({ name: "a" }, 0, { qos_ms: 40_000 })).toEqual([]);
  });

  it("leaves a rule alone while one of its numbers is out of range", () => {
    expect(settingsLimits({ defaults: { interval_s: 0 } })).toEqual([
      { path: "defaults.interval_s", message: "0 must be at least 1" },
    ]);
    expect(checkTable("monitor", "monitor[0]", { cert_warn_days: -1, cert_crit_days: 0 })).toEqual([
      { path: "monitor[0].cert_warn_days", message: "-1 must be at least 0" },
    ]);
  });
});

describe("limits of single numbers", () => {
  it("checks only the keys a table holds, at the table's path", () => {
    expect(settingsLimits({ alerts: { failed_after: 0, repeat_every_min: 10_081 }, history: { retention_days: 0 } })).toEqual([
      { path: "alerts.failed_after", message: "0 must be at least 1" },
      { path: "alerts.repeat_every_min", message: "10081 must be at most 10080" },
      { path: "history.retention_days", message: "0 must be at least 1" },
    ]);
    expect(checkTable("defaults", "defaults", { port: 0, failed_after: 0 })).toEqual([]);
  });

  it("puts a monitor's own alert keys under its alerts", () => {
    expect(monitorLimits({ port: 70_000, alerts: { warning_after: 1001 } }, 3)).toEqual([
      { path: "monitor[3].port", message: "70000 is not a port (1–65535)" },
      { path: "monitor[3].alerts.warning_after", message: "1001 must be at most 1000" },
    ]);
  });

  it("ignores what is not a number", () => {
    expect(checkTable("monitor", "monitor[0]", { host: "mx", port: "25", qos_ms: Number.NaN })).toEqual([]);
  });
});
