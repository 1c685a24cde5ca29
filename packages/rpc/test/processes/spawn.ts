import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

/** Runs a TypeScript file of this folder in a child Node process; resolves with its first stdout line. */
export async function spawnScript(
  name: string,
  args: string[],
): Promise<{ child: ChildProcess; firstLine: string }> {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const child = spawn(
    process.execPath,
    ["--conditions=@parley/source", "--import", "tsx", file, ...args],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const lines = createInterface({ input: child.stdout! });
  const firstLine = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before printing`)));
  });
  return { child, firstLine };
}

/** Resolves once the child has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}
