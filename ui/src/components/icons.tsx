// Inline SVG icons (no fonts, no images: nothing for the CSP to block). Decorative: the text
// next to each says the same.

import type { Status } from "../bindings/Status";

const PATHS: Record<string, string> = {
  success: "M4 10.5l4 4 8-9",
  warning: "M10 3l8 14H2L10 3zM10 8v4M10 14.5v.5",
  failed: "M5 5l10 10M15 5L5 15",
  offline: "M3 7.5a10 10 0 0114 0M6 10.5a6 6 0 018 0M10 14v.5M3 3l14 14",
  unknown: "M7.5 7.5a2.5 2.5 0 115 .5c0 1.5-2.5 2-2.5 3.5M10 14.5v.5",
  blocked: "M10 3a7 7 0 100 14 7 7 0 000-14zM5 5l10 10",
  stale: "M10 3a7 7 0 100 14 7 7 0 000-14zM10 6v4l3 2",
  no_route: "M3 10h9M9 6l4 4-4 4M16 4v12",
  unreachable: "M4 10h3M13 10h3M8 7l4 6M12 7l-4 6",
  paused: "M7 5v10M13 5v10",
  plus: "M10 4v12M4 10h12",
  back: "M12 4l-6 6 6 6",
  gear: "M10 7a3 3 0 100 6 3 3 0 000-6zM10 2v2.5M10 15.5V18M2 10h2.5M15.5 10H18M4.3 4.3l1.8 1.8M13.9 13.9l1.8 1.8M4.3 15.7l1.8-1.8M13.9 6.1l1.8-1.8",
  refresh: "M16 10a6 6 0 11-1.8-4.3M16 3v4h-4",
  close: "M5 5l10 10M15 5L5 15",
};

export function Icon({ name, class: cls }: { name: string; class?: string }) {
  return (
    <svg
      class={cls ? `icon ${cls}` : "icon"}
      viewBox="0 0 20 20"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name] ?? ""} />
    </svg>
  );
}

export function StatusIcon({ status }: { status: Status }) {
  return <Icon name={status} />;
}
