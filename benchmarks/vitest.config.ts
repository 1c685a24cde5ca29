import { parleyVitestConfig } from "../vitest.shared.ts";

// The harness test starts real child processes and runs a few hundred requests per system.
export default parleyVitestConfig({ testTimeoutMs: 120_000 });
