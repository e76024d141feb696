// The limits of the numbers in a settings or monitor form, read from the engine's settings
// registry (`bindings/settingsRegistry.ts`): each number's range, and the two rules between
// numbers — interval_s must be longer than 2×qos_ms, cert_crit_days must not be above
// cert_warn_days.
// Problems carry the engine's paths and messages, so a form can show one at its field as soon as
// it is typed, the way it shows the shell's. The shell still validates whatever is sent.

import type { DefaultsFile } from "../bindings/DefaultsFile";
import type { MonitorFile } from "../bindings/MonitorFile";
import type { Problem } from "../bindings/Problem";
import type { Settings } from "../bindings/Settings";
import { SETTINGS } from "../bindings/settingsRegistry";

/** A table of the configuration that holds registry settings (a monitor's `alerts` is `alerts`). */
export type Table = "defaults" | "monitor" | "alerts" | "history" | "dns";

type Key = keyof typeof SETTINGS;
type Spec = {
  kind: string;
  tables: readonly string[];
  default: number | boolean;
  min?: number;
  max?: number;
  /** What a value is, when out-of-range values are named rather than bounded (`a port`). */
  noun?: string | null;
};

const SPECS: Readonly<Record<Key, Spec>> = SETTINGS;
const KEYS = Object.keys(SPECS) as Key[];

/** A table's values by key; keys that are not registry numbers of the table are ignored. */
type Values = Readonly<Record<string, unknown>>;

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The engine's message for `v` out of `key`'s range, or null when it is in range. */
function rangeMessage(key: Key, v: number): string | null {
  const { min, max, noun } = SPECS[key];
  if (min === undefined || max === undefined || (v >= min && v <= max)) return null;
  if (noun) return `${v} is not ${noun} (${min}–${max})`;
  return v < min ? `${v} must be at least ${min}` : `${v} must be at most ${max}`;
}

/** 2×qos_ms as the engine writes it, in seconds: `2 s`, `2.4 s`. */
const twiceQos = (q: number) => `${(2 * q) / 1000} s`;

/**
 * A rule between two numbers of one table. It is reported at `second` when the table sets
 * `second`, else at `first` when the table sets that; a table that sets neither inherits the
 * problem from where the values were set.
 */
type Rule = {
  first: Key;
  second: Key;
  broken: (first: number, second: number) => boolean;
  atSecond: (first: number, second: number) => string;
  atFirst: (first: number, second: number) => string;
};

const RULES: readonly Rule[] = [
  {
    first: "qos_ms",
    second: "interval_s",
    broken: (q, i) => i * 1000 <= 2 * q,
    atSecond: (q, i) => `${i} must be longer than 2×qos_ms (${twiceQos(q)})`,
    atFirst: (q, i) => `${q} is too long for interval_s ${i}: 2×qos_ms (${twiceQos(q)}) must be shorter`,
  },
  {
    first: "cert_warn_days",
    second: "cert_crit_days",
    broken: (w, k) => k > w,
    atSecond: (w, k) => `${k} is above cert_warn_days ${w}`,
    atFirst: (w, k) => `${w} is below cert_crit_days ${k}`,
  },
];

/**
 * The problems of one table's numbers. `at` is the table's path (`defaults`, `monitor[2]`,
 * `monitor[2].alerts`); `inherited` holds what a key the table leaves unset takes (a monitor's
 * `[defaults]`), the registry default after that. A rule is only judged when both its numbers are
 * in range: a number out of range has its own problem already.
 */
export function checkTable(table: Table, at: string, values: Values, inherited: Values = {}): Problem[] {
  const own = (k: Key): number | undefined => {
    const v = values[k];
    return SPECS[k].tables.includes(table) && isNumber(v) ? v : undefined;
  };
  const problems: Problem[] = [];
  for (const k of KEYS) {
    const v = own(k);
    const message = v === undefined ? null : rangeMessage(k, v);
    if (message !== null) problems.push({ path: `${at}.${k}`, message });
  }
  const effective = (k: Key): number => {
    const i = inherited[k];
    return own(k) ?? (isNumber(i) ? i : (SPECS[k].default as number));
  };
  for (const rule of RULES) {
    if (!SPECS[rule.first].tables.includes(table) || !SPECS[rule.second].tables.includes(table)) continue;
    const [a, b] = [effective(rule.first), effective(rule.second)];
    if (rangeMessage(rule.first, a) !== null || rangeMessage(rule.second, b) !== null) continue;
    if (!rule.broken(a, b)) continue;
    if (own(rule.second) !== undefined) {
      problems.push({ path: `${at}.${rule.second}`, message: rule.atSecond(a, b) });
    } else if (own(rule.first) !== undefined) {
      problems.push({ path: `${at}.${rule.first}`, message: rule.atFirst(a, b) });
    }
  }
  return problems;
}

/** The problems of the numbers in `[defaults]`, `[alerts]`, `[history]` and `[dns]`. */
export function settingsLimits(
  s: Pick<Settings, "defaults" | "alerts" | "history"> & Partial<Pick<Settings, "dns">>,
): Problem[] {
  return [
    ...checkTable("defaults", "defaults", s.defaults ?? {}),
    ...checkTable("alerts", "alerts", s.alerts ?? {}),
    ...checkTable("history", "history", s.history ?? {}),
    ...checkTable("dns", "dns", s.dns ?? {}),
  ];
}

/** The problems of the numbers of the monitor at `index`, which inherits `defaults`. */
export function monitorLimits(m: MonitorFile, index: number, defaults: DefaultsFile = {}): Problem[] {
  const at = `monitor[${index}]`;
  return [
    ...checkTable("monitor", at, m, defaults),
    ...checkTable("alerts", `${at}.alerts`, m.alerts ?? {}),
  ];
}
