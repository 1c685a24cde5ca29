import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const RUN = fileURLToPath(new URL("../src/e2e/run.ts", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Runs the real harness (`src/e2e/run.ts`) from source with `args`, as `npm run bench` does. */
export function runHarness(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    ["--import", TSX, "--conditions=@parley/source", RUN, ...args],
    { encoding: "utf8", timeout: 110_000, env },
  );
}
