// The Policy card of a mail-domain monitor: the domain's own checks (MTA-STS policy, TLS-RPT),
// then for each MX host × address of the last probe its mail-policy checks (DANE, MTA-STS, one
// per blocklist), each with a state badge, a one-line verdict and the records as published. Not
// the alert policy of the settings (PolicyForm).

import type { ProbeReport } from "../bindings/ProbeReport";
import { hasMailPolicy, mailPolicy, type PolicyCheck } from "../logic/mailPolicy";
import { StatusIcon } from "./icons";

function Check({ check }: { check: PolicyCheck }) {
  return (
    <li class="policy-check" data-check={check.kind} data-state={check.state} data-list={check.list} data-mode={check.mode}>
      <span class="policy-name">{check.name}</span>
      <span class={`badge badge-${check.colour}`}>
        <StatusIcon status={check.tone} />
        <span>{check.stateLabel}</span>
      </span>
      <span class="policy-verdict">{check.verdict}</span>
      {check.records.length ? (
        <ul class="policy-records mono small" aria-label={`${check.name} records`}>
          {check.records.map((r, i) => (
            <li key={i} title={r.text === r.full ? undefined : r.full}>
              {r.text}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function Checks({ checks, labelledBy }: { checks: PolicyCheck[]; labelledBy: string }) {
  return (
    <ul class="policy-checks" aria-labelledby={labelledBy}>
      {checks.map((c) => (
        <Check key={`${c.kind} ${c.list ?? ""}`} check={c} />
      ))}
    </ul>
  );
}

/**
 * The card, or nothing when the report carries no policy check (a host monitor). `domain` names
 * the domain's own section.
 */
export function MailPolicyCard({ report, domain }: { report: ProbeReport | null; domain?: string }) {
  const policy = mailPolicy(report);
  if (!hasMailPolicy(policy)) return null;
  const name = domain ?? "This domain";
  return (
    <section class="card" aria-labelledby="mail-policy-title">
      <h2 id="mail-policy-title">Policy</h2>
      <ul class="policy-targets" data-testid="mail-policy">
        {policy.domain.length ? (
          <li class="policy-target policy-domain" data-domain={name}>
            <h3 id="mail-policy-domain" class="policy-label">
              {name}
            </h3>
            <Checks checks={policy.domain} labelledBy="mail-policy-domain" />
          </li>
        ) : null}
        {policy.rows.map((row, i) => (
          <li key={row.label} class="policy-target" data-target={row.label}>
            <h3 id={`mail-policy-${i}`} class="policy-label">
              {row.label}
            </h3>
            <Checks checks={row.checks} labelledBy={`mail-policy-${i}`} />
          </li>
        ))}
      </ul>
    </section>
  );
}
