import { describe, expect, it } from "vitest";

import type { DaneCheck } from "../src/bindings/DaneCheck";
import type { DaneState } from "../src/bindings/DaneState";
import type { ListCheck } from "../src/bindings/ListCheck";
import type { ListState } from "../src/bindings/ListState";
import type { ProbeReport } from "../src/bindings/ProbeReport";
import type { Status } from "../src/bindings/Status";
import type { StsMode } from "../src/bindings/StsMode";
import type { StsPolicyView } from "../src/bindings/StsPolicyView";
import type { StsState } from "../src/bindings/StsState";
import type { TargetReport } from "../src/bindings/TargetReport";
import { hasMailPolicy, mailPolicy, mailPolicyRows } from "../src/logic/mailPolicy";
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
            kind: "dane",
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
            kind: "dane",
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

  it("colours a target's MTA-STS check by its state and the policy's mode", () => {
    const states: StsState[] = ["valid", "mx_not_covered", "no_starttls", "certificate_refused", "dane_precedence"];
    const shown = (mode: StsMode) =>
      states.map((state) => {
        const t = target("mx.example.com", "192.0.2.1");
        t.report.mta_sts = { mode, state, verdict: `verdict ${state}` };
        const [row] = mailPolicyRows(report({ targets: [t] }));
        const c = row!.checks[0]!;
        return [c.kind, c.state, c.mode, c.tone, c.colour, c.stateLabel, c.verdict];
      });
    expect(shown("enforce")).toEqual([
      ["mta_sts", "valid", "enforce", "success", "green", "valid", "verdict valid"],
      ["mta_sts", "mx_not_covered", "enforce", "failed", "red", "mx not covered", "verdict mx_not_covered"],
      ["mta_sts", "no_starttls", "enforce", "failed", "red", "no STARTTLS", "verdict no_starttls"],
      ["mta_sts", "certificate_refused", "enforce", "failed", "red", "certificate refused", "verdict certificate_refused"],
      ["mta_sts", "dane_precedence", "enforce", "unknown", "grey", "DANE first", "verdict dane_precedence"],
    ]);
    expect(shown("testing").map(([, state, , tone, colour, label]) => [state, tone, colour, label])).toEqual([
      ["valid", "success", "green", "valid"],
      ["mx_not_covered", "warning", "amber", "mx not covered (testing)"],
      ["no_starttls", "warning", "amber", "no STARTTLS (testing)"],
      ["certificate_refused", "warning", "amber", "certificate refused (testing)"],
      ["dane_precedence", "unknown", "grey", "DANE first"],
    ]);
    expect(shown("none").map(([, state, , tone, colour, label]) => [state, tone, colour, label])).toEqual([
      ["valid", "unknown", "grey", "valid"],
      ["mx_not_covered", "unknown", "grey", "mx not covered (none)"],
      ["no_starttls", "unknown", "grey", "no STARTTLS (none)"],
      ["certificate_refused", "unknown", "grey", "certificate refused (none)"],
      ["dane_precedence", "unknown", "grey", "DANE first"],
    ]);
  });

  it("shows a listing amber with its answers and reason, and a refusal, a non-answer or a failed lookup never as listed", () => {
    const check = (state: ListState, codes: string[], reason?: string): ListCheck => ({
      list: "zen.example",
      state,
      verdict: `verdict ${state}`,
      codes,
      ...(reason ? { reason } : {}),
      checked_at: "2025-01-01T00:00:00Z",
    });
    const t = target("mx.example.com", "192.0.2.1");
    t.report.blocklists = [
      check("not_listed", []),
      check("listed", ["127.0.0.2", "127.0.0.4"], "https://zen.example/query/192.0.2.1"),
      check("refused", ["127.255.255.254"]),
      check("not_an_answer", ["198.51.100.7"]),
      check("lookup_failed", []),
    ];
    const [row] = mailPolicyRows(report({ targets: [t] }));
    expect(row!.checks.map((c) => [c.kind, c.list, c.name, c.state, c.tone, c.colour, c.stateLabel, c.records.map((r) => r.text)])).toEqual([
      ["blocklist", "zen.example", "Blocklist zen.example", "not_listed", "success", "green", "not listed", []],
      [
        "blocklist",
        "zen.example",
        "Blocklist zen.example",
        "listed",
        "warning",
        "amber",
        "listed",
        ["A 127.0.0.2", "A 127.0.0.4", 'TXT "https://zen.example/query/192.0.2.1"'],
      ],
      ["blocklist", "zen.example", "Blocklist zen.example", "refused", "unknown", "grey", "list refused", ["A 127.255.255.254"]],
      ["blocklist", "zen.example", "Blocklist zen.example", "not_an_answer", "unknown", "grey", "not an answer", ["A 198.51.100.7"]],
      ["blocklist", "zen.example", "Blocklist zen.example", "lookup_failed", "unknown", "grey", "lookup failed", []],
    ]);
    const refused = row!.checks[2]!;
    expect(refused.stateLabel).not.toMatch(/^listed|blacklist|blocklisted/i);
    expect(refused.tone).not.toBe("warning");
  });

  it("shows the domain's MTA-STS policy and TLS-RPT record first, with their records", () => {
    const policy = (over: Partial<StsPolicyView>): StsPolicyView => ({
      state: "active",
      verdict: "v",
      record: "v=STSv1; id=20250101;",
      id: "20250101",
      mode: "enforce",
      mx: ["mx1.example.com", "*.example.com"],
      max_age: 86400,
      fetched_at: "2025-01-01T00:00:00Z",
      policy_id: "20250101",
      host_unreachable: false,
      ...over,
    });
    const domain = (over: Partial<ProbeReport>) => mailPolicy(report(over)).domain;
    const fresh = "MTA-STS policy id=20250101 mode enforce (mx: mx1.example.com, *.example.com; max_age 86400 s), fetched at 2025-01-01T00:00:00Z";
    expect(domain({ mta_sts_policy: policy({ verdict: fresh }) })).toEqual([
      {
        kind: "mta_sts_policy",
        name: "MTA-STS",
        state: "active",
        stateLabel: "active (enforce)",
        tone: "success",
        colour: "green",
        verdict: fresh,
        records: [{ text: "TXT v=STSv1; id=20250101;", full: "TXT v=STSv1; id=20250101;" }],
      },
    ]);
    // A cached policy's verdict does not give the patterns: the policy line does.
    const [cached] = domain({
      mta_sts_policy: policy({ verdict: "policy host unreachable: using the policy fetched at …", host_unreachable: true, mode: "testing" }),
    });
    expect([cached!.stateLabel, cached!.colour, cached!.records.map((r) => r.text)]).toEqual([
      "active (testing, cached)",
      "green",
      ["TXT v=STSv1; id=20250101;", "policy id=20250101: mode testing; mx: mx1.example.com, *.example.com; max_age 86400 s"],
    ]);
    const none = domain({ mta_sts_policy: policy({ mode: "none", verdict: "mx: mx1.example.com, *.example.com" }) });
    expect([none[0]!.stateLabel, none[0]!.colour]).toEqual(["active (none)", "grey"]);
    const without = (["no_record", "record_broken", "lookup_failed", "fetch_failed"] as const).map((state) => {
      const [c] = domain({ mta_sts_policy: { state, verdict: "v", mx: [], host_unreachable: false, ...(state === "record_broken" ? { record: "v=STSv1; id=no good" } : {}) } });
      return [c!.state, c!.colour, c!.stateLabel, c!.records.map((r) => r.text)];
    });
    expect(without).toEqual([
      ["no_record", "grey", "no record", []],
      ["record_broken", "grey", "record broken", ["TXT v=STSv1; id=no good"]],
      ["lookup_failed", "grey", "lookup failed", []],
      ["fetch_failed", "grey", "policy unreachable", []],
    ]);
    const rpt = (["valid", "broken", "lookup_failed"] as const).map((state) => {
      const checks = domain({
        mta_sts_policy: policy({}),
        tls_rpt: { state, verdict: `verdict ${state}`, record: state === "lookup_failed" ? "" : "v=TSLRPTv1; rua=mailto:tls@example.com" },
      });
      const c = checks[1]!;
      return [checks[0]!.kind, c.kind, c.name, c.state, c.tone, c.colour, c.stateLabel, c.records.map((r) => r.text)];
    });
    expect(rpt).toEqual([
      ["mta_sts_policy", "tls_rpt", "TLS-RPT", "valid", "success", "green", "valid", ["TXT v=TSLRPTv1; rua=mailto:tls@example.com"]],
      ["mta_sts_policy", "tls_rpt", "TLS-RPT", "broken", "warning", "amber", "broken", ["TXT v=TSLRPTv1; rua=mailto:tls@example.com"]],
      ["mta_sts_policy", "tls_rpt", "TLS-RPT", "lookup_failed", "unknown", "grey", "lookup failed", []],
    ]);
  });

  it("orders a target's checks DANE, MTA-STS, blocklists, and gives targets without DANE a row for their other checks", () => {
    const sts = { mode: "enforce", state: "valid", verdict: "v" } as const;
    const listed: ListCheck = { list: "bl.example", state: "listed", verdict: "listed (127.0.0.2)", codes: ["127.0.0.2"], checked_at: "2025-01-01T00:00:00Z" };
    const a = target("mx1.example.com", "192.0.2.10", dane("matched", "v"));
    a.report.mta_sts = sts;
    a.report.blocklists = [listed];
    const b = target("mx2.example.com", "192.0.2.20", undefined, "failed");
    b.report.blocklists = [listed];
    const c = target("mx3.example.com", "192.0.2.30", undefined, "no_route");
    const kinds = (r: ProbeReport) => mailPolicyRows(r).map((row) => [row.label, row.checks.map((k) => `${k.kind}:${k.state}`)]);
    expect(kinds(report({ targets: [a, b, c] }))).toEqual([
      ["mx1.example.com — 192.0.2.10", ["dane:matched", "mta_sts:valid", "blocklist:listed"]],
      ["mx2.example.com — 192.0.2.20", ["dane:not_checked", "blocklist:listed"]],
      ["mx3.example.com — 192.0.2.30", ["dane:not_checked"]],
    ]);
    // DANE off: no DANE lines; a target with no check at all has no row.
    delete a.report.dane;
    expect(kinds(report({ targets: [a, b, c] }))).toEqual([
      ["mx1.example.com — 192.0.2.10", ["mta_sts:valid", "blocklist:listed"]],
      ["mx2.example.com — 192.0.2.20", ["blocklist:listed"]],
    ]);
  });

  it("shows the card when the domain or any target has a check, DANE or not", () => {
    const shows = (over: Partial<ProbeReport>) => hasMailPolicy(mailPolicy(report(over)));
    expect(shows({})).toBe(false);
    expect(mailPolicy(null)).toEqual({ domain: [], rows: [] });
    expect(shows({ targets: [target("mx.example.com", "192.0.2.1", undefined, "failed")] })).toBe(false);
    expect(shows({ tls_rpt: { state: "broken", verdict: "v", record: "v=TSLRPTv1" } })).toBe(true);
    expect(shows({ mta_sts_policy: { state: "no_record", verdict: "v", mx: [], host_unreachable: false } })).toBe(true);
    const sts = target("mx.example.com", "192.0.2.1");
    sts.report.mta_sts = { mode: "testing", state: "mx_not_covered", verdict: "v" };
    expect(shows({ targets: [sts] })).toBe(true);
    const bl = target("mx.example.com", "192.0.2.1");
    bl.report.blocklists = [{ list: "bl.example", state: "refused", verdict: "v", codes: ["127.255.255.254"], checked_at: "2025-01-01T00:00:00Z" }];
    expect(shows({ targets: [bl] })).toBe(true);
    expect(shows({ targets: [target("mx.example.com", "192.0.2.1", dane("matched", "v"))] })).toBe(true);
  });
});
