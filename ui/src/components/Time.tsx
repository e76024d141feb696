// Relative times ("12 s ago", "in 40 s") that tick with the shared clock: only these components
// re-render every second.

import { useNow } from "../clock";
import { fmtAgo, fmtDateTime, fmtUntil, parseTime } from "../logic/format";

export function Ago({ at, prefix = "" }: { at: string | null | undefined; prefix?: string }) {
  const now = useNow();
  const ms = parseTime(at);
  if (ms === null) return <span class="reltime">{prefix}never</span>;
  return (
    <time class="reltime" dateTime={at ?? undefined} title={fmtDateTime(ms)}>
      {prefix}
      {fmtAgo(ms, now)}
    </time>
  );
}

export function Until({ at, prefix = "" }: { at: string | null | undefined; prefix?: string }) {
  const now = useNow();
  const ms = parseTime(at);
  if (ms === null) return <span class="reltime">{prefix}—</span>;
  return (
    <time class="reltime" dateTime={at ?? undefined} title={fmtDateTime(ms)}>
      {prefix}
      {fmtUntil(ms, now)}
    </time>
  );
}
