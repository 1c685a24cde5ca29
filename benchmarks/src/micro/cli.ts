/** Command-line flags shared by the micro benchmarks. */

/** The number given as `--<name>=N`, or `fallback` when the flag is absent. */
export function numberFlag(name: string, fallback: number): number {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return given === undefined ? fallback : Number(given.slice(name.length + 3));
}
