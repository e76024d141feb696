import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { MxPreview } from "../src/bindings/MxPreview";
import {
  PREVIEW_DEBOUNCE_MS,
  formatMxSet,
  mxPreviewer,
  previewLine,
  type PreviewState,
} from "../src/logic/mxPreview";

const found = (domain: string, hosts: Array<[number, string]>): MxPreview => ({
  type: "found",
  domain,
  set: { hosts: hosts.map(([preference, host]) => ({ preference, host })) },
});

describe("the MX set as one line", () => {
  it("lists hosts with their preference, in the order given", () => {
    expect(formatMxSet({ hosts: [{ preference: 10, host: "mx1.example.com" }, { preference: 20, host: "mx2.example.com" }] })).toBe(
      "10 mx1.example.com, 20 mx2.example.com",
    );
  });

  it("says what no MX and a null MX mean", () => {
    expect(formatMxSet("implicit")).toBe("no MX: the domain itself receives mail");
    expect(formatMxSet("null_mx")).toBe("null MX: this domain takes no mail");
  });

  it("shows looking up quietly, a failure as its message, nothing when idle", () => {
    expect(previewLine({ kind: "idle" })).toBeNull();
    expect(previewLine({ kind: "looking", domain: "example.com" })).toEqual({ text: "looking up…", problem: false });
    const failed: MxPreview = {
      type: "failed",
      domain: "nx.example",
      failure: "nx_domain",
      message: "nx.example: the name does not exist (NXDOMAIN)",
    };
    expect(previewLine({ kind: "done", domain: "nx.example", preview: failed })).toEqual({
      text: "nx.example: the name does not exist (NXDOMAIN)",
      problem: true,
    });
  });
});

describe("the debounced lookup", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(answer: (domain: string) => Promise<MxPreview>) {
    const states: PreviewState[] = [];
    const asked: string[] = [];
    const p = mxPreviewer(
      (d) => {
        asked.push(d);
        return answer(d);
      },
      (s) => states.push(s),
    );
    return { p, states, asked };
  }

  it("looks up once, after typing has stopped for the delay", async () => {
    const { p, states, asked } = setup(async (d) => found(d, [[10, `mx.${d}`]]));
    for (const text of ["e", "ex", "example.co", "example.com"]) {
      p.input(text);
      await vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS - 100);
    }
    expect(asked).toEqual([]);
    expect(states.at(-1)).toEqual({ kind: "looking", domain: "example.com" });
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toEqual(["example.com"]);
    expect(states.at(-1)).toEqual({ kind: "done", domain: "example.com", preview: found("example.com", [[10, "mx.example.com"]]) });
  });

  it("drops an answer for an input that has changed since it was asked", async () => {
    const pending = new Map<string, (p: MxPreview) => void>();
    const { p, states, asked } = setup((d) => new Promise((resolve) => pending.set(d, resolve)));
    p.input("old.example");
    await vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS);
    p.input("new.example");
    await vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS);
    expect(asked).toEqual(["old.example", "new.example"]);
    pending.get("new.example")!(found("new.example", [[5, "mx.new.example"]]));
    await vi.advanceTimersByTimeAsync(0);
    pending.get("old.example")!(found("old.example", [[5, "mx.old.example"]]));
    await vi.advanceTimersByTimeAsync(0);
    const done = states.filter((s) => s.kind === "done");
    expect(done).toEqual([{ kind: "done", domain: "new.example", preview: found("new.example", [[5, "mx.new.example"]]) }]);
    expect(states.at(-1)?.kind).toBe("done");
  });

  it("asks nothing for a blank field and nothing after stop", async () => {
    const { p, states, asked } = setup(async (d) => found(d, []));
    p.input("   ");
    expect(states).toEqual([{ kind: "idle" }]);
    p.input("example.com");
    p.stop();
    await vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS * 2);
    expect(asked).toEqual([]);
  });

  it("shows a lookup that throws as a failure naming the domain", async () => {
    const { p, states } = setup(() => Promise.reject({ type: "engine_stopped" }));
    p.input("example.com");
    await vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS);
    expect(states.at(-1)).toEqual({
      kind: "done",
      domain: "example.com",
      preview: { type: "failed", domain: "example.com", failure: "resolver", message: "example.com: engine_stopped" },
    });
  });
});
