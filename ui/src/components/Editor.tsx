// Add or edit a monitor: every option of the config model, blank fields showing the default they
// stand for, presets for the usual ports, "Test now" (a one-off probe of what is typed), and
// validation messages at the fields their paths name: the limits' as soon as a number is typed,
// the shell's when it refuses what was sent.

import { useMemo, useRef, useState } from "preact/hooks";

import type { AppError } from "../bindings/AppError";
import type { MonitorFile } from "../bindings/MonitorFile";
import type { ProbeReport } from "../bindings/ProbeReport";
import { announce, reloadSettings } from "../app";
import * as ipc from "../ipc";
import { fmtMs } from "../logic/format";
import { monitorLimits } from "../logic/limits";
import {
  MONITOR_KEYS,
  PRESETS,
  applyPreset,
  fromForm,
  placeholders,
  toForm,
  type FormKey,
  type MonitorForm,
} from "../logic/monitorForm";
import {
  fieldMessages,
  nameMonitors,
  placeMonitorProblems,
  problemLine,
  type Placed,
} from "../logic/problems";
import { navigate, useStore } from "../store";
import { EditorActions, type Busy } from "./EditorActions";
import { ProblemSummary, fieldId } from "./fields";
import { requestFocus, takeFocusRequest } from "./focus";
import { FORM_ORDER, LABELS, MonitorFields } from "./MonitorFields";
import { TestResult } from "./TestResult";

const NO_PROBLEMS: Placed = { fields: {}, general: [] };

