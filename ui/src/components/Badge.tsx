// A status badge: colour, icon and text, so no one has to tell colours apart.

import type { Status } from "../bindings/Status";
import { STATUS_LABEL } from "../logic/format";
import { StatusIcon } from "./icons";

export function Badge({ status, label }: { status: Status; label?: string }) {
  return (
    <span class={`badge badge-${status}`} data-testid="status-badge">
      <StatusIcon status={status} />
      <span>{label ?? STATUS_LABEL[status]}</span>
    </span>
  );
}
