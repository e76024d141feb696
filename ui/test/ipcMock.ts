// The shell faked behind Tauri's mockIPC for unit tests in Node: every command call recorded,
// answered by a handler a test swaps in, and events emitted the way the shell's reach the window.
// mockIPC is installed once per test file (installing it again would drop the event listeners).

import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";

export type Call = { cmd: string; args: Record<string, unknown> };
export type Handler = (cmd: string, args: Record<string, unknown>) => unknown;

const calls: Call[] = [];
let handler: Handler = (cmd) => {
  throw { type: "storage", data: `no answer for ${cmd}` };
};

/** Installs the fake shell (Node has no `window`: the global object stands in for it). */
export function installShell(): void {
  (globalThis as { window?: unknown }).window ??= globalThis;
  mockIPC(
    async (cmd, payload) => {
      const args = structuredClone((payload ?? {}) as Record<string, unknown>);
      calls.push({ cmd, args });
      return handler(cmd, args);
    },
    { shouldMockEvents: true },
  );
}

/** Answers every command with `h` from now on, and forgets the calls so far. */
export function answer(h: Handler): void {
  handler = h;
  calls.length = 0;
}

/** The arguments of every call of `cmd` since the last `answer`. */
export const callsOf = (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args);

/** Sends an event as the shell would. */
export const shellEmits = (event: string, payload: unknown) => emit(event, payload);
