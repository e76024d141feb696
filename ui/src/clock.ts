// One timer for every relative time in the window. Only the components that show a time
// subscribe, so a tick re-renders those text nodes and nothing else; the timer stops when
// nothing shows a time.

import { useEffect, useState } from "preact/hooks";

const subscribers = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function tick() {
  const now = Date.now();
  for (const s of subscribers) s(now);
}

function subscribe(fn: (now: number) => void): () => void {
  subscribers.add(fn);
  timer ??= setInterval(tick, 1000);
  return () => {
    subscribers.delete(fn);
    if (subscribers.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time, updated by the shared one-second tick. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => subscribe(setNow), []);
  return now;
}
