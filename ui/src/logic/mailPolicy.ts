// The mail-policy checks of a domain monitor's last probe, as the Policy card shows them: the
// domain's own checks (its MTA-STS policy, its TLS-RPT record), then one row per MX host ×
// address with its checks (DANE, MTA-STS, one per blocklist), each check with a state, the
// colour that state means, a one-line verdict and the raw records. Pure, unit-tested. (The alert
// policy of the settings is something else: PolicyForm.)

import type { DaneCheck } from "../bindings/DaneCheck";
import type { DaneState } from "../bindings/DaneState";
import type { ListCheck } from "../bindings/ListCheck";
import type { ListState } from "../bindings/ListState";
import type { ProbeReport } from "../bindings/ProbeReport";
import type { Status } from "../bindings/Status";
import type { StsCheck } from "../bindings/StsCheck";
import type { StsPolicyState } from "../bindings/StsPolicyState";
import type { StsPolicyView } from "../bindings/StsPolicyView";
import type { StsState } from "../bindings/StsState";
import type { TlsRptState } from "../bindings/TlsRptState";
import type { TlsRptView } from "../bindings/TlsRptView";
import type { TargetReport } from "../bindings/TargetReport";
import { STATUSES } from "../bindings/statuses";
import { targetLabel } from "./targets";

/** A record as published, and as shown: long data cut, the whole record kept for a title. */
export type PolicyRecord = { text: string; full: string };

/** The kind of a check, as its `data-check` hook says it. */
export type CheckKind = "dane" | "mta_sts" | "blocklist" | "mta_sts_policy" | "tls_rpt";

/** One check of the domain or of one target. */
export type PolicyCheck = {
  kind: CheckKind;
  /** What is checked, for people: `DANE`, `MTA-STS`, `Blocklist zen.example`, `TLS-RPT`. */
  name: string;
  /** A blocklist check's zone. */
  list?: string;
  /** An MTA-STS check's policy mode, which its colour depends on. */
  mode?: string;
  /** The check's own state name (`matched`, `no_match` …), for tests and styles. */
  state: string;
  /** The state in a few words: `matched`, `no match`, `TLSA not updated` … */
  stateLabel: string;
  /**
   * The status whose colour and icon it wears: success (green), warning (amber), failed (red),
   * unknown (grey).
   */
  tone: Status;
  colour: string;
  /** One line for people; for a failing state, the reason the target shows. */
  verdict: string;
  records: PolicyRecord[];
};

/** The card: the domain's checks first, then one row per MX target. */
export type MailPolicy = { domain: PolicyCheck[]; rows: PolicyRow[] };

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
    kind: "dane",
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

/** A check of the domain or a target with no records of its own, coloured as `tone` says. */
function plain(kind: CheckKind, name: string, tone: Status, state: string, stateLabel: string, verdict: string): PolicyCheck {
  return { kind, name, state, stateLabel, tone, colour: STATUSES[tone].colour, verdict, records: [] };
}

/** A record shown whole (TXT records are bounded by the engine; they wrap). */
function whole(text: string): PolicyRecord {
  return { text, full: text };
}

const STS_LABEL: Record<StsState, string> = {
  valid: "valid",
  mx_not_covered: "mx not covered",
  no_starttls: "no STARTTLS",
  certificate_refused: "certificate refused",
  dane_precedence: "DANE first",
};

/**
 * What MTA-STS senders do with the host: deliver (green); under `enforce` refuse it (red), under
 * `testing` report and deliver (amber); under `none` nothing is applied, and a host whose DANE
 * records match is left to DANE (grey).
 */
export function stsTone(c: Pick<StsCheck, "mode" | "state">): Status {
  if (c.state === "dane_precedence" || c.mode === "none") return "unknown";
  if (c.state === "valid") return "success";
  return c.mode === "enforce" ? "failed" : "warning";
}

/** A target's MTA-STS check; a refusal not enforced says the mode in its badge. */
function stsCheck(c: StsCheck): PolicyCheck {
  const refusal = c.state !== "valid" && c.state !== "dane_precedence";
  const label = refusal && c.mode !== "enforce" ? `${STS_LABEL[c.state]} (${c.mode})` : STS_LABEL[c.state];
  return { ...plain("mta_sts", "MTA-STS", stsTone(c), c.state, label, c.verdict), mode: c.mode };
}

const LIST_LABEL: Record<ListState, string> = {
  not_listed: "not listed",
  listed: "listed",
  refused: "list refused",
  not_an_answer: "not an answer",
  lookup_failed: "lookup failed",
};

