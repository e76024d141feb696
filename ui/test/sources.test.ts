import { beforeAll, describe, expect, it } from "vitest";

import type { RemoteStateChange } from "../src/bindings/RemoteStateChange";
import type { SourceView } from "../src/bindings/SourceView";
import { STATUSES } from "../src/bindings/statuses";
import { onRemoteChangeEvent, onRemoteResult } from "../src/app";
import {
  filterRemote,
  healthNote,
  isMuted,
  mergeSources,
  muteUntil,
  shownRemote,
  sortRemote,
  sourceBadge,
} from "../src/logic/sources";
import { getState } from "../src/store";
import { remoteMonitor, sourceView } from "./fixtures";
import { shellEmits } from "./ipcMock";
import { startWindow } from "./shell";

/** Resolves once `cond` holds (events are delivered asynchronously), or fails after 2 s. */
async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met within 2 s");
    await new Promise((r) => setTimeout(r, 5));
  }
}

let answerList: (list: SourceView[]) => void = () => undefined;

beforeAll(async () => {
  await startWindow(() => new Promise<SourceView[]>((ok) => (answerList = ok)));
});

describe("the sources in the status view", () => {
  it("takes the sources from the `sources` event, and drops a list_agents answer older than it", async () => {
    const live = [sourceView("dc1", { worst: "failed" }, ["mx1", "mx2"])];
    await shellEmits("sources", live);
    await until(() => getState().sources.length === 1);
    answerList([sourceView("stale")]);
    await new Promise((r) => setTimeout(r, 20));
    expect(getState().sources.map((s) => s.name)).toEqual(["dc1"]);
    expect(getState().sources[0]!.monitors.map((m) => m.key)).toEqual(["dc1/mx1", "dc1/mx2"]);
  });

  it("keeps the objects of unchanged monitors between events, so only a changed row renders", async () => {
    const before = getState().sources[0]!;
    const next = sourceView("dc1", { worst: "failed" }, ["mx1", "mx2"]);
    next.monitors[1] = remoteMonitor("dc1", "mx2", { status: "failed", reason: "connection refused" });
    await shellEmits("sources", [next]);
    await until(() => getState().sources[0]!.monitors[1]!.status === "failed");
    const after = getState().sources[0]!;
    expect(after.monitors[0]).toBe(before.monitors[0]);
    expect(after.monitors[1]).not.toBe(before.monitors[1]);
    const same = getState().sources;
    await shellEmits("sources", structuredClone([next]));
    await new Promise((r) => setTimeout(r, 20));
    expect(getState().sources).toBe(same);
  });

  it("tells the detail views which remote monitors were checked again", async () => {
    const seen: Array<{ key: string; status: string }> = [];
    const off = onRemoteResult((r) => seen.push(r));
    const next = sourceView("dc1", { worst: "failed" }, ["mx1", "mx2"]);
    next.monitors[0] = remoteMonitor("dc1", "mx1", { checked_at: "2025-01-01T00:11:00Z", status: "warning" });
    next.monitors[1] = remoteMonitor("dc1", "mx2", { status: "failed", reason: "connection refused" });
    await shellEmits("sources", [next]);
    await until(() => seen.length > 0);
    off();
    expect(seen).toEqual([{ key: "dc1/mx1", status: "warning" }]);
  });

  it("hands remote state changes to the event log and announces the live ones only", async () => {
    const got: RemoteStateChange[] = [];
    const off = onRemoteChangeEvent((c) => got.push(c));
    const change = (name: string, replayed: boolean): RemoteStateChange => ({
      source: "dc1",
      replayed,
      change: {
        monitor: "mx2",
        name,
        at: "2025-01-01T00:12:00Z",
        event_id: 5509,
        from: "success",
        to: "failed",
        kind: "changed",
        reason: "connection refused",
        alert: true,
      },
    });
    await shellEmits("remote_state_change", change("mx2", false));
    await until(() => got.length === 1);
    expect(getState().announcement).toBe("dc1 / mx2 is now Failed");
    await shellEmits("remote_state_change", change("replayed-one", true));
    await until(() => got.length === 2);
    off();
    expect(getState().announcement).toBe("dc1 / mx2 is now Failed");
    expect(got.map((c) => c.replayed)).toEqual([false, true]);
  });
});

describe("a source's group", () => {
  it("is headed by its worst status while connected", () => {
    expect(sourceBadge(sourceView("dc1", { worst: "warning" }))).toEqual({ status: "warning", label: "Warning" });
    expect(healthNote(sourceView("dc1"), Date.now())).toBeNull();
  });

  it("shows an unreachable source and every one of its rows grey, never red, with since when and why", () => {
    const since = new Date(2025, 0, 1, 14, 3).toISOString();
    const s = sourceView("dc2", {
      health: "unreachable",
      since,
      reason: "no keep-alive from https://dc2.example.net:9925 for 45 s",
      worst: "unreachable",
      monitors: [remoteMonitor("dc2", "mx1", { status: "failed" })],
    });
    const badge = sourceBadge(s);
    expect(badge.label).toBe("Unreachable");
    expect(STATUSES[badge.status].colour).toBe("grey");
    const shown = shownRemote(s.monitors[0]!, s);
    expect(shown).toBe("unreachable");
    expect(STATUSES[shown].colour).toBe("grey");
    expect(healthNote(s, new Date(2025, 0, 1, 15, 0).getTime())).toBe(
      "Unreachable since 14:03: no keep-alive from https://dc2.example.net:9925 for 45 s",
    );
  });

  it("shows a source waiting for its token or still connecting grey as well", () => {
    for (const health of ["needs_token", "connecting"] as const) {
      const s = sourceView("dc3", { health });
      expect(STATUSES[sourceBadge(s).status].colour).toBe("grey");
      expect(shownRemote(s.monitors[0]!, s)).toBe("unreachable");
    }
    expect(healthNote(sourceView("dc3", { health: "needs_token", reason: null }), Date.now())).toBe(
      "Needs its token again (Settings → Agents)",
    );
  });

  it("keeps two agents' monitors of the same id apart by their namespaced keys", () => {
    const a = sourceView("dc1", {}, ["mx1"]);
    const b = sourceView("dc2", {}, ["mx1"]);
    const merged = mergeSources([a, b], [a, { ...b, monitors: [remoteMonitor("dc2", "mx1", { status: "failed" })] }]);
    expect(merged.flatMap((s) => s.monitors.map((m) => `${m.key}=${m.status}`))).toEqual([
      "dc1/mx1=success",
      "dc2/mx1=failed",
    ]);
    expect(merged[0]!.monitors[0]).toBe(a.monitors[0]);
    expect(filterRemote(merged[1]!, "dc2/mx1").map((m) => m.key)).toEqual(["dc2/mx1"]);
    expect(filterRemote(merged[0]!, "dc2/mx1")).toEqual([]);
  });

  it("lists a source's monitors worst first, the ones muted here last", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    const list = [
      remoteMonitor("dc1", "a"),
      remoteMonitor("dc1", "b", { status: "failed", muted_until: muteUntil(60, now) }),
      remoteMonitor("dc1", "c", { status: "warning" }),
    ];
    expect(sortRemote(list, now).map((m) => m.id)).toEqual(["c", "a", "b"]);
    expect(isMuted(list[1]!, now)).toBe(true);
    expect(isMuted(remoteMonitor("dc1", "d", { muted_until: muteUntil(null, now) }), now)).toBe(true);
  });
});
