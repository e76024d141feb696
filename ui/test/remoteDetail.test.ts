import { beforeAll, describe, expect, it } from "vitest";

import type { StateChange } from "../src/bindings/StateChange";
import { localHistory, remoteHistory } from "../src/history";
import { muteRemote, remoteCheckNow, remoteSnooze, remoteUnsnooze } from "../src/ipc";
import { MUTE_FOREVER, remoteActions } from "../src/logic/sources";
import { remoteMonitor, sourceView } from "./fixtures";
import { answer, callsOf, shellEmits } from "./ipcMock";
import { startAnswers, startWindow } from "./shell";

const STATS = { probes: 3, success: 2, warning: 0, failed: 1, uptime_pct: 66.7, latency_samples: 2, p50_ms: 80, p95_ms: 90, p99_ms: 90 };

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met within 2 s");
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeAll(async () => {
  await startWindow(() => [sourceView("dc1", {}, ["mx1", "mx2"])]);
});

function change(monitor: string, at: string): StateChange {
  return { monitor, name: monitor, at, event_id: 5509, from: "success", to: "failed", kind: "changed", reason: null, alert: true };
}

describe("a remote monitor's detail", () => {
  it("reads its history from the agent through remote_* with the source and the agent's monitor id", async () => {
    answer((cmd) =>
      cmd === "remote_stats" ? STATS : cmd === "remote_last_failure" ? null : [],
    );
    const h = remoteHistory("dc1", "mx1");
    expect(await h.stats("7d")).toEqual(STATS);
    await h.series("7d");
    await h.events("1h");
    expect(await h.lastFailure()).toBeNull();
    expect(callsOf("remote_stats")).toEqual([{ source: "dc1", monitor: "mx1", window: "7d" }]);
    expect(callsOf("remote_series")).toEqual([{ source: "dc1", monitor: "mx1", window: "7d" }]);
    expect(callsOf("remote_events")).toEqual([{ source: "dc1", monitor: "mx1", window: "1h" }]);
    expect(callsOf("remote_last_failure")).toEqual([{ source: "dc1", monitor: "mx1" }]);
    expect(callsOf("history_stats")).toEqual([]);
  });

  it("is the same panel as a local monitor's, only fed from elsewhere", async () => {
    answer(() => STATS);
    await localHistory("mx1").stats("24h");
    expect(callsOf("history_stats")).toEqual([{ id: "mx1", window: "24h" }]);
    expect(callsOf("remote_stats")).toEqual([]);
    expect(localHistory("mx1").key).not.toBe(remoteHistory("dc1", "mx1").key);
  });

  it("appends only its own monitor's remote state changes, and reloads after its own results", async () => {
    answer(startAnswers(() => []));
    const h = remoteHistory("dc1", "mx1");
    const got: StateChange[] = [];
    const results: boolean[] = [];
    const offChange = h.onChange((c) => got.push(c));
    const offResult = h.onResult((failed) => results.push(failed));
    await shellEmits("remote_state_change", { source: "dc2", change: change("mx1", "2025-01-01T00:01:00Z"), replayed: false });
    await shellEmits("remote_state_change", { source: "dc1", change: change("mx2", "2025-01-01T00:02:00Z"), replayed: false });
    await shellEmits("remote_state_change", { source: "dc1", change: change("mx1", "2025-01-01T00:03:00Z"), replayed: true });
    const next = sourceView("dc1", {}, ["mx1", "mx2"]);
    next.monitors[0] = remoteMonitor("dc1", "mx1", { status: "failed", checked_at: "2025-01-01T00:20:00Z" });
    next.monitors[1] = remoteMonitor("dc1", "mx2", { checked_at: "2025-01-01T00:20:00Z" });
    await shellEmits("sources", [next]);
    await until(() => got.length === 1 && results.length === 1);
    offChange();
    offResult();
    expect(got.map((c) => c.at)).toEqual(["2025-01-01T00:03:00Z"]);
    expect(results).toEqual([true]);
  });

  it("offers Check now and the agent-wide Snooze only with a control token, the local Mute always", () => {
    const m = remoteMonitor("dc1", "mx1");
    expect(remoteActions({ can_control: false }, m)).toEqual({ checkNow: false, snooze: false, unsnooze: false, mute: true });
    expect(remoteActions({ can_control: true }, m)).toEqual({ checkNow: true, snooze: true, unsnooze: false, mute: true });
    expect(remoteActions({ can_control: true }, { status: "paused" })).toEqual({
      checkNow: true,
      snooze: false,
      unsnooze: true,
      mute: true,
    });
  });

  it("sends the control and mute commands with the source and the agent's monitor id", async () => {
    answer(() => null);
    await remoteCheckNow("dc1", "mx1");
    await remoteSnooze("dc1", "mx1", 60);
    await remoteSnooze("dc1", "mx1", null);
    await remoteUnsnooze("dc1", "mx1");
    await muteRemote("dc1", "mx1", MUTE_FOREVER);
    await muteRemote("dc1", "mx1", null);
    expect(callsOf("remote_check_now")).toEqual([{ source: "dc1", monitor: "mx1" }]);
    expect(callsOf("remote_snooze")).toEqual([
      { source: "dc1", monitor: "mx1", minutes: 60 },
      { source: "dc1", monitor: "mx1", minutes: null },
    ]);
    expect(callsOf("remote_unsnooze")).toEqual([{ source: "dc1", monitor: "mx1" }]);
    expect(callsOf("mute_remote")).toEqual([
      { source: "dc1", monitor: "mx1", until: MUTE_FOREVER },
      { source: "dc1", monitor: "mx1", until: null },
    ]);
  });
});
