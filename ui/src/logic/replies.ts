// What the server said, as the window shows it: each reply's lines as they came over the wire, a
// partial reply marked "(incomplete)", the lines the engine read but did not keep counted, and
// every sentence that explains a verdict. Pure functions, unit-tested.

import type { ProbeReport } from "../bindings/ProbeReport";
import type { Reply } from "../bindings/Reply";

/** One reply as the window shows it. */
export type ShownReply = {
  /** `Greeting` or `EHLO reply`. */
  label: string;
  /** True for a partial reply: the lines that arrived before the deadline or the close. */
  incomplete: boolean;
  /** The kept lines as the server sent them: `220-first`, `220 last`. */
  lines: string[];
  /** `9,898 more lines (39,592,000 bytes) not kept`, or null when every line was kept. */
  notKept: string | null;
};

type ReplyLike = Pick<Reply, "code" | "lines" | "omitted_lines" | "omitted_bytes" | "complete">;

/** `1234567` → `1,234,567` (the same in every locale, like the window's dates). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A partial reply says so with `complete: false`; a reply without the flag is whole. */
export function isIncomplete(reply: ReplyLike): boolean {
  return reply.complete === false;
}

/**
 * The kept lines with their code and separator. Only the final line of a complete reply has a
 * space; when lines were left out, the final line is among them.
 */
export function wireLines(reply: ReplyLike): string[] {
  const final = !isIncomplete(reply) && !reply.omitted_lines ? reply.lines.length - 1 : -1;
  return reply.lines.map((text, i) => `${reply.code}${i === final ? " " : "-"}${text}`.trimEnd());
}

/** `N more lines (M bytes) not kept`, or null when nothing was left out. */
export function notKept(reply: ReplyLike): string | null {
  const lines = reply.omitted_lines ?? 0;
  const bytes = reply.omitted_bytes ?? 0;
  if (lines === 0 && bytes === 0) return null;
  const size = `${grouped(bytes)} byte${bytes === 1 ? "" : "s"}`;
  if (lines === 0) return `${size} not kept`;
  return `${grouped(lines)} more line${lines === 1 ? "" : "s"} (${size}) not kept`;
}

function shown(label: string, reply: ReplyLike): ShownReply {
  return { label, incomplete: isIncomplete(reply), lines: wireLines(reply), notKept: notKept(reply) };
}

/** The greeting and the EHLO reply of a report, those that were read. */
export function serverSaid(report: Pick<ProbeReport, "greeting" | "ehlo">): ShownReply[] {
  const out: ShownReply[] = [];
  if (report.greeting) out.push(shown("Greeting", report.greeting));
  if (report.ehlo) out.push(shown("EHLO reply", report.ehlo));
  return out;
}

/**
 * The sentences explaining a verdict: the reason, and the failure's message when the reason
 * does not already hold it (an explanation such as a pregreet pause lives in the reason).
 */
export function whyLines(message: string | null | undefined, reason: string | null | undefined): string[] {
  if (!message) return reason ? [reason] : [];
  if (!reason || message.includes(reason)) return [message];
  if (reason.includes(message)) return [reason];
  return [message, reason];
}
