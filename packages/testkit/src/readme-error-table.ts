/** One row of a package README's error table: `| code | class | retryable | meaning |`. */
export interface ReadmeErrorRow {
  readonly code: string;
  readonly className: string;
  readonly retryable: boolean;
}

/**
 * The rows of the table under a README's `## Errors` heading (up to the next `##` heading), so a
 * package's test can keep its error codes, classes, retry verdicts and docs in step.
 */
export function readmeErrorTable(readme: string): ReadmeErrorRow[] {
  const section = readme.split(/^## Errors$/m)[1]?.split(/^## /m)[0] ?? "";
  return section
    .split("\n")
    .filter((line) => /^\|\s*`[A-Z_]+`\s*\|/.test(line))
    .map((line) => {
      const [code, className, retryable] = line
        .split("|")
        .slice(1, 4)
        .map((cell) => cell.trim().replaceAll("`", ""));
      return { code: code!, className: className!, retryable: retryable === "yes" };
    });
}
