import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// `vite build` makes the shell's bundle (index.html → dist/). `--mode e2e` builds the test page
// instead (e2e/index.html: the same app with the IPC mocked), never into dist/.
export default defineConfig(({ mode }) => {
  const e2e = mode === "e2e";
  return {
    base: "./",
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    build: {
      outDir: e2e ? "node_modules/.e2e-dist" : "dist",
      emptyOutDir: true,
      sourcemap: e2e,
      modulePreload: { polyfill: false },
      rollupOptions: e2e ? { input: resolve(import.meta.dirname, "e2e/index.html") } : {},
    },
    server: { host: "127.0.0.1", strictPort: true },
    test: { include: ["test/**/*.test.ts"], environment: "node" },
  };
});
