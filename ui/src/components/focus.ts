// Where the focus goes after a view change: navigate() callers ask for a target ("heading",
// "row:<id>", "field:host"); the element with that key takes it when it mounts.

import { navigate, type View } from "../store";

let request: string | null = null;

/** A click handler that opens `view` with the focus on `focus`. */
export const goTo = (view: View, focus: string) => () => {
  requestFocus(focus);
  navigate(view);
};

/** Asks the element registered under `key` to take the focus when it appears. */
export function requestFocus(key: string | null): void {
  request = key;
}

/** Ref helper: focuses `el` if the pending request is for `key`. */
export function takeFocusRequest(key: string, el: HTMLElement | null): void {
  if (el && request === key) {
    request = null;
    el.focus();
  }
}
