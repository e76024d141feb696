// Control probes and "blocked here" as the window shows them: the suggested control hosts, the
// hosts field's text and back, whether the first-run offer still applies, and the banner's words.

import type { Settings } from "../bindings/Settings";

/**
 * The control hosts the window suggests: MX hosts of large mail providers. README's "Blocked
 * here" section and examples/agent.toml document the same list; change all three together.
 */
export const SUGGESTED_CONTROL_HOSTS: readonly string[] = [
  "gmail-smtp-in.l.google.com",
  "mx1.mail.icloud.com",
  "mx.zoho.com",
];

/** The most control hosts `[control]` takes (the engine's `MAX_CONTROL_HOSTS`). */
export const MAX_CONTROL_HOSTS = 8;

/** The hosts in a comma- or whitespace-separated text; blanks dropped. */
export function splitHosts(text: string): string[] {
  return text.split(/[\s,]+/).filter((h) => h !== "");
}

/** The hosts as the field shows them. */
export function joinHosts(hosts: readonly string[] | undefined): string {
  return (hosts ?? []).join(", ");
}

/** The engine's problem with a list of control hosts this long, or null when it is not too long. */
export function tooManyHosts(hosts: readonly string[]): string | null {
  return hosts.length > MAX_CONTROL_HOSTS
    ? `${hosts.length} hosts given; at most ${MAX_CONTROL_HOSTS} control hosts`
    : null;
}

/** Whether control probes are on (at least one control host). */
export function controlConfigured(settings: Settings | null): boolean {
  return (settings?.control?.hosts?.length ?? 0) > 0;
}

/** `settings` with the suggested control hosts. */
export function withSuggestedHosts(settings: Settings): Settings {
  return { ...settings, control: { ...settings.control, hosts: [...SUGGESTED_CONTROL_HOSTS] } };
}

/** What the first-run offer says once control probes are on. */
export function controlOnText(hosts: readonly string[]): string {
  return `Control probes on (${hosts.join(", ")}).`;
}

/**
 * The banner while outbound port 25 seems blocked; `monitors` are the ones shown `blocked` (none
 * when all of them are snoozed).
 */
export function blockedBannerText(monitors: number): string {
  const what = "Outbound port 25 is blocked on this network";
  if (monitors === 0) return `${what}.`;
  const them = monitors === 1 ? "1 monitor" : `${monitors} monitors`;
  return `${what} — ${them} can’t be checked from here.`;
}
