// Export of the monitors (as JSON, to a file or the clipboard) and import of a whole file, checked
// by the shell first and confirmed before it replaces the current monitors.

import { useEffect, useState } from "preact/hooks";

import type { Problem } from "../bindings/Problem";
import { announce, reloadSettings } from "../app";
import * as ipc from "../ipc";
import { problemLine } from "../logic/problems";
import { countImported } from "../logic/settingsForm";
import { setState, useStore } from "../store";

export function ExportImport() {
  const [exported, setExported] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const current = useStore((s) => s.settings?.monitor?.length ?? 0);

  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);

  const doExport = async () => {
    try {
      const json = await ipc.exportMonitors();
      setExported(json);
      setUrl(URL.createObjectURL(new Blob([json], { type: "application/json" })));
    } catch (e) {
      setMessage(`Export failed: ${ipc.errorText(ipc.asAppError(e))}.`);
    }
  };

  const readFile = (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    void file.text().then((t) => {
      setText(t);
      setProblems(null);
      setMessage(null);
      setConfirm(null);
    });
  };

  const doImport = async () => {
    setConfirm(null);
    try {
      const stored = await ipc.importMonitors(text);
      setState({ settings: stored });
      setProblems(null);
      const n = stored.monitor?.length ?? 0;
      setMessage(`Imported ${n} monitor${n === 1 ? "" : "s"}.`);
      announce(`Imported ${n} monitors`);
      void reloadSettings();
    } catch (e) {
      const err = ipc.asAppError(e);
      if (err.type === "invalid") {
        setProblems(err.data);
        setMessage(null);
      } else {
        setProblems(null);
        setMessage(`Import failed: ${ipc.errorText(err)}. Nothing was changed.`);
      }
    }
  };

  const ask = () => {
    const n = countImported(text);
    if (n === null) void doImport();
    else setConfirm(n);
  };

  return (
    <div class="export-import">
      <div class="btn-row">
        <button type="button" class="btn" data-testid="export" onClick={() => void doExport()}>
          Export monitors
        </button>
        {url ? (
          <a class="btn" href={url} download="ehlowatch-monitors.json">
            Save as file…
          </a>
        ) : null}
        {exported ? (
          <button
            type="button"
            class="btn"
            onClick={() => void navigator.clipboard?.writeText(exported).then(() => setMessage("Copied."))}
          >
            Copy
          </button>
        ) : null}
      </div>
      {exported !== null ? (
        <div class="field">
          <label for="export-text">Exported JSON</label>
          <textarea id="export-text" name="export" rows={6} readOnly value={exported} />
        </div>
      ) : null}
      <div class="field">
        <label for="import-file">Import from a file</label>
        <input id="import-file" type="file" accept=".json,application/json" onChange={readFile} />
      </div>
      <div class="field">
        <label for="import-text">…or paste the JSON</label>
        <textarea
          id="import-text"
          name="import"
          rows={6}
          value={text}
          spellcheck={false}
          onInput={(e) => {
            setText((e.currentTarget as HTMLTextAreaElement).value);
            setConfirm(null);
          }}
        />
      </div>
      {confirm !== null ? (
        <div class="confirm" role="alertdialog" aria-label="Confirm import">
          <span>
            Replace your {current} monitor{current === 1 ? "" : "s"} and defaults with the {confirm}{" "}
            in this file?
          </span>
          <button type="button" class="btn btn-danger" data-testid="confirm-import" onClick={() => void doImport()}>
            Replace
          </button>
          <button type="button" class="btn" onClick={() => setConfirm(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="btn" data-testid="import" disabled={text.trim() === ""} onClick={ask}>
          Import…
        </button>
      )}
      {problems ? (
        <div class="problems" role="alert" data-testid="import-problems">
          <p>
            <strong>
              {problems.length === 1 ? "1 problem" : `${problems.length} problems`} in this file —
              nothing was changed.
            </strong>
          </p>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{problemLine(p)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {message ? <p role="status">{message}</p> : null}
    </div>
  );
}
