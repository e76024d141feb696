// The last probe's latency split by phase (connect · TLS · greeting · STARTTLS · EHLO) on a
// scale whose full width is 2×QoS, with a tick at QoS. Widths are set through the CSSOM
// (`style` objects), which the window's CSP allows.

import type { ProbeReport } from "../bindings/ProbeReport";
import { fmtMs } from "../logic/format";
import { phaseBar } from "../logic/monitors";

export function PhaseBar({ report, qosMs }: { report: ProbeReport | null; qosMs: number }) {
  if (!report) {
    return <span class="phasebar phasebar-empty" aria-hidden="true" />;
  }
  const bar = phaseBar(report, qosMs);
  const text = bar.segments.map((s) => `${s.label} ${fmtMs(s.ms)}`).join(" · ");
  const over =
    report.latency_ms == null
      ? "fail"
      : report.latency_ms > 2 * qosMs
        ? "fail"
        : report.latency_ms > qosMs
          ? "warn"
          : "ok";
  return (
    <span
      class={`phasebar phasebar-${over}`}
      role="img"
      aria-label={`Phases: ${text || "none measured"}; QoS ${fmtMs(qosMs)}`}
      title={`${text || "no phase measured"}\nQoS ${fmtMs(qosMs)} · 2×QoS ${fmtMs(2 * qosMs)}`}
    >
      {bar.segments.map((s) => (
        <span key={s.phase} class={`seg seg-${s.phase}`} style={{ width: `${s.pct}%` }} />
      ))}
      <span class="qos-tick" style={{ left: `${bar.qosPct}%` }} />
    </span>
  );
}
