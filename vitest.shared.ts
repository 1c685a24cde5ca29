import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Shared vitest settings: tests run from TypeScript source through the `@parley/source` condition. */
export function parleyVitestConfig(options: { testTimeoutMs?: number; typeTests?: boolean } = {}) {
  return defineConfig({
    resolve: { conditions: ["@parley/source"] },
    ssr: { resolve: { conditions: ["@parley/source"] } },
    test: {
      include: ["test/**/*.test.ts"],
      testTimeout: options.testTimeoutMs ?? 20_000,
      hookTimeout: 20_000,
      reporters: [
        "default",
        fileURLToPath(new URL("./scripts/vitest-count-reporter.ts", import.meta.url)),
      ],
      // Type-level tests (`*.test-d.ts`, expectTypeOf) run only where a package opts in: they start tsc.
      typecheck: { enabled: options.typeTests ?? false, include: ["test/**/*.test-d.ts"] },
    },
  });
}
