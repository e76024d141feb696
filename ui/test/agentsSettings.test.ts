import { beforeAll, describe, expect, it } from "vitest";

import type { AgentProblemKind } from "../src/bindings/AgentProblemKind";
import {
  AGENT_KEYS,
  type AgentForm,
  agentProblemText,
  submitAgent,
  submitToken,
} from "../src/logic/agentForm";
import { TOKEN_STORE_LABEL, controlLabel, needsToken } from "../src/logic/sources";
import { sourceView } from "./fixtures";
import { answer, callsOf, installShell } from "./ipcMock";

const FORM: AgentForm = {
  name: " dc1 ",
  url: " https://dc1.example.net:9925 ",
  token: "s3cret-token",
  ca_file: " ",
};

beforeAll(installShell);

describe("Settings → Agents: adding an agent", () => {
  it("sends add_agent the trimmed form with a blank CA file as null, and empties the token", async () => {
    const added = sourceView("dc1");
    answer((cmd) => (cmd === "add_agent" ? added : null));
    const { form, outcome } = await submitAgent(FORM);
    expect(callsOf("add_agent")).toEqual([
      { agent: { name: "dc1", url: "https://dc1.example.net:9925", token: "s3cret-token", ca_file: null } },
    ]);
    expect(outcome).toEqual({ source: added });
    expect(form.token).toBe("");
    expect(form.name).toBe(FORM.name);
  });

  it("keeps a CA file path given", async () => {
    answer(() => sourceView("dc1"));
    await submitAgent({ ...FORM, ca_file: "/etc/ehlo/ca.pem" });
    expect(callsOf("add_agent")[0]).toMatchObject({ agent: { ca_file: "/etc/ehlo/ca.pem" } });
  });

  const KINDS: Array<[AgentProblemKind, string]> = [
    ["unauthorized", "The agent refused the token."],
    ["untrusted_certificate", "The agent's certificate is not trusted: give its CA file."],
    ["not_an_agent", "This URL answers, but not as an EHLO Watch agent."],
    ["unreachable", "The agent could not be reached."],
    ["tls_mismatch", "The URL's scheme does not match the agent (https to a plain server, or the reverse)."],
    ["forbidden", "The token does not allow this (a read-only token)."],
  ];

  it.each(KINDS)("shows a failed live check of kind %s as one sentence plus the shell's message", async (kind, title) => {
    const message = `https://dc1.example.net:9925 answered ${kind}`;
    answer(() => {
      throw { type: "agent", data: { kind, message } };
    });
    const { form, outcome } = await submitAgent(FORM);
    expect(form.token).toBe("");
    if (!("refusal" in outcome)) throw new Error("accepted");
    expect(outcome.refusal.agent).toEqual({ kind, message });
    expect(outcome.refusal.fields).toEqual({});
    expect(agentProblemText(outcome.refusal.agent!)).toEqual({ title, detail: message });
  });

  it("places each field problem at its field, and one it has no field for as a line", async () => {
    answer(() => {
      throw {
        type: "invalid",
        data: [
          { path: "agent.url", message: '"ftp://x" is not an agent URL (https://host:port)' },
          { path: "agent.name", message: '"DC 1" is not a source name' },
          { path: "agent.ca_file", message: '"/nope.pem" cannot be read' },
          { path: "token", message: "must not be empty" },
          { path: "agents", message: "at most 32 agents" },
        ],
      };
    });
    const { form, outcome } = await submitAgent(FORM);
    expect(form.token).toBe("");
    if (!("refusal" in outcome)) throw new Error("accepted");
    expect(outcome.refusal.fields).toEqual({
      "agent.url": ['"ftp://x" is not an agent URL (https://host:port)'],
      "agent.name": ['"DC 1" is not a source name'],
      "agent.ca_file": ['"/nope.pem" cannot be read'],
      "agent.token": ["must not be empty"],
    });
    expect(outcome.refusal.general).toEqual(["agents: at most 32 agents"]);
    expect(outcome.refusal.agent).toBeNull();
    for (const k of Object.keys(outcome.refusal.fields)) expect(AGENT_KEYS.has(k)).toBe(true);
  });

  it("says what else went wrong in one line", async () => {
    answer(() => {
      throw { type: "storage", data: "settings.json could not be written" };
    });
    const { outcome } = await submitAgent(FORM);
    expect(outcome).toEqual({ refusal: { fields: {}, agent: null, general: ["settings.json could not be written"] } });
  });
});

describe("Settings → Agents: a source's token", () => {
  it("asks for the token again when the source needs it or has none", () => {
    expect(needsToken(sourceView("dc1", { health: "needs_token", token_store: "missing" }))).toBe(true);
    expect(needsToken(sourceView("dc1", { health: "unreachable", token_store: "missing" }))).toBe(true);
    expect(needsToken(sourceView("dc1", { health: "connected", token_store: "session" }))).toBe(false);
    expect(TOKEN_STORE_LABEL.missing).toBe("No token: give the token again");
    expect(controlLabel(true)).toBe("control token");
    expect(controlLabel(false)).toBe("read-only token");
  });

  it("sends the token given again to set_agent_token, and shows a refusal by kind", async () => {
    const back = sourceView("dc1", { token_store: "keyring" });
    answer(() => back);
    expect(await submitToken("dc1", "new-token")).toEqual({ source: back });
    expect(callsOf("set_agent_token")).toEqual([{ name: "dc1", token: "new-token" }]);

    answer(() => {
      throw { type: "agent", data: { kind: "unauthorized", message: "https://dc1.example.net:9925 answered 401" } };
    });
    const refused = await submitToken("dc1", "old-token");
    if (!("refusal" in refused)) throw new Error("accepted");
    expect(refused.refusal.agent?.kind).toBe("unauthorized");
  });
});
