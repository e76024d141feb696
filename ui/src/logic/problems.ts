// Validation problems placed at the fields they name: the shell's, and the ones `limits.ts` finds
// in what is typed (same paths, same messages). A problem's path reads like
// the file (`monitor[2].port`, `monitor[2].alerts.failed_after`, `monitor[2].require_ext[1]`,
// `defaults.qos_ms`); a form field's key is the same path without the monitor prefix or the
// array index (`port`, `alerts.failed_after`, `require_ext`, `defaults.qos_ms`).

import type { Problem } from "../bindings/Problem";

/** Messages per field key, and the problems no field of the form shows. */
export type Placed = { fields: Record<string, string[]>; general: Problem[] };

const MONITOR_PATH = /^monitor\[(\d+)\](?:\.(.+))?$/;

/** The form key of a path inside a table: `require_ext[1]` → `require_ext`. */
export function fieldKey(path: string): string {
  return path.replace(/\[\d+\]/g, "");
}

/**
 * Places the problems of a monitor form. `index` is where the monitor sits in the configuration
 * (null: any index, e.g. a one-off test). When no problem names `index` but every monitor problem
 * names one and the same other index, that one is taken to be the form's (a shell that validates
 * the monitor alone calls it `monitor[0]`). `keys` are the fields the form has.
 */
export function placeMonitorProblems(
  problems: readonly Problem[],
  index: number | null,
  keys: ReadonlySet<string>,
): Placed {
  const indexes = new Set<number>();
  for (const p of problems) {
    const m = MONITOR_PATH.exec(p.path);
    if (m) indexes.add(Number(m[1]));
  }
  const ours = (i: number) =>
    index === null || i === index || (!indexes.has(index) && indexes.size === 1);
  const placed: Placed = { fields: {}, general: [] };
  for (const p of problems) {
    const m = MONITOR_PATH.exec(p.path);
    const key = m && m[2] !== undefined && ours(Number(m[1])) ? fieldKey(m[2]) : null;
    if (key !== null && keys.has(key)) {
      (placed.fields[key] ??= []).push(p.message);
    } else {
      placed.general.push(p);
    }
  }
  return placed;
}

/** Places problems of a form whose field keys are whole paths (`defaults.qos_ms`). */
export function placeProblems(problems: readonly Problem[], keys: ReadonlySet<string>): Placed {
  const placed: Placed = { fields: {}, general: [] };
  for (const p of problems) {
    const key = fieldKey(p.path);
    if (keys.has(key)) (placed.fields[key] ??= []).push(p.message);
    else placed.general.push(p);
  }
  return placed;
}

/** A field's messages from several sources (say, the shell's and the limits'), in order, each once. */
export function fieldMessages(...lists: ReadonlyArray<readonly string[] | undefined>): string[] | undefined {
  const all = [...new Set(lists.flatMap((l) => l ?? []))];
  return all.length ? all : undefined;
}

/** `"mx1" is used by monitor[1] too` → `"mx1" is used by monitor “mx1” too`. */
export function nameMonitors(message: string, names: readonly (string | undefined)[]): string {
  return message.replace(/monitor\[(\d+)\]/g, (whole, i: string) => {
    const name = names[Number(i)];
    return name ? `monitor “${name}”` : whole;
  });
}

/** A problem as one line: `monitor[2].port: 0 is not a port`, or just the message. */
export function problemLine(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}
