// Browser tests: playwright-core driving Debian's chromium against the built test page
// (e2e/index.html: the app with the IPC mocked), served by `vite preview` on 127.0.0.1.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    globalSetup: ["e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
