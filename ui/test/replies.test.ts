import { describe, expect, it } from "vitest";

import { notKept, serverSaid, whyLines, wireLines } from "../src/logic/replies";
import { PREGREET_LINE, pregreetReport, report } from "./fixtures";

describe("a report with a partial greeting and the pregreet explanation", () => {
  const r = pregreetReport();

  it("shows the greeting's line, marked incomplete", () => {
    expect(serverSaid(r)).toEqual([
      { label: "Greeting", incomplete: true, lines: [`220-${PREGREET_LINE}`], notKept: null },
    ]);
  });

  it("shows the reason with the pregreet explanation, once", () => {
    const why = whyLines(r.failure?.message, r.reason);
    expect(why).toHaveLength(1);
    expect(why[0]).toContain(`greeting started (220-${PREGREET_LINE})`);
    expect(why[0]).toContain("looks like a pregreet test (e.g. Postfix postscreen)");
  });
});

describe("wireLines", () => {
  it("gives a complete reply a space only on its final line", () => {
    expect(wireLines({ code: 250, lines: ["mx.example", "PIPELINING", "SMTPUTF8"], complete: true })).toEqual([
      "250-mx.example",
      "250-PIPELINING",
      "250 SMTPUTF8",
    ]);
    expect(wireLines({ code: 250, lines: [""], complete: true })).toEqual(["250"]);
  });

  it("gives a partial reply no final line", () => {
    expect(wireLines({ code: 220, lines: ["a", "b"], complete: false })).toEqual(["220-a", "220-b"]);
  });

  it("gives no final line when the final line is among those left out", () => {
    expect(wireLines({ code: 250, lines: ["a", "b"], omitted_lines: 3, omitted_bytes: 12, complete: true })).toEqual([
      "250-a",
      "250-b",
    ]);
  });
});

describe("notKept", () => {
  it.each([
    [undefined, undefined, null],
    [0, 0, null],
    [1, 4000, "1 more line (4,000 bytes) not kept"],
    [9_900, 39_600_000, "9,900 more lines (39,600,000 bytes) not kept"],
    [0, 1, "1 byte not kept"],
  ])("%s lines, %s bytes → %s", (lines, bytes, want) => {
    expect(notKept({ code: 250, lines: [], omitted_lines: lines, omitted_bytes: bytes, complete: true })).toBe(want);
  });
});

describe("serverSaid", () => {
  it("lists the replies that were read, greeting first, with what was not kept", () => {
    const r = report({
      greeting: { code: 220, lines: ["mx.example ESMTP"], complete: true },
      ehlo: {
        code: 250,
        lines: ["mx.example", "X-FLOOD x"],
        omitted_lines: 9_999,
        omitted_bytes: 39_996_000,
        complete: true,
        domain: "mx.example",
        extensions: [{ keyword: "X-FLOOD", params: ["x"] }],
      },
    });
    expect(serverSaid(r)).toEqual([
      { label: "Greeting", incomplete: false, lines: ["220 mx.example ESMTP"], notKept: null },
      {
        label: "EHLO reply",
        incomplete: false,
        lines: ["250-mx.example", "250-X-FLOOD x"],
        notKept: "9,999 more lines (39,996,000 bytes) not kept",
      },
    ]);
    expect(serverSaid(report())).toEqual([]);
  });
});

describe("whyLines", () => {
  it.each([
    [null, null, []],
    ["refused", null, ["refused"]],
    [null, "slow EHLO", ["slow EHLO"]],
    ["greeting was 554", "greeting was 554", ["greeting was 554"]],
    ["timeout", "timeout; looks like a pregreet test", ["timeout; looks like a pregreet test"]],
    ["EHLO answered 550 blocked", "refuses this client", ["EHLO answered 550 blocked", "refuses this client"]],
  ])("message %s, reason %s → %j", (message, reason, want) => {
    expect(whyLines(message, reason)).toEqual(want);
  });
});
