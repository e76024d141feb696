// The live preview of a mail domain's MX set in the editor: a lookup some time after typing
// stops, answers for an input that has since changed dropped, and the answer as one line
// (RFC 5321 §5.1: no MX means the domain itself; RFC 7505: a null MX takes no mail).

import type { MxPreview } from "../bindings/MxPreview";
import type { MxSet } from "../bindings/MxSet";

/** How long after the last keystroke the domain is looked up. */
export const PREVIEW_DEBOUNCE_MS = 500;

/** What the preview shows: nothing, a lookup under way, or an answer. */
export type PreviewState =
  | { kind: "idle" }
  | { kind: "looking"; domain: string }
  | { kind: "done"; domain: string; preview: MxPreview };

/** An MX set as one line: `10 mx1.example.com, 20 mx2.example.com`. */
export function formatMxSet(set: MxSet): string {
  if (set === "implicit") return "no MX: the domain itself receives mail";
  if (set === "null_mx") return "null MX: this domain takes no mail";
  return set.hosts.map((h) => `${h.preference} ${h.host}`).join(", ");
}

/** The preview's line and whether it is a problem. */
export function previewLine(state: PreviewState): { text: string; problem: boolean } | null {
  switch (state.kind) {
    case "idle":
      return null;
    case "looking":
      return { text: "looking up…", problem: false };
    case "done":
      return state.preview.type === "found"
        ? { text: formatMxSet(state.preview.set), problem: false }
        : { text: state.preview.message, problem: true };
  }
}

/** Timers, injectable so that tests can drive them. */
export type Timers = {
  set: (f: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
};

const REAL_TIMERS: Timers = {
  set: (f, ms) => setTimeout(f, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Looks up what `input` is given `delayMs` after its last call and reports each state to
 * `onState`. An answer is dropped when the input has changed since it was asked (typing went
 * on, or `stop` was called), so an old domain's answer never shows under a new one. A lookup
 * that throws is shown as a failure naming the domain.
 */
export function mxPreviewer(
  lookup: (domain: string) => Promise<MxPreview>,
  onState: (s: PreviewState) => void,
  delayMs = PREVIEW_DEBOUNCE_MS,
  timers: Timers = REAL_TIMERS,
) {
  let timer: unknown = null;
  let asked = 0;
  const cancel = () => {
    asked += 1;
    if (timer !== null) timers.clear(timer);
    timer = null;
  };
  return {
    /** The domain field now holds `text`. */
    input(text: string) {
      cancel();
      const domain = text.trim();
      if (domain === "") {
        onState({ kind: "idle" });
        return;
      }
      const mine = asked;
      onState({ kind: "looking", domain });
      timer = timers.set(() => {
        timer = null;
        void lookup(domain)
          .catch(
            (e: unknown): MxPreview => ({
              type: "failed",
              domain,
              failure: "resolver",
              message: `${domain}: ${describe(e)}`,
            }),
          )
          .then((preview) => {
            if (mine === asked) onState({ kind: "done", domain, preview });
          });
      }, delayMs);
    },
    /** Nothing more is looked up or reported (the editor closed, or the kind changed). */
    stop: cancel,
  };
}

function describe(e: unknown): string {
  if (e && typeof e === "object" && "data" in e && typeof (e as { data: unknown }).data === "string") {
    return (e as { data: string }).data;
  }
  if (e && typeof e === "object" && "type" in e) return String((e as { type: unknown }).type);
  return e instanceof Error ? e.message : String(e);
}
