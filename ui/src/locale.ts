// Makes `navigator.language` a valid BCP 47 tag before any other module runs. WebKitGTK
// reports the POSIX locale as "C" when LANG is unset (CI, minimal sessions, some service
// launches), and `new Intl.NumberFormat("C")` throws a RangeError — uPlot calls it at load, so
// the whole window would stay blank. Imported first by main.tsx.

export function validTag(tag: string | undefined): string {
  if (!tag) return "en-US";
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? "en-US";
  } catch {
    return "en-US";
  }
}

const reported = typeof navigator === "undefined" ? undefined : navigator.language;
if (reported !== undefined && validTag(reported) !== reported) {
  const tag = validTag(reported);
  Object.defineProperty(Navigator.prototype, "language", { get: () => tag, configurable: true });
  Object.defineProperty(Navigator.prototype, "languages", { get: () => [tag], configurable: true });
}
