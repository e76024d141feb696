// The monitors of one remote agent in the status view, under a heading with the source's name,
// its health badge (its worst status while connected, grey with why when not) and its rows.

import { useMemo } from "preact/hooks";

import type { SourceView } from "../bindings/SourceView";
import { controlLabel, filterRemote, healthNote, shownRemote, sortRemote, sourceBadge } from "../logic/sources";
import { Badge } from "./Badge";
import { RemoteRow } from "./RemoteRow";

export function SourceGroup({ source, filter }: { source: SourceView; filter: string }) {
  const badge = sourceBadge(source);
  const note = healthNote(source, Date.now());
  const rows = useMemo(() => sortRemote(filterRemote(source, filter), Date.now()), [source, filter]);
  if (filter && rows.length === 0) return null;
  const headingId = `source-${source.name}`;
  return (
    <section
      class="source-group"
      data-testid="source-group"
      data-source={source.name}
      data-health={source.health}
      aria-labelledby={headingId}
    >
      <div class="source-head">
        <h2 id={headingId}>{source.name}</h2>
        <Badge status={badge.status} label={badge.label} />
        <span class="muted small" title={source.url}>
          {controlLabel(source.can_control)}
        </span>
      </div>
      {note ? (
        <p class="source-note" data-testid="source-note">
          {note}
        </p>
      ) : null}
      {source.monitors.length === 0 && !note ? <p class="muted">This agent watches no monitors.</p> : null}
      <ul class="rows" aria-label={`Monitors of ${source.name}, worst first`}>
        {rows.map((m) => (
          <RemoteRow
            key={m.key}
            m={m}
            source={source.name}
            shown={shownRemote(m, source)}
            healthNote={note}
            canControl={source.can_control}
          />
        ))}
      </ul>
    </section>
  );
}
