import { describe, expect, it } from "vitest";

import { validTag } from "../src/locale";

describe("validTag", () => {
  it("keeps a valid tag in its canonical form", () => {
    expect(validTag("en-GB")).toBe("en-GB");
    expect(validTag("de")).toBe("de");
  });
  it("replaces what Intl refuses, such as WebKitGTK's POSIX 'C'", () => {
    expect(validTag("C")).toBe("en-US");
    expect(validTag("")).toBe("en-US");
    expect(validTag(undefined)).toBe("en-US");
    expect(() => new Intl.NumberFormat(validTag("C"))).not.toThrow();
  });
});
