// The mail-policy checks of a domain monitor's last probe, as the Policy card shows them: one row
// per MX host × address, each with its checks (today DANE), and each check with a state, the
// colour that state means, a one-line verdict and the raw records. Pure, unit-tested. (The alert
// policy of the settings is something else: PolicyForm.)

import type { DaneCheck } from "../bindings/DaneCheck";
import type { DaneState } from "../bindings/DaneState";
import type { ProbeReport } from "../bindings/ProbeReport";
import type { Status } from "../bindings/Status";
import type { TargetReport } from "../bindings/TargetReport";
import { STATUSES } from "../bindings/statuses";
import { targetLabel } from "./targets";

/** A record as published, and as shown: long data cut, the whole record kept for a title. */
export type PolicyRecord = { text: string; full: string };

/** One check of one target (DANE; MTA-STS, TLS-RPT and blocklists are further checks). */
export type PolicyCheck = {
  /** What is checked: `DANE`. */
  name: string;
  /** The check's own state name (`matched`, `no_match` …), for tests and styles. */
  state: string;
  /** The state in a few words: `matched`, `no match`, `TLSA not updated` … */
  stateLabel: string;
  /** The status whose colour and icon it wears: success (green), failed (red), unknown (grey). */
  tone: Status;
  colour: string;
  /** One line for people; for a failing state, the reason the target shows. */
  verdict: string;
  records: PolicyRecord[];
};

export type PolicyRow = {
  /** `mx1.example.com — 192.0.2.10`, as the Addresses card says it. */
  label: string;
  checks: PolicyCheck[];
};

/** Record data up to this many characters is shown whole: a SHA-256 digest (matching type 1). */
const SHOWN_DATA = 64;

/** The engine's words for each state (DaneState::describe). */
const DANE_LABEL: Record<DaneState, string> = {
  not_checked: "not checked",
  no_records: "no TLSA records",
  not_usable: "not usable",
  matched: "matched",
  no_match: "no match",
  tlsa_not_updated: "TLSA not updated",
  no_starttls: "no STARTTLS",
  lookup_failed: "lookup failed",
};

/**
 * What DANE senders do with the host in that state: deliver (green), refuse or defer (red), or
 * nothing claimed either way (grey).
 */
const DANE_TONE: Record<DaneState, Status> = {
  not_checked: "unknown",
  no_records: "unknown",
  not_usable: "unknown",
  matched: "success",
  no_match: "failed",
  tlsa_not_updated: "failed",
  no_starttls: "failed",
  lookup_failed: "failed",
};

/** `TLSA 3 1 1 0a1b…`: the fields whole, data past SHOWN_DATA characters cut. */
function record(raw: string): PolicyRecord {
  const full = `TLSA ${raw}`;
  const fields = /^(\S+ \S+ \S+ )(\S+)$/.exec(raw);
  const data = fields?.[2] ?? "";
  if (!fields || data.length <= SHOWN_DATA) return { text: full, full };
  return { text: `TLSA ${fields[1]}${data.slice(0, SHOWN_DATA)}…`, full };
}

function check(tone: Status, state: DaneState, c: DaneCheck): PolicyCheck {
  return {
    name: "DANE",
    state,
    stateLabel: DANE_LABEL[state],
    tone,
    colour: STATUSES[tone].colour,
    verdict: c.verdict,
    records: c.records.map(record),
  };
}

/** A target's DANE check; one the engine did not make is "not checked", saying why. */
function daneCheck(t: TargetReport): PolicyCheck {
  const found = t.report.dane;
  if (found) return check(DANE_TONE[found.state], found.state, found);
  const why = t.status === "no_route" ? "no route from here" : "the session ended before TLS";
  return check("unknown", "not_checked", { state: "not_checked", verdict: `DANE not checked: ${why}`, records: [] });
}

/**
 * One row per MX target of the report, in the resolver's order; none when no target carries a
 * policy check (a host monitor, or a domain whose every session ended before TLS).
 */
export function mailPolicyRows(report: ProbeReport | null | undefined): PolicyRow[] {
  const targets = (report?.targets ?? []).filter((t) => t.mx !== undefined);
  if (!targets.some((t) => t.report.dane)) return [];
  return targets.map((t) => ({ label: targetLabel(t), checks: [daneCheck(t)] }));
}
