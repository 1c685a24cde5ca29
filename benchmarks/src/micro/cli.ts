/** Command-line flags shared by the micro benchmarks. */

/**
 * The number given as `--<name>=N`, or `fallback` when the flag is absent. Every such flag counts
 * something (calls, rounds, bytes, calls in flight), so anything but a positive integer throws:
 * `--concurrency=0` would otherwise run nothing and report zeros.
 */
export function numberFlag(name: string, fallback: number): number {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  if (given === undefined) return fallback;
  const value = Number(given.slice(name.length + 3));
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`--${name} must be a positive integer (got ${given})`);
  }
  return value;
}

/** The text given as `--<name>=text`, or undefined when the flag is absent; an empty text throws. */
export function stringFlag(name: string): string | undefined {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  if (given === undefined) return undefined;
  const value = given.slice(name.length + 3);
  if (value === "") throw new RangeError(`--${name} needs a value (got ${given})`);
  return value;
}

/** `--transport=unix|tcp`: whether TCP was asked for; any other value throws. */
export function tcpFlag(): boolean {
  const given = process.argv.find((arg) => arg.startsWith("--transport="));
  if (given === undefined || given === "--transport=unix") return false;
  if (given === "--transport=tcp") return true;
  throw new RangeError(`--transport must be unix or tcp (got ${given})`);
}
