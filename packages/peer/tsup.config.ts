import { defineConfig } from "tsup";

// p-queue is ESM-only: the ESM build imports it, the CJS build bundles it (require() of an ES
// module fails on Node 20).
export default defineConfig([
  {
    entry: ["src/index.ts", "src/internal.ts"],
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
  },
  {
    entry: ["src/index.ts", "src/internal.ts"],
    format: ["cjs"],
    dts: true,
    sourcemap: true,
    target: "node20",
    noExternal: ["p-queue"],
  },
]);
