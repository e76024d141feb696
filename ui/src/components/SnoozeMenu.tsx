// A small menu of durations (1 hour, 8 hours, 1 day, until undone) behind one button: the local
// snooze of a row, and a remote monitor's agent-wide snooze and local mute. Escape or a click
// outside closes it; the focus goes back to its button.

import { useEffect, useRef, useState } from "preact/hooks";

/** The durations offered, in minutes; null: until undone. */
export const DURATIONS: ReadonlyArray<[string, number | null]> = [
  ["1 hour", 60],
  ["8 hours", 480],
  ["1 day", 1440],
  ["Until I resume", null],
];

export function SnoozeMenu({
  label,
  ariaLabel,
  onPick,
  testId,
}: {
  /** The button's text (`Snooze`, `Mute`). */
  label: string;
  /** The button's accessible name (`Snooze mx1`). */
  ariaLabel: string;
  onPick: (minutes: number | null) => void;
  testId?: string;
}) {
  const ref = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) ref.current.open = false;
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);
  const close = () => {
    if (ref.current) {
      ref.current.open = false;
      ref.current.querySelector("summary")?.focus();
    }
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  };
  return (
    <details
      class="menu"
      ref={ref}
      data-testid={testId}
      onKeyDown={onKey}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary class="btn btn-small" aria-label={ariaLabel}>
        {label}
      </summary>
      <div class="menu-items">
        {DURATIONS.map(([text, minutes]) => (
          <button
            key={text}
            type="button"
            class="btn btn-small btn-plain"
            data-minutes={minutes ?? "forever"}
            onClick={() => {
              close();
              onPick(minutes);
            }}
          >
            {text}
          </button>
        ))}
      </div>
    </details>
  );
}
