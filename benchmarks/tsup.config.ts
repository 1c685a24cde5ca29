import { defineConfig } from "tsup";

// The e2e child processes compiled as users run code: plain `node dist/...js`, with the workspace
// packages resolved through their published `exports` (their own dist/), not their sources.
export default defineConfig({
  entry: ["src/e2e/server-child.ts", "src/e2e/client-child.ts"],
  format: ["esm"],
  outDir: "dist/e2e",
  splitting: true,
  clean: true,
  // Every package stays an import resolved at run time (zeromq's native addon cannot be bundled).
  skipNodeModulesBundle: true,
  target: "node20",
});
