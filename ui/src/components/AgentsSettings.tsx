// Settings → Agents: the remote agents this desktop shows (health, URL, where the token is kept,
// what it allows, Remove after a confirmation, the token given again when it is needed), and the
// Add agent form, which the shell checks with a live connection before saving. A token lives only
// in the password field until it is sent; the field is emptied after every try.

import { useState } from "preact/hooks";

import type { SourceView } from "../bindings/SourceView";
import { announce } from "../app";
import * as ipc from "../ipc";
import {
  type AgentForm,
  type Refusal,
  agentProblemText,
  emptyAgentForm,
  noRefusal,
  submitAgent,
  submitToken,
} from "../logic/agentForm";
import { TOKEN_STORE_LABEL, controlLabel, healthNote, needsToken, sourceBadge, upsertSource } from "../logic/sources";
import { setState, useStore } from "../store";
import { Badge } from "./Badge";
import { TextField } from "./fields";

/** The refusal's agent problem (by kind, then the shell's sentence) and other lines. */
function RefusalText({ r }: { r: Refusal }) {
  if (!r.agent && r.general.length === 0) return null;
  const text = r.agent ? agentProblemText(r.agent) : null;
  return (
    <div class="problems" role="alert" data-testid="agent-problem" data-kind={r.agent?.kind ?? ""}>
      {text ? (
        <p>
          <strong>{text.title}</strong> {text.detail}
        </p>
      ) : null}
      {r.general.map((g) => (
        <p key={g}>{g}</p>
      ))}
    </div>
  );
}

function took(source: SourceView): void {
  setState((s) => ({ sources: upsertSource(s.sources, source) }));
}

/** The token given again for a source that needs it. */
function TokenAgain({ s }: { s: SourceView }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>(noRefusal);
  const key = `token-${s.name}`;
  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const sent = token;
    setToken("");
    const outcome = await submitToken(s.name, sent);
    setBusy(false);
    if ("source" in outcome) {
      setRefusal(noRefusal());
      took(outcome.source);
      announce(`The token of ${s.name} is saved`);
    } else {
      setRefusal(outcome.refusal);
    }
  };
  return (
    <form class="token-again" data-testid="token-again" onSubmit={(e) => void send(e)} aria-busy={busy}>
      <TextField
        k={key}
        label={`Token of ${s.name}`}
        hint="Give the token again: it is checked with the agent, then kept in the system keyring."
        value={token}
        password
        disabled={busy}
        errors={refusal.fields["agent.token"]}
        onValue={setToken}
      />
      <RefusalText r={refusal} />
      <button type="submit" class="btn btn-small" data-testid="save-token" disabled={busy || token === ""}>
        {busy ? "Checking the agent…" : "Save token"}
      </button>
    </form>
  );
}

function SourceItem({ s }: { s: SourceView }) {
  const [confirming, setConfirming] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const badge = sourceBadge(s);
  const note = healthNote(s, Date.now());
  const remove = async () => {
    try {
      await ipc.removeAgent(s.name);
      setState((st) => ({ sources: st.sources.filter((x) => x.name !== s.name) }));
      announce(`${s.name} removed`);
    } catch (e) {
      setFailed(`Not removed: ${ipc.errorText(ipc.asAppError(e))}.`);
      setConfirming(false);
    }
  };
  return (
    <li class="agent" data-testid="agent" data-source={s.name} data-health={s.health}>
      <div class="agent-head">
        <strong>{s.name}</strong>
        <Badge status={badge.status} label={badge.label} />
      </div>
      {note ? (
        <p class="muted small" data-testid="agent-health-note">
          {note}
        </p>
      ) : null}
      <dl class="facts">
        <dt>URL</dt>
        <dd class="wrap mono small">{s.url}</dd>
        {s.ca_file ? (
          <>
            <dt>CA file</dt>
            <dd class="wrap mono small">{s.ca_file}</dd>
          </>
        ) : null}
        <dt>Token</dt>
        <dd data-testid="token-store" data-store={s.token_store}>
          {TOKEN_STORE_LABEL[s.token_store]} · <span data-testid="token-control">{controlLabel(s.can_control)}</span>
        </dd>
      </dl>
      {needsToken(s) ? <TokenAgain s={s} /> : null}
      {failed ? (
        <p class="field-error" role="alert">
          {failed}
        </p>
      ) : null}
      <div class="btn-row">
        {confirming ? (
          <>
            <span role="alert">Remove {s.name} and forget its token?</span>
            <button type="button" class="btn btn-small btn-danger" data-testid="confirm-remove" onClick={() => void remove()}>
              Remove
            </button>
            <button type="button" class="btn btn-small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            class="btn btn-small"
            data-testid="remove-agent"
            aria-label={`Remove ${s.name}`}
            onClick={() => setConfirming(true)}
          >
            Remove
          </button>
        )}
      </div>
    </li>
  );
}

function AddAgent() {
  const [form, setForm] = useState<AgentForm>(emptyAgentForm);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>(noRefusal);
  const set = (k: keyof AgentForm) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    // The token leaves the window's state before the answer comes back.
    const sent = form;
    setForm((f) => ({ ...f, token: "" }));
    const { outcome } = await submitAgent(sent);
    setBusy(false);
    if ("source" in outcome) {
      took(outcome.source);
      setForm(emptyAgentForm());
      setRefusal(noRefusal());
      announce(`Agent ${outcome.source.name} added`);
    } else {
      setRefusal(outcome.refusal);
    }
  };
  // What every field of the form takes alike: its key, value, refusals, setter and busy state.
  const field = (k: keyof AgentForm) => ({
    k: `agent.${k}`,
    value: form[k],
    errors: refusal.fields[`agent.${k}`],
    onValue: set(k),
    disabled: busy,
  });
  return (
    <form class="add-agent" data-testid="add-agent" onSubmit={(e) => void save(e)} aria-busy={busy} noValidate>
      <h3>Add agent</h3>
      <TextField
        {...field("name")}
        label="Name"
        required
        hint="Lower-case letters, digits and -: dc1"
      />
      <TextField
        {...field("url")}
        label="URL"
        required
        placeholder="https://dc1.example.net:9925"
      />
      <TextField
        {...field("token")}
        label="Token"
        required
        hint="Kept in the system keyring, never in a file."
        password
      />
      <TextField
        {...field("ca_file")}
        label="CA file"
        hint="The PEM file of the CA that signed the agent's certificate, if it is not a public one."
      />
      <RefusalText r={refusal} />
      <div class="btn-row">
        <button type="submit" class="btn btn-primary" data-testid="save-agent" disabled={busy}>
          {busy ? "Connecting to the agent…" : "Save"}
        </button>
      </div>
    </form>
  );
}

export function AgentsSettings() {
  const sources = useStore((s) => s.sources);
  return (
    <>
      <p class="hint">
        The monitors of an EHLO Watch agent (running where port 25 is open) are shown beside this
        computer's. The app talks to the agent; nothing from it is loaded in this window.
      </p>
      {sources.length ? (
        <ul class="agents" data-testid="agents">
          {sources.map((s) => (
            <SourceItem key={s.name} s={s} />
          ))}
        </ul>
      ) : (
        <p class="muted">No agents yet.</p>
      )}
      <AddAgent />
    </>
  );
}
