// A status badge: colour (the engine's colour class of the status), icon and text, so no one has
// to tell colours apart.

import type { Status } from "../bindings/Status";
import { STATUSES } from "../bindings/statuses";
import { STATUS_LABEL } from "../logic/format";
import { StatusIcon } from "./icons";

export function Badge({ status, label }: { status: Status; label?: string }) {
  return (
    <span class={`badge badge-${STATUSES[status].colour}`} data-testid="status-badge" data-status={status}>
      <StatusIcon status={status} />
      <span>{label ?? STATUS_LABEL[status]}</span>
    </span>
  );
}