/**
 * Listed is amber (mail may still flow); not listed green; a list that refused the query, an
 * answer that is no blocklist answer and a failed lookup say nothing about the address (grey).
 */
const LIST_TONE: Record<ListState, Status> = {
  not_listed: "success",
  listed: "warning",
  refused: "unknown",
  not_an_answer: "unknown",
  lookup_failed: "unknown",
};

/** A target's check on one list: the answers as records (`A 127.0.0.2`, the TXT reason). */
function listCheck(c: ListCheck): PolicyCheck {
  const records = c.codes.map((code) => whole(`A ${code}`));
  if (c.state === "listed" && c.reason) records.push(whole(`TXT "${c.reason}"`));
  return {
    ...plain("blocklist", `Blocklist ${c.list}`, LIST_TONE[c.state], c.state, LIST_LABEL[c.state], c.verdict),
    list: c.list,
    records,
  };
}

const POLICY_LABEL: Record<StsPolicyState, string> = {
  active: "active",
  no_record: "no record",
  record_broken: "record broken",
  lookup_failed: "lookup failed",
  fetch_failed: "policy unreachable",
};

/**
 * The domain's MTA-STS policy: active in `enforce` or `testing` is green (senders apply it); the
 * rest is grey — without a policy in force, or in mode `none`, senders deliver as without
 * MTA-STS (the targets' own checks carry any colour).
 */
function stsPolicyCheck(p: StsPolicyView): PolicyCheck {
  const applied = p.state === "active" && p.mode !== undefined && p.mode !== "none";
  const label =
    p.state === "active" && p.mode
      ? `${POLICY_LABEL.active} (${p.mode}${p.host_unreachable ? ", cached" : ""})`
      : POLICY_LABEL[p.state];
  const records: PolicyRecord[] = p.record ? [whole(`TXT ${p.record}`)] : [];
  const mx = p.mx.join(", ");
  // The policy in force, compactly, unless the verdict already gives its mx patterns.
  if (p.state === "active" && !p.verdict.includes(`mx: ${mx}`)) {
    const parts = [`mode ${p.mode ?? "?"}`, `mx: ${mx || "none"}`];
    if (p.max_age !== undefined) parts.push(`max_age ${p.max_age} s`);
    records.push(whole(`policy${p.policy_id ? ` id=${p.policy_id}` : ""}: ${parts.join("; ")}`));
  }
  return { ...plain("mta_sts_policy", "MTA-STS", applied ? "success" : "unknown", p.state, label, p.verdict), records };
}

const RPT_LABEL: Record<TlsRptState, string> = { valid: "valid", broken: "broken", lookup_failed: "lookup failed" };

/** A broken record is amber (failure reports go nowhere); valid green; a failed lookup grey. */
const RPT_TONE: Record<TlsRptState, Status> = { valid: "success", broken: "warning", lookup_failed: "unknown" };

function tlsRptCheck(r: TlsRptView): PolicyCheck {
  return {
    ...plain("tls_rpt", "TLS-RPT", RPT_TONE[r.state], r.state, RPT_LABEL[r.state], r.verdict),
    records: r.record ? [whole(`TXT ${r.record}`)] : [],
  };
}

/**
 * The card's content: the domain's checks, then one row per MX target of the report in the
 * resolver's order. DANE lines once any target has a DANE check (a target without one says why);
 * then each target's MTA-STS and blocklist checks. A target with no check at all has no row.
 */
export function mailPolicy(report: ProbeReport | null | undefined): MailPolicy {
  const domain: PolicyCheck[] = [];
  if (report?.mta_sts_policy) domain.push(stsPolicyCheck(report.mta_sts_policy));
  if (report?.tls_rpt) domain.push(tlsRptCheck(report.tls_rpt));
  const targets = (report?.targets ?? []).filter((t) => t.mx !== undefined);
  const dane = targets.some((t) => t.report.dane);
  const rows = targets
    .map((t) => ({
      label: targetLabel(t),
      checks: [
        ...(dane ? [daneCheck(t)] : []),
        ...(t.report.mta_sts ? [stsCheck(t.report.mta_sts)] : []),
        ...(t.report.blocklists ?? []).map(listCheck),
      ],
    }))
    .filter((row) => row.checks.length > 0);
  return { domain, rows };
}

/** Whether the card shows: the domain or any target has a check. */
export function hasMailPolicy(p: MailPolicy): boolean {
  return p.domain.length > 0 || p.rows.length > 0;
}

/** The target rows of `mailPolicy`. */
export function mailPolicyRows(report: ProbeReport | null | undefined): PolicyRow[] {
  return mailPolicy(report).rows;
}
