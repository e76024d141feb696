// The editor's action bar: Delete (asked twice) for an existing monitor, Cancel, Test now, Save.

import { useState } from "preact/hooks";

import type { MonitorFile } from "../bindings/MonitorFile";

export type Busy = "save" | "test" | "delete" | null;

export function EditorActions({
  original,
  busy,
  onDelete,
  onCancel,
  onTest,
}: {
  /** The monitor being edited, or null for a new one (nothing to delete). */
  original: MonitorFile | null;
  busy: Busy;
  onDelete: () => void;
  onCancel: () => void;
  onTest: () => void;
}) {
  const [confirmDelete, setConfirmDelete] = useState(false);
  return (
    <div class="form-actions">
      {original ? (
        confirmDelete ? (
          <span class="confirm">
            <span>Delete {original.name}?</span>
            <button type="button" class="btn btn-danger" onClick={onDelete} disabled={busy !== null}>
              Delete
            </button>
            <button type="button" class="btn" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" class="btn btn-plain" onClick={() => setConfirmDelete(true)}>
            Delete…
          </button>
        )
      ) : null}
      <span class="spacer" />
      <button type="button" class="btn" onClick={onCancel}>
        Cancel
      </button>
      <button
        type="button"
        class="btn"
        data-testid="test-monitor"
        aria-busy={busy === "test"}
        disabled={busy !== null}
        onClick={onTest}
      >
        {busy === "test" ? "Testing…" : "Test now"}
      </button>
      <button
        type="submit"
        class="btn btn-primary"
        data-testid="save-monitor"
        aria-busy={busy === "save"}
        disabled={busy !== null && busy !== "save"}
      >
        {busy === "save" ? "Saving…" : "Save"}
      </button>
    </div>
  );
}
