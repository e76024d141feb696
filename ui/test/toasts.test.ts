import { describe, expect, it } from "vitest";

import { toastsUnavailable } from "../src/logic/toasts";

describe("toastsUnavailable", () => {
  it("says nothing while toasts can be shown or the facts are not loaded", () => {
    expect(toastsUnavailable({ toasts: { available: true, reason: null } })).toBeNull();
    expect(toastsUnavailable(null)).toBeNull();
    expect(toastsUnavailable(undefined)).toBeNull();
  });

  it("gives the backend's reason when they cannot", () => {
    const reason = "Windows shows no notifications from EHLO Watch: access denied.";
    expect(toastsUnavailable({ toasts: { available: false, reason } })).toBe(reason);
  });

  it("still says so without a reason", () => {
    for (const reason of [null, "", "  "]) {
      expect(toastsUnavailable({ toasts: { available: false, reason } })).toBe(
        "The system does not show EHLO Watch's notifications.",
      );
    }
  });
});
