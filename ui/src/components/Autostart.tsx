// Starting the app with the desktop session, where the system supports it.

import { useState } from "preact/hooks";

import * as ipc from "../ipc";
import { setState, useStore } from "../store";
import { CheckField } from "./fields";

export function Autostart() {
  const info = useStore((s) => s.info);
  const [error, setError] = useState<string | null>(null);
  if (!info) return null;
  if (info.autostart === null) {
    return <p class="muted">Starting with the session is not available on this system.</p>;
  }
  return (
    <>
      <CheckField
        k="autostart"
        label="Start EHLO Watch when I log in"
        checked={info.autostart}
        errors={error ? [error] : undefined}
        onValue={async (on) => {
          try {
            setState({ info: await ipc.setAutostart(on) });
            setError(null);
          } catch (e) {
            setError(`Could not change it: ${ipc.errorText(ipc.asAppError(e))}.`);
          }
        }}
      />
    </>
  );
}
