// What the server said in one probe: the greeting and the EHLO reply as they came over the wire,
// a partial one marked "(incomplete)", and how much the engine read but did not keep.

import type { ProbeReport } from "../bindings/ProbeReport";
import { serverSaid } from "../logic/replies";

export function ServerSaid({ report }: { report: Pick<ProbeReport, "greeting" | "ehlo"> }) {
  const replies = serverSaid(report);
  if (replies.length === 0) return <p class="muted">Nothing: no reply was read.</p>;
  return (
    <div class="server-said" data-testid="server-said">
      {replies.map((r) => (
        <div key={r.label} class="reply" data-complete={String(!r.incomplete)}>
          <div class="reply-head">
            {r.label}
            {r.incomplete ? <span class="incomplete"> (incomplete)</span> : null}
          </div>
          <div class="reply-lines">{r.lines.join("\n")}</div>
          {r.notKept ? <div class="not-kept">{r.notKept}</div> : null}
        </div>
      ))}
    </div>
  );
}
