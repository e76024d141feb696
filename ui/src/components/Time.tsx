// Relative times ("12 s ago", "in 40 s") that tick with the shared clock: only these components
// re-render every second.

import type { Status } from "../bindings/Status";
import { useNow } from "../clock";
import { STATUS_LABEL, fmtAgo, fmtDateTime, fmtUntil, parseTime } from "../logic/format";

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

// The tail of a detail's where-line: " · <status> since <date>" when the status has a start,
// then " · checked <ago>".
export function SinceChecked({
  status,
  since,
  checkedAt,
}: {
  status: Status;
  since: string | null | undefined;
  checkedAt: string | null | undefined;
}) {
  const start = parseTime(since);
  return (
    <>
      {start !== null ? (
        <>
          {" · "}
          {STATUS_LABEL[status]} since {fmtDateTime(start)}
        </>
      ) : null}
      {" · "}
      <Ago at={checkedAt} prefix="checked " />
    </>
  );
}
