import { parleyVitestConfig } from "../../vitest.shared.ts";

export default parleyVitestConfig({ testTimeoutMs: 120_000 });
