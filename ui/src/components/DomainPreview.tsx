// Under the editor's domain field: the domain's MX set as the shell resolves it now, looked up
// once typing stops (logic/mxPreview.ts), quiet while it looks.

import { useEffect, useRef, useState } from "preact/hooks";

import type { MxPreview } from "../bindings/MxPreview";
import * as ipc from "../ipc";
import { mxPreviewer, previewLine, type PreviewState } from "../logic/mxPreview";

const lookup = (domain: string): Promise<MxPreview> =>
  ipc.previewMx(domain).catch(
    (e: unknown): MxPreview => ({
      type: "failed",
      domain,
      failure: "resolver",
      message: `${domain}: ${ipc.errorText(ipc.asAppError(e))}`,
    }),
  );

export function DomainPreview({ domain, id }: { domain: string; id: string }) {
  const [state, setState] = useState<PreviewState>({ kind: "idle" });
  const previewer = useRef<ReturnType<typeof mxPreviewer> | null>(null);

  useEffect(() => {
    const p = mxPreviewer(lookup, setState);
    previewer.current = p;
    return () => p.stop();
  }, []);
  useEffect(() => {
    previewer.current?.input(domain);
  }, [domain]);

  const line = previewLine(state);
  return (
    <p
      id={id}
      class={`mx-preview${line?.problem ? " mx-preview-problem" : ""}${state.kind === "looking" ? " hint" : ""}`}
      data-testid="mx-preview"
      data-state={state.kind === "done" ? state.preview.type : state.kind}
      aria-live="polite"
    >
      {line?.text}
    </p>
  );
}
