// The Policy card of a mail-domain monitor: for each MX host × address of the last probe, its
// mail-policy checks (DANE), each with a state badge, a one-line verdict and the records as
// published. Not the alert policy of the settings (PolicyForm).

import type { ProbeReport } from "../bindings/ProbeReport";
import { mailPolicyRows, type PolicyCheck } from "../logic/mailPolicy";
import { StatusIcon } from "./icons";

function Check({ check }: { check: PolicyCheck }) {
  return (
    <li class="policy-check" data-check={check.name.toLowerCase()} data-state={check.state}>
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

/** The card, or nothing when no target of the report was checked (a host monitor). */
export function MailPolicyCard({ report }: { report: ProbeReport | null }) {
  const rows = mailPolicyRows(report);
  if (rows.length === 0) return null;
  return (
    <section class="card" aria-labelledby="mail-policy-title">
      <h2 id="mail-policy-title">Policy</h2>
      <ul class="policy-targets" data-testid="mail-policy">
        {rows.map((row, i) => (
          <li key={row.label} class="policy-target" data-target={row.label}>
            <h3 id={`mail-policy-${i}`} class="policy-label">
              {row.label}
            </h3>
            <ul class="policy-checks" aria-labelledby={`mail-policy-${i}`}>
              {row.checks.map((c) => (
                <Check key={c.name} check={c} />
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}