export function Editor({ id, preset }: { id: string | null; preset?: string | undefined }) {
  const settings = useStore((s) => s.settings);
  const monitors = settings?.monitor ?? [];
  const index = id === null ? monitors.length : monitors.findIndex((m) => (m.id ?? m.name) === id);
  const original: MonitorFile | null = id === null ? null : (monitors[index] ?? null);

  const [form, setForm] = useState<MonitorForm>(() => {
    const base = toForm(original ?? {});
    const p = PRESETS.find((x) => x.id === preset);
    return p ? applyPreset(base, p) : base;
  });
  const [placed, setPlaced] = useState<Placed>(NO_PROBLEMS);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [report, setReport] = useState<ProbeReport | null>(null);
  const [action, setAction] = useState<"save" | "test">("save");
  // Whether the last Save or Test was refused; the summary lists the problems from then on.
  const [refused, setRefused] = useState(false);
  const summary = useRef<HTMLDivElement | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  const ph = useMemo(
    () => placeholders(form, settings?.defaults, settings?.alerts),
    [form.tls, form.host, form.kind, form.domain, settings],
  );
  // Problems the limits find in what is typed now (numbers that are not numbers are left out).
  const live = useMemo(
    () =>
      placeMonitorProblems(
        monitorLimits(fromForm(form, original).monitor, index, settings?.defaults),
        index,
        MONITOR_KEYS,
      ).fields,
    [form, original, index, settings],
  );
  const names = monitors.map((m) => m.name);

  if (id !== null && !original) {
    return (
      <section class="view">
        <h1 tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
          Monitor not found
        </h1>
        <p>There is no monitor “{id}” to edit.</p>
        <button type="button" class="btn" onClick={() => navigate({ kind: "status" })}>
          Back to status
        </button>
      </section>
    );
  }

  /** Field `k`'s messages: the last attempt's, then (with `now`) what the limits find now. */
  const errorsOf = (k: FormKey, now = true): string[] | undefined =>
    fieldMessages(local[k] ? [local[k]] : undefined, placed.fields[k], now ? live[k] : undefined)?.map(
      (m) => nameMonitors(m, names),
    );
  const set = (k: FormKey) => (v: string | boolean) => {
    setForm((f) => ({ ...f, [k]: v }));
    if (local[k] || placed.fields[k]) {
      setLocal((l) => ({ ...l, [k]: "" }));
      setPlaced((p) => ({ ...p, fields: { ...p.fields, [k]: [] } }));
    }
  };

  const focusFirstProblem = (p: Placed, l: Record<string, string>) => {
    requestAnimationFrame(() => {
      const first = FORM_ORDER.find((k) => l[k] || p.fields[k]?.length || live[k]?.length);
      if (first) document.getElementById(fieldId(first))?.focus();
      else summary.current?.focus();
    });
  };

  const showError = (err: AppError, idx: number | null) => {
    setRefused(true);
    if (err.type === "invalid") {
      const p = placeMonitorProblems(err.data, idx, MONITOR_KEYS);
      setPlaced(p);
      setFailure(null);
      focusFirstProblem(p, {});
    } else {
      setPlaced(NO_PROBLEMS);
      setFailure(`It did not work: ${ipc.errorText(err)}.`);
      requestAnimationFrame(() => summary.current?.focus());
    }
  };

  const build = (): MonitorFile | null => {
    const { monitor, errors } = fromForm(form, original);
    setLocal(errors);
    if (Object.keys(errors).length > 0) {
      setRefused(true);
      setPlaced(NO_PROBLEMS);
      focusFirstProblem(NO_PROBLEMS, errors);
      return null;
    }
    return monitor;
  };

  const save = async (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    setAction("save");
    const monitor = build();
    if (!monitor) return;
    setBusy("save");
    try {
      const stored = await ipc.saveMonitor(monitor, id);
      const savedId = stored.id ?? stored.name ?? monitor.name ?? "";
      await reloadSettings();
      announce(`Saved ${stored.name ?? savedId}`);
      requestFocus(`row:${savedId}`);
      navigate({ kind: "status" });
    } catch (err) {
      showError(ipc.asAppError(err), index);
      setBusy(null);
    }
  };

  const test = async () => {
    if (busy) return;
    setAction("test");
    const monitor = build();
    if (!monitor) return;
    setBusy("test");
    setReport(null);
    try {
      const r = await ipc.testMonitor(monitor, id);
      setPlaced(NO_PROBLEMS);
      setFailure(null);
      setRefused(false);
      setReport(r);
      announce(`Test ${r.status}: ${fmtMs(r.latency_ms)}`);
      requestAnimationFrame(() => resultRef.current?.scrollIntoView({ block: "nearest" }));
    } catch (err) {
      showError(ipc.asAppError(err), index);
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (id === null) return;
    setBusy("delete");
    try {
      await ipc.deleteMonitor(id);
      await reloadSettings();
      announce(`Deleted ${original?.name ?? id}`);
      requestFocus("heading");
      navigate({ kind: "status" });
    } catch (err) {
      showError(ipc.asAppError(err), index);
      setBusy(null);
    }
  };

  const cancel = () => {
    requestFocus(id === null ? "heading" : `row:${id}`);
    navigate({ kind: "status" });
  };

  const fieldProblems = FORM_ORDER.filter((k) => errorsOf(k, refused)).map(
    (k) => [k, `${LABELS[k]}: ${errorsOf(k, refused)!.join(" · ")}`] as [string, string],
  );
  const general = [
    ...placed.general.map((p) => nameMonitors(problemLine(p), names)),
    ...(failure ? [failure] : []),
  ];

  return (
    <form
      class="view editor"
      data-testid="editor"
      noValidate
      onSubmit={(e) => void save(e)}
      aria-labelledby="editor-title"
    >
      <h1 id="editor-title" tabIndex={-1} ref={(el) => takeFocusRequest("heading", el)}>
        {original ? `Edit ${original.name ?? id}` : "Add a monitor"}
      </h1>
      <ProblemSummary
        count={fieldProblems.length + general.length}
        what={action === "test" ? "nothing was tested." : "nothing was saved."}
        general={general}
        fieldKeys={fieldProblems}
        summaryRef={(el) => (summary.current = el)}
      />

      <MonitorFields
        form={form}
        placeholders={ph}
        errorsOf={errorsOf}
        set={set}
        onPreset={(p) => setForm((f) => applyPreset(f, p))}
      />

      <div ref={resultRef} aria-live="polite">
        {report ? <TestResult report={report} /> : null}
      </div>

      <EditorActions
        original={original}
        busy={busy}
        onDelete={() => void remove()}
        onCancel={cancel}
        onTest={() => void test()}
      />
    </form>
  );
}
