// Builds the test page (`vite build --mode e2e`, into node_modules/.e2e-dist) and serves it with
// `vite preview` on 127.0.0.1 at a free port; the tests get the page's URL via inject("pageUrl").
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { build, preview } from "vite";
import type { TestProject } from "vitest/node";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

declare module "vitest" {
  export interface ProvidedContext {
    pageUrl: string;
  }
}

export default async function setup(project: TestProject) {
  await build({ root, mode: "e2e", logLevel: "warn" });
  const port = await freePort();
  const server = await preview({
    root,
    mode: "e2e",
    logLevel: "warn",
    preview: { host: "127.0.0.1", port, strictPort: true, open: false },
  });
  project.provide("pageUrl", `http://127.0.0.1:${port}/e2e/index.html`);
  return async () => {
    await server.close();
  };
}
