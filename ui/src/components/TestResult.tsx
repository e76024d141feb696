// The editor's "Test now" result: status, latency against QoS, the phases, what the server said
// and the transcript of the one-off probe.

import type { ProbeReport } from "../bindings/ProbeReport";
import { eventName, fmtMs } from "../logic/format";
import { whyLines } from "../logic/replies";
import { Badge } from "./Badge";
import { Transcript } from "./Detail";
import { ServerSaid } from "./ServerSaid";

export function TestResult({ report }: { report: ProbeReport }) {
  const why = whyLines(report.failure?.message, report.reason);
  const phases = Object.entries(report.phases_ms).filter(
    (e): e is [string, number] => e[1] != null,
  );
  return (
    <section class="card test-result" data-testid="test-result" aria-labelledby="test-title">
      <h2 id="test-title">
        Test result <Badge status={report.status} />{" "}
        <span class="muted small">
          {report.event_id} {eventName(report.event_id)}
        </span>
      </h2>
      <p>
        <strong class="num">{fmtMs(report.latency_ms)}</strong> against QoS {fmtMs(report.qos_ms)}
        {report.address ? <span class="muted"> · {report.address}</span> : null}
      </p>
      {why.map((text) => (
        <p key={text} class="reason" data-testid="test-reason">
          {text}
        </p>
      ))}
      {phases.length ? (
        <dl class="phases">
          {phases.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd class="num">{fmtMs(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <h3>What the server said</h3>
      <ServerSaid report={report} />
      {report.transcript.length ? (
        <details>
          <summary>Transcript ({report.transcript.length} lines)</summary>
          <Transcript lines={report.transcript} />
        </details>
      ) : null}
    </section>
  );
}
