import { defineConfig, type Options } from "tsup";

// vitest is ESM-only and its CommonJS entry throws on require(). The CommonJS build therefore loads
// it on first use, so `require("@parley/testkit")` works for the memory pair, the proxy and the
// helpers, and only the conformance suite needs an ES module (vitest's own error says so).
const VITEST_EXPORTS_USED = ["afterAll", "beforeAll", "describe", "expect", "it"];
const lazyVitest: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "lazy-vitest",
  setup(build) {
    // Imports from the sources get the lazy module; its own require() stays a real, external one.
    build.onResolve({ filter: /^vitest$/ }, (args) =>
      args.namespace === "lazy-vitest"
        ? { path: "vitest", external: true }
        : { path: "vitest", namespace: "lazy-vitest" },
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-vitest" }, () => ({
      loader: "js",
      contents: VITEST_EXPORTS_USED.map(
        (name) => `export const ${name} = (...args) => require("vitest").${name}(...args);`,
      ).join("\n"),
    }));
  },
};

const shared: Options = {
  entry: ["src/index.ts"],
  dts: true,
  sourcemap: true,
  target: "node20",
};

export default defineConfig([
  { ...shared, format: ["esm"], clean: true },
  { ...shared, format: ["cjs"], noExternal: ["vitest"], esbuildPlugins: [lazyVitest] },
]);
