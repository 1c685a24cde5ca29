import { parleyVitestConfig } from "../../vitest.shared.ts";

export default parleyVitestConfig({ testTimeoutMs: 60_000 });
