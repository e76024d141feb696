// The Add agent form and the "give the token again" form: what is sent (`add_agent`,
// `set_agent_token`), and a refusal placed for people — each field problem (`agent.url`) at its
// field, a failed live check as one sentence by its kind plus the shell's message. The token is
// never kept: every submit returns the form with the token field emptied, whatever the outcome.

import type { AgentInput } from "../bindings/AgentInput";
import type { AgentProblem } from "../bindings/AgentProblem";
import type { SourceView } from "../bindings/SourceView";
import * as ipc from "../ipc";
import { placeProblems } from "./problems";

export type AgentForm = { name: string; url: string; token: string; ca_file: string };

/** The form's field keys: the paths the shell's problems name. */
export const AGENT_KEYS = new Set(["agent.name", "agent.url", "agent.token", "agent.ca_file"]);

export const emptyAgentForm = (): AgentForm => ({ name: "", url: "", token: "", ca_file: "" });

/** What `add_agent` is sent: trimmed, a blank CA file as null (the token as typed). */
export function agentInput(f: AgentForm): AgentInput {
  const ca = f.ca_file.trim();
  return { name: f.name.trim(), url: f.url.trim(), token: f.token, ca_file: ca === "" ? null : ca };
}

/** A refusal placed: messages per field key, a failed live check, and anything else as lines. */
export type Refusal = {
  fields: Record<string, string[]>;
  agent: AgentProblem | null;
  general: string[];
};

export const noRefusal = (): Refusal => ({ fields: {}, agent: null, general: [] });

/** The sentence for a failed live check: its kind in words, then the shell's message. */
export function agentProblemText(p: AgentProblem): { title: string; detail: string } {
  return { title: `${ipc.AGENT_PROBLEM[p.kind]}.`, detail: p.message };
}

/** Places a rejected `add_agent` / `set_agent_token`. `token` problems may come as `token`. */
export function placeRefusal(e: unknown): Refusal {
  const err = ipc.asAppError(e);
  if (err.type === "agent") return { fields: {}, agent: err.data, general: [] };
  if (err.type === "invalid") {
    const problems = err.data.map((p) => (p.path === "token" ? { ...p, path: "agent.token" } : p));
    const placed = placeProblems(problems, AGENT_KEYS);
    return {
      fields: placed.fields,
      agent: null,
      general: placed.general.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)),
    };
  }
  return { fields: {}, agent: null, general: [ipc.errorText(err)] };
}

export type Outcome = { source: SourceView } | { refusal: Refusal };

/** Sends the form to `add_agent`; the form comes back with its token emptied in every case. */
export async function submitAgent(f: AgentForm): Promise<{ form: AgentForm; outcome: Outcome }> {
  const input = agentInput(f);
  const form = { ...f, token: "" };
  try {
    return { form, outcome: { source: await ipc.addAgent(input) } };
  } catch (e) {
    return { form, outcome: { refusal: placeRefusal(e) } };
  }
}

/** Sends a token given again to `set_agent_token`; the caller empties its field whatever happens. */
export async function submitToken(name: string, token: string): Promise<Outcome> {
  try {
    return { source: await ipc.setAgentToken(name, token) };
  } catch (e) {
    return { refusal: placeRefusal(e) };
  }
}
