import { describe, expect, it } from "vitest";

import type { DaneCheck } from "../src/bindings/DaneCheck";
import type { DaneState } from "../src/bindings/DaneState";
import type { Status } from "../src/bindings/Status";
import type { TargetReport } from "../src/bindings/TargetReport";
import { mailPolicyRows } from "../src/logic/mailPolicy";
import { report } from "./fixtures";

const SHA256 = "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b";

function target(mx: string | undefined, address: string, dane?: DaneCheck, status: Status = "success"): TargetReport {
  return { ...(mx ? { mx } : {}), address, status, report: report({ address, ...(dane ? { dane } : {}) }) };
}

function dane(state: DaneState, verdict: string, records: string[] = []): DaneCheck {
  return { state, verdict, records };
}

describe("mail policy", () => {
  it("gives one row per MX host × address with its DANE check, coloured by what it means", () => {
    const matched = `DANE: 3 1 1 0a1b2c3d4e5f6a7b… matches the served certificate (DANE-EE: names and expiry not checked)`;
    const refused = "DANE senders will refuse this host: no TLSA record matches the served certificate";
    const r = report({
      targets: [
        target("mx1.example.com", "192.0.2.10", dane("matched", matched, [`3 1 1 ${SHA256}`])),
        target("mx2.example.com", "192.0.2.20", dane("no_match", refused, [`3 1 1 ${SHA256}`]), "failed"),
      ],
    });
    expect(mailPolicyRows(r)).toEqual([
      {
        label: "mx1.example.com — 192.0.2.10",
        checks: [
          {
            name: "DANE",
            state: "matched",
            stateLabel: "matched",
            tone: "success",
            colour: "green",
            verdict: matched,
            records: [{ text: `TLSA 3 1 1 ${SHA256}`, full: `TLSA 3 1 1 ${SHA256}` }],
          },
        ],
      },
      {
        label: "mx2.example.com — 192.0.2.20",
        checks: [
          {
            name: "DANE",
            state: "no_match",
            stateLabel: "no match",
            tone: "failed",
            colour: "red",
            verdict: refused,
            records: [{ text: `TLSA 3 1 1 ${SHA256}`, full: `TLSA 3 1 1 ${SHA256}` }],
          },
        ],
      },
    ]);
  });

  it("shows the four states DANE senders refuse red and the rest grey", () => {
    const tones = (["not_checked", "no_records", "not_usable", "matched", "no_match", "tlsa_not_updated", "no_starttls", "lookup_failed"] as const).map(
      (state) => {
        const [row] = mailPolicyRows(report({ targets: [target("mx.example.com", "192.0.2.1", dane(state, "v"))] }));
        const check = row!.checks[0]!;
        return [state, check.tone, check.colour, check.stateLabel];
      },
    );
    expect(tones).toEqual([
      ["not_checked", "unknown", "grey", "not checked"],
      ["no_records", "unknown", "grey", "no TLSA records"],
      ["not_usable", "unknown", "grey", "not usable"],
      ["matched", "success", "green", "matched"],
      ["no_match", "failed", "red", "no match"],
      ["tlsa_not_updated", "failed", "red", "TLSA not updated"],
      ["no_starttls", "failed", "red", "no STARTTLS"],
      ["lookup_failed", "failed", "red", "lookup failed"],
    ]);
  });

  it("cuts long record data, keeping the whole record for its title", () => {
    const sha512 = "ab".repeat(64);
    const cert = "30820a".repeat(300);
    const [row] = mailPolicyRows(
      report({ targets: [target("mx.example.com", "192.0.2.1", dane("matched", "v", [`3 1 2 ${sha512}`, `2 0 0 ${cert}`, "3 1 1 00"]))] }),
    );
    expect(row!.checks[0]!.records).toEqual([
      { text: `TLSA 3 1 2 ${sha512.slice(0, 64)}…`, full: `TLSA 3 1 2 ${sha512}` },
      { text: `TLSA 2 0 0 ${cert.slice(0, 64)}…`, full: `TLSA 2 0 0 ${cert}` },
      { text: "TLSA 3 1 1 00", full: "TLSA 3 1 1 00" },
    ]);
  });

  it("says why a target without a check has none, once another target has one", () => {
    const r = report({
      targets: [
        target("mx1.example.com", "192.0.2.10", dane("no_records", "no TLSA record at _25._tcp.mx1.example.com: DANE does not apply")),
        target("mx1.example.com", "2001:db8::10", undefined, "no_route"),
        target("mx2.example.com", "192.0.2.20", undefined, "failed"),
      ],
    });
    expect(mailPolicyRows(r).map((row) => [row.label, row.checks.map((c) => [c.state, c.colour, c.verdict, c.records])])).toEqual([
      ["mx1.example.com — 192.0.2.10", [["no_records", "grey", "no TLSA record at _25._tcp.mx1.example.com: DANE does not apply", []]]],
      ["mx1.example.com — 2001:db8::10", [["not_checked", "grey", "DANE not checked: no route from here", []]]],
      ["mx2.example.com — 192.0.2.20", [["not_checked", "grey", "DANE not checked: the session ended before TLS", []]]],
    ]);
  });

  it("has no rows when no target was checked (a host monitor, no probe yet)", () => {
    expect(mailPolicyRows(null)).toEqual([]);
    expect(mailPolicyRows(report())).toEqual([]);
    expect(mailPolicyRows(report({ targets: [target(undefined, "192.0.2.1"), target(undefined, "192.0.2.2")] }))).toEqual([]);
    expect(mailPolicyRows(report({ targets: [target("mx.example.com", "192.0.2.1", undefined, "failed")] }))).toEqual([]);
  });
});
