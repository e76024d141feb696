// One monitor of this machine in depth: its history (HistoryPanel: latency chart per window with
// its percentiles and uptime, the last failure's transcript, the event log), a mail domain's
// addresses and their policy checks (MTA-STS, TLS-RPT, DANE, blocklists), the TLS certificate,
// EHLO extensions and replies (partial ones too) of the last probe.

import { useMemo } from "preact/hooks";

import type { ProbeReport } from "../bindings/ProbeReport";
import { SETTINGS } from "../bindings/settingsRegistry";
import { localHistory } from "../history";
import * as ipc from "../ipc";
import {
  DASH,
  STATUS_LABEL,
  fmtDateTime,
  fmtDaysLeft,
  fmtMs,
  hostPort,
  tlsLabel,
} from "../logic/format";
import { whyLines } from "../logic/replies";
import { targetRows } from "../logic/targets";
import { useStore } from "../store";
import { Badge } from "./Badge";
import { goTo, takeFocusRequest } from "./focus";
import { HistoryPanel } from "./HistoryPanel";
import { Icon } from "./icons";
import { MailPolicyCard } from "./MailPolicyCard";
import { ServerSaid } from "./ServerSaid";
import { SinceChecked } from "./Time";

export { Transcript } from "./HistoryPanel";

function TlsFactsView({ report, warnDays }: { report: ProbeReport | null; warnDays: number }) {
  const tls = report?.tls;
  if (!tls) {
    return (
      <p class="muted">
        {report?.tls_mode === "none" ? "Plain SMTP: no TLS on this monitor." : "No certificate seen yet."}
      </p>
    );
  }
  const days = tls.days_left;
  const level = days < 0 ? "fail" : days < warnDays ? "warn" : "ok";
  return (
    <dl class="facts">
      <dt>Expires</dt>
      <dd>
        <span class={`days days-${level}`} data-testid="cert-days">
          {fmtDaysLeft(days)}
        </span>{" "}
        <span class="muted">({fmtDateTime(Date.parse(tls.not_after))})</span>
      </dd>
      <dt>Verified</dt>
      <dd>
        {tls.verified
          ? "yes"
          : tls.verification_skipped
            ? `skipped (insecure)${tls.verify_error ? `: ${tls.verify_error}` : ""}`
            : "no"}
      </dd>
      <dt>Subject</dt>
      <dd class="wrap">{tls.subject}</dd>
      <dt>Issuer</dt>
      <dd class="wrap">{tls.issuer}</dd>
      <dt>Names</dt>
      <dd class="wrap">{tls.subject_alt_names.join(", ") || DASH}</dd>
      <dt>Protocol</dt>
      <dd>
        {tls.version} · {tls.cipher}
      </dd>
      <dt>SHA-256</dt>
      <dd class="wrap mono small">{tls.sha256}</dd>
    </dl>
  );
}

function EhloView({ report }: { report: ProbeReport | null }) {
  const ehlo = report?.ehlo;
  if (!ehlo) return <p class="muted">No EHLO reply seen yet.</p>;
  return (
    <>
      <p>
        <span class="mono">{ehlo.code}</span> {ehlo.domain || ehlo.lines[0] || ""}
      </p>
      {ehlo.extensions.length ? (
        <ul class="extensions" data-testid="extensions">
          {ehlo.extensions.map((x) => (
            <li key={x.keyword}>
              <span class="mono">{x.keyword}</span>
              {x.params.length ? <span class="muted mono"> {x.params.join(" ")}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No extensions advertised.</p>
      )}
    </>
  );
}

/** The last probe's greeting and EHLO reply, and why it failed when the line above does not say. */
function LastProbe({ report, shown }: { report: ProbeReport | null; shown: string | null }) {
  if (!report) return <p class="muted">No probe yet.</p>;
  const why = report.status === "success" ? [] : whyLines(report.failure?.message, report.reason);
  return (
    <div data-testid="last-probe">
      {why
        .filter((text) => text !== shown)
        .map((text) => (
          <p key={text} class="reason">
            {text}
          </p>
        ))}
      <ServerSaid report={report} />
    </div>
  );
}

export function Detail({ id }: { id: string }) {
  const m = useStore((s) => s.snapshot?.monitors.find((x) => x.id === id) ?? null);
  const warnDays = useStore((s) => {
    const file = s.settings?.monitor?.find((x) => (x.id ?? x.name) === id);
    return file?.cert_warn_days ?? s.settings?.defaults?.cert_warn_days ?? SETTINGS.cert_warn_days.default;
  });
  const source = useMemo(() => localHistory(id), [id]);
  const back = goTo({ kind: "status" }, `row:${id}`);

  if (!m) {
    return (
      <section class="view detail" data-testid="detail">
        <h1 tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          Monitor not found
        </h1>
        <p>There is no monitor “{id}” any more.</p>
        <button type="button" class="btn" onClick={back}>
          Back to status
        </button>
      </section>
    );
  }

  const last = m.last;
  return (
    <section class="view detail" data-testid="detail" data-monitor-id={m.id} aria-labelledby="detail-title">
      <div class="detail-head">
        <button type="button" class="btn btn-small btn-plain" onClick={back}>
          <Icon name="back" />
          <span>Status</span>
        </button>
        <h1 id="detail-title" tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          {m.name}
        </h1>
        <Badge status={m.shown} />
        <div class="detail-actions">
          <button type="button" class="btn btn-small" onClick={() => void ipc.checkNow(m.id)} disabled={!m.enabled}>
            Check now
          </button>
          <button
            type="button"
            class="btn btn-small"
            onClick={goTo({ kind: "edit", id: m.id }, "field:host")}
          >
            Edit
          </button>
        </div>
      </div>
      <p class="detail-where">
        {hostPort(m.host, m.port)} · {tlsLabel(m.tls)} · QoS {fmtMs(m.qos_ms)}
        <SinceChecked status={m.status} since={m.since} checkedAt={last?.checked_at} />
      </p>
      <p class="detail-reason">{m.pending ?? m.reason ?? "\u00a0"}</p>

      <HistoryPanel source={source} qosMs={m.qos_ms}>
        {targetRows(last).length > 1 ? (
          <section class="card" aria-labelledby="targets-title">
            <h2 id="targets-title">Addresses</h2>
            <ul class="targets" data-testid="targets">
              {targetRows(last).map((t) => (
                <li key={t.label} class={`target target-${t.colour}`} data-status={t.status}>
                  <span class="target-glyph" aria-label={STATUS_LABEL[t.status]}>
                    {t.glyph}
                  </span>{" "}
                  <span class="target-address">{t.label}</span> <span class="muted">{t.detail}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        <MailPolicyCard report={last} domain={m.host} />

        <div class="cards">
          <section class="card" aria-labelledby="tls-title">
            <h2 id="tls-title">TLS certificate</h2>
            <TlsFactsView report={last} warnDays={warnDays} />
          </section>
          <section class="card" aria-labelledby="ehlo-title">
            <h2 id="ehlo-title">EHLO extensions</h2>
            <EhloView report={last} />
          </section>
        </div>

        <section class="card" aria-labelledby="said-title">
          <h2 id="said-title">What the server said</h2>
          <LastProbe report={last} shown={m.pending ?? m.reason} />
        </section>
      </HistoryPanel>
    </section>
  );
}
