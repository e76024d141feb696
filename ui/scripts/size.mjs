// Gzips every JS and CSS file in dist/ and fails when the total is over the budget (150 KiB).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 150 * 1024;
const dist = join(import.meta.dirname, "..", "dist");

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(m?js|css)$/.test(name)) yield path;
  }
}

let total = 0;
let count = 0;
for (const path of files(dist)) {
  const raw = readFileSync(path);
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  count += 1;
  console.log(`${(gz / 1024).toFixed(1).padStart(7)} KiB gz  ${(raw.length / 1024).toFixed(1).padStart(7)} KiB  ${relative(dist, path)}`);
}
if (count === 0) {
  console.error("no JS or CSS in dist/: run `npm run build` first");
  process.exit(1);
}
const verdict = total <= BUDGET ? "within" : "OVER";
console.log(`total ${(total / 1024).toFixed(1)} KiB gzipped (${total} bytes), ${verdict} the ${BUDGET / 1024} KiB budget`);
if (total > BUDGET) process.exit(1);
